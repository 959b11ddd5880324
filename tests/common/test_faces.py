"""Face detection, region masks and identity on real pictures that ship offline.

The photo is scikit-image's astronaut (Eileen Collins); the sketch is that photo run
through photo_to_pencil_sketch. Different people come from scikit-image's LFW subset
(25x25 grey face crops from Labeled Faces in the Wild), enlarged so dlib can see them.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import skimage.data
from PIL import Image

from common import faces
from common.faces import REGIONS, Face, NoFaceError

# LFW subset faces (indices 0-99 are faces, 100-199 are not) that dlib detects once enlarged.
OTHER_PEOPLE = (0, 1, 2, 3, 5, 6, 7, 8)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return Image.fromarray(skimage.data.astronaut())


@pytest.fixture(scope="module")
def sketch(photo: Image.Image) -> Image.Image:
    return faces.photo_to_pencil_sketch(photo)


@pytest.fixture(scope="module")
def photo_face(photo: Image.Image) -> Face:
    face = faces.find_face(photo)
    assert face is not None, "no face found on the astronaut photo"
    return face


@pytest.fixture(scope="module")
def sketch_face(sketch: Image.Image) -> Face:
    face = faces.find_face(sketch)
    assert face is not None, "no face found on the pencil sketch of the astronaut photo"
    return face


@pytest.fixture(scope="module")
def photo_embedding(photo: Image.Image, photo_face: Face) -> np.ndarray:
    embedding = faces.identity_embedding(photo, face=photo_face)
    assert embedding is not None
    return embedding


def lfw_style(grey: np.ndarray) -> Image.Image:
    """A 25x25 LFW crop enlarged to 150 px with a 40 px border: dlib needs faces of ~80 px and context."""
    big = np.asarray(Image.fromarray(grey).resize((150, 150), Image.BICUBIC))
    return Image.fromarray(np.pad(big, 40, mode="edge")).convert("RGB")


def centroid(mask: Image.Image) -> tuple[float, float]:
    ys, xs = np.nonzero(np.asarray(mask))
    return float(xs.mean()), float(ys.mean())


# --- detection ----------------------------------------------------------------------


def test_the_photo_has_one_face_with_68_landmarks_where_the_face_is(photo_face: Face) -> None:
    assert photo_face.landmarks.shape == (68, 2)
    left, top, right, bottom = photo_face.box
    # The astronaut's face sits around x 175-265, y 76-166 of the 512 px picture.
    assert 150 < left < right < 290 and 50 < top < bottom < 190
    assert (photo_face.landmarks >= 0).all() and (photo_face.landmarks < 512).all()
    assert photo_face.landmarks[8, 1] > photo_face.landmarks[30, 1] > photo_face.landmarks[19, 1]  # chin, nose, brow


def test_the_pencil_sketch_has_the_same_face_at_the_same_landmarks(photo_face: Face, sketch_face: Face) -> None:
    assert sketch_face.landmarks.shape == (68, 2)
    drift = np.linalg.norm(sketch_face.landmarks - photo_face.landmarks, axis=1).mean()
    assert drift < 0.05 * photo_face.width, f"sketch landmarks are {drift:.1f} px from the photo's"


def test_the_sketch_is_a_deterministic_light_grey_drawing(photo: Image.Image, sketch: Image.Image) -> None:
    assert sketch.mode == "RGB" and sketch.size == photo.size
    pixels = np.asarray(sketch)
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()
    assert pixels.mean() > 180, "a pencil sketch is mostly paper"
    assert pixels.min() < 60, "and has dark strokes"
    assert faces.photo_to_pencil_sketch(photo).tobytes() == sketch.tobytes()


def test_a_large_image_is_searched_shrunk_and_answered_in_its_own_pixels(photo: Image.Image, photo_face: Face) -> None:
    big = faces.find_face(photo.resize((1024, 1024), Image.BICUBIC))
    assert big is not None
    offset = np.linalg.norm(big.landmarks / 2 - photo_face.landmarks, axis=1).mean()
    assert offset < 3, f"landmarks of the 2x image are {offset:.1f} px off once halved"


def test_a_faint_sketch_is_found_on_the_contrast_equalised_copy(sketch: Image.Image, photo_face: Face) -> None:
    # Strokes at 8% strength: too faint for the detector until the contrast is stretched.
    faint = Image.fromarray((255 - (255 - np.asarray(sketch, dtype=np.float64)) * 0.08).round().astype(np.uint8))
    face = faces.find_face(faint)
    assert face is not None and face.equalised
    assert np.linalg.norm(face.landmarks - photo_face.landmarks, axis=1).mean() < 0.05 * photo_face.width


def test_a_small_face_is_found_by_upsampling_twice(photo: Image.Image, photo_face: Face) -> None:
    # At 160 px the face is ~28 px wide, below what one doubling lets the detector see.
    face = faces.find_face(photo.resize((160, 160), Image.LANCZOS))
    assert face is not None and face.upsample == 2
    scale = 160 / 512
    assert np.linalg.norm(face.landmarks - photo_face.landmarks * scale, axis=1).mean() < 0.1 * photo_face.width * scale


def test_a_blank_image_has_no_face_and_no_region() -> None:
    blank = Image.new("RGB", (256, 256), (128, 128, 128))
    assert faces.find_face(blank) is None
    with pytest.raises(NoFaceError, match="no face") as caught:
        faces.region_mask(blank, "nose")
    assert "'nose'" in str(caught.value) and "paint a mask" in str(caught.value)
    assert caught.value.region == "nose"
    assert faces.identity_embedding(blank) is None


def test_concurrent_callers_share_the_models_and_get_the_same_answer(photo: Image.Image, photo_face: Face) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: faces.find_face(photo), range(4)))
    for face in found:
        assert face is not None and np.array_equal(face.landmarks, photo_face.landmarks)


# --- region masks -------------------------------------------------------------------


def test_regions_are_the_ones_the_spec_accepts() -> None:
    assert REGIONS == ("eyes", "eyebrows", "nose", "mouth", "jaw", "hair", "ears")


@pytest.mark.parametrize("which", ["photo", "sketch"])
@pytest.mark.parametrize("region", REGIONS)
def test_every_region_mask_is_a_non_empty_binary_part_of_the_image(
    request: pytest.FixtureRequest, which: str, region: str,
) -> None:
    image = request.getfixturevalue(which)
    face = request.getfixturevalue(f"{which}_face")
    mask = faces.region_mask(image, region, feather_px=0, face=face)
    assert mask.mode == "L" and mask.size == image.size
    pixels = np.asarray(mask)
    assert set(np.unique(pixels)) == {0, 255}
    covered = (pixels == 255).mean()
    assert 0.001 < covered < 0.25, f"{region} covers {covered:.1%} of the picture"


def test_regions_sit_where_they_belong(photo: Image.Image, photo_face: Face) -> None:
    masks = {r: faces.region_mask(photo, r, feather_px=0, face=photo_face) for r in REGIONS}
    at = {r: centroid(m) for r, m in masks.items()}
    assert at["hair"][1] < at["eyebrows"][1] < at["eyes"][1] < at["nose"][1] < at["mouth"][1]
    # The hair mask stops above the brows instead of painting over them.
    hair_rows = np.nonzero(np.asarray(masks["hair"]).any(axis=1))[0]
    brow_rows = np.nonzero(np.asarray(masks["eyebrows"]).any(axis=1))[0]
    assert hair_rows.max() < brow_rows.min()
    assert hair_rows.min() == 0, "the astronaut's hair reaches near the top: the mask runs to the image top"


def test_ears_are_left_and_right_of_the_nose_at_eye_height(photo: Image.Image, photo_face: Face) -> None:
    ears = np.asarray(faces.region_mask(photo, "ears", feather_px=0, face=photo_face))
    nose_x, nose_y = photo_face.landmarks[30]
    left, right = ears[:, : int(nose_x)], ears[:, int(nose_x):]
    assert left.any() and right.any(), "one ear box on each side"
    assert not ears[:, int(nose_x) - 10: int(nose_x) + 10].any(), "nothing over the nose"
    rows = np.nonzero(ears.any(axis=1))[0]
    assert rows.min() < photo_face.landmarks[36:48, 1].mean() < rows.max() and rows.max() < nose_y + 20


def test_eyes_are_two_patches_and_the_jaw_wraps_the_chin(photo: Image.Image, photo_face: Face) -> None:
    lm = photo_face.landmarks
    eyes = np.asarray(faces.region_mask(photo, "eyes", feather_px=0, face=photo_face))
    between = np.round((lm[39] + lm[42]) / 2).astype(int)
    assert eyes[between[1], between[0]] == 0, "the bridge of the nose between the eyes stays"
    assert all(eyes[int(y), int(x)] == 255 for x, y in lm[36:48])
    jaw = np.asarray(faces.region_mask(photo, "jaw", feather_px=0, face=photo_face))
    chin_x, chin_y = np.round(lm[8]).astype(int)
    assert jaw[chin_y, chin_x] == 255 and jaw[chin_y + 3, chin_x] == 255, "the chin and just below it"
    assert jaw[int(lm[30, 1]), int(lm[30, 0])] == 0, "not the nose tip"


def test_feathering_softens_outward_and_keeps_the_region_whole(photo: Image.Image, photo_face: Face) -> None:
    hard = np.asarray(faces.region_mask(photo, "nose", feather_px=0, face=photo_face))
    soft = np.asarray(faces.region_mask(photo, "nose", face=photo_face))
    assert (soft[hard == 255] == 255).all()
    assert (soft >= hard).all()
    ramp = (soft > 0) & (soft < 255)
    assert ramp.sum() > 0.2 * (hard == 255).sum(), "a visible soft edge"


def test_region_mask_finds_the_face_itself(sketch: Image.Image, sketch_face: Face) -> None:
    found = np.asarray(faces.region_mask(sketch, "mouth", feather_px=0))
    given = np.asarray(faces.region_mask(sketch, "mouth", feather_px=0, face=sketch_face))
    assert np.array_equal(found, given)


def test_an_unknown_region_is_refused_before_looking_for_a_face() -> None:
    blank = Image.new("RGB", (64, 64))
    with pytest.raises(ValueError, match="valid regions: eyes, eyebrows") as caught:
        faces.region_mask(blank, "forehead")
    assert not isinstance(caught.value, NoFaceError)


# --- identity -----------------------------------------------------------------------


def test_the_sketch_is_the_same_person_as_the_photo(sketch: Image.Image, photo_embedding: np.ndarray) -> None:
    embedding = faces.identity_embedding(sketch)
    assert embedding is not None and embedding.shape == (128,)
    assert faces.same_person(photo_embedding, embedding) is True
    similarity = faces.identity_similarity(photo_embedding, embedding)
    assert similarity is not None and 0.5 < similarity < 1.0


def test_other_people_are_not_the_astronaut_even_at_the_same_low_resolution(
    photo: Image.Image, sketch: Image.Image, photo_face: Face, photo_embedding: np.ndarray,
) -> None:
    lfw = (skimage.data.lfw_subset() * 255).round().astype(np.uint8)
    # Control: the astronaut degraded exactly like the LFW faces is still recognised, so the
    # verdicts below are about who is pictured, not about 25 px blur.
    left, top, right, bottom = photo_face.box
    degraded = np.asarray(photo.convert("L").crop((left, top, right, bottom)).resize((25, 25), Image.BILINEAR))
    control = faces.identity_embedding(lfw_style(degraded))
    assert faces.same_person(photo_embedding, control) is True
    floor = faces.identity_similarity(photo_embedding, control)
    for index in OTHER_PEOPLE:
        other = faces.identity_embedding(lfw_style(lfw[index]))
        assert other is not None, f"LFW face {index} not detected"
        assert faces.same_person(photo_embedding, other) is False, f"LFW face {index} taken for the astronaut"
        assert faces.identity_similarity(photo_embedding, other) < floor


def test_similarity_is_linear_in_dlib_distance_with_the_threshold_at_one_half() -> None:
    origin = np.zeros(128)
    at = lambda distance: np.eye(128)[0] * distance  # noqa: E731
    assert faces.identity_similarity(origin, origin) == 1.0
    assert faces.identity_similarity(origin, at(0.6)) == pytest.approx(0.5)
    assert faces.identity_similarity(origin, at(0.3)) == pytest.approx(0.75)
    assert faces.identity_similarity(origin, at(1.5)) == 0.0
    assert faces.same_person(origin, at(0.59)) is True and faces.same_person(origin, at(0.61)) is False
    assert faces.identity_similarity(origin, None) is None and faces.same_person(None, origin) is None


def test_face_check_is_what_a_candidate_stores(photo: Image.Image, sketch: Image.Image,
                                               photo_embedding: np.ndarray) -> None:
    checked = faces.face_check(sketch, photo)
    assert checked.keys() == {"face_found", "identity_similarity", "identity_distance"}
    assert checked["face_found"] is True
    assert 0 < checked["identity_distance"] < 0.6 and 0.5 < checked["identity_similarity"] < 1
    assert faces.face_check(sketch, photo_embedding) == checked, "a stored parent descriptor gives the same answer"
    json.dumps(checked)
    assert faces.face_check(photo, None) == {"face_found": True, "identity_similarity": None, "identity_distance": None}
    blank = Image.new("RGB", (128, 128), (200, 200, 200))
    assert faces.face_check(blank, photo_embedding) == {
        "face_found": False, "identity_similarity": None, "identity_distance": None,
    }
