"""Faces on photos and pencil sketches: detection, facial-region masks, identity.

Uses dlib's offline models (the `dlib-bin` and `face-recognition-models` wheels): the
HOG frontal face detector, the iBUG 68-point landmark predictor and the 128-d ResNet
face-recognition embedding. Both processes use this module: the API answers 422 when
a region cannot be located on a picked candidate, the worker builds inpainting masks
and stores an identity check with every candidate. Torch-free by design.

Region masks come from the iBUG 68 landmark groups: jaw 0-16, brows 17-26, nose 27-35,
eyes 36-47, mouth 48-67. Every size (padding, feathering, margins) is a fraction of
the face width, so masks look alike on a 512 px and a 1024 px image.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import dlib
import numpy as np
from PIL import Image

from common.spec import REGIONS

__all__ = [
    "REGIONS",
    "SAME_PERSON_DISTANCE",
    "Face",
    "FaceModelsMissingError",
    "NoFaceError",
    "check_region",
    "face_check",
    "find_face",
    "identity_distance",
    "identity_embedding",
    "identity_similarity",
    "models_dir",
    "photo_to_pencil_sketch",
    "region_mask",
    "same_person",
]

# dlib's documented operating point: two descriptors closer than this are one person
# (99.38% on LFW). identity_similarity() maps this distance to exactly 0.5.
SAME_PERSON_DISTANCE = 0.6
# Linear map from distance to similarity: 0 -> 1.0, 0.6 -> 0.5, >= 1.2 -> 0.0. Different
# people rarely come out further apart than 1.2, so the scale uses the whole [0, 1] range.
_ZERO_SIMILARITY_DISTANCE = 2 * SAME_PERSON_DISTANCE

# Detection runs on a copy no larger than this: the HOG detector's cost grows with the
# pixel count times upsample², while composites fill the frame with one large face.
_DETECT_MAX_SIDE = 640
# Sketches are harder than photos: upsample the image, then try a contrast-equalised grey.
_UPSAMPLES = (1, 2)
# A weak detection (a badge, a textured patch) must not win just by being a few pixels
# larger than a clear face; only detections at least this fraction of the best score count.
_MIN_RELATIVE_SCORE = 0.5

_PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
_RECOGNIZER_FILE = "dlib_face_recognition_resnet_model_v1.dat"

_JAW = slice(0, 17)
_BROW_GROUPS = (slice(17, 22), slice(22, 27))
_NOSE = slice(27, 36)
_EYE_GROUPS = (slice(36, 42), slice(42, 48))
_MOUTH = slice(48, 60)  # the outer lip line; the inner one (60-67) lies inside it
_NOSE_TIP = 30
_CHIN = 8


class NoFaceError(ValueError):
    """No face was found, so a facial region cannot be located; the message says what to do."""

    def __init__(self, reason: str, region: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.region = region


class FaceModelsMissingError(RuntimeError):
    """The offline face model files are not installed."""


@dataclass(frozen=True, eq=False)
class Face:
    """One detected face, in the pixel coordinates of the image it was found in."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
    landmarks: np.ndarray = field(repr=False)  # (68, 2) float64 (x, y), iBUG order
    score: float  # the HOG detector's confidence (>= 0)
    upsample: int  # how often the image was doubled before the face was found
    equalised: bool  # found on the contrast-equalised grey copy, not the image itself

    @property
    def width(self) -> float:
        """Face width between the outermost jaw points (0 and 16): the scale for every margin."""
        return float(np.linalg.norm(self.landmarks[16] - self.landmarks[0]))

    @property
    def brow_y(self) -> float:
        """The top of the eyebrows."""
        return float(self.landmarks[17:27, 1].min())

    @property
    def height(self) -> float:
        """Brows to chin."""
        return float(self.landmarks[_CHIN, 1]) - self.brow_y


# --- models -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Models:
    detector: Any
    predictor: Any
    recognizer: Any
    # dlib documents its object detector as unsafe for concurrent calls on one instance; one
    # lock for all three models keeps web threads taking turns (0.1-0.4 s a call) without a
    # per-thread copy of ~120 MB of weights.
    lock: threading.Lock = field(default_factory=threading.Lock)


_LOAD_LOCK = threading.Lock()


def models_dir() -> Path:
    """Where face-recognition-models keeps its .dat files.

    Found through the import system without importing the package: its __init__ imports
    pkg_resources, which recent setuptools no longer ships.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissingError("face-recognition-models is not installed: pip install face-recognition-models")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.cache
def _load_models() -> _Models:
    folder = models_dir()
    for name in (_PREDICTOR_FILE, _RECOGNIZER_FILE):
        if not (folder / name).is_file():
            raise FaceModelsMissingError(f"{folder / name} is missing: reinstall face-recognition-models")
    return _Models(
        detector=dlib.get_frontal_face_detector(),
        predictor=dlib.shape_predictor(str(folder / _PREDICTOR_FILE)),
        recognizer=dlib.face_recognition_model_v1(str(folder / _RECOGNIZER_FILE)),
    )


def _models() -> _Models:
    # functools.cache alone lets two first callers both load ~100 MB; the lock makes it once.
    with _LOAD_LOCK:
        return _load_models()


# --- detection --------------------------------------------------------------------


def _rgb_array(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def _working_copy(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """The image shrunk to at most _DETECT_MAX_SIDE, and the factor it was shrunk by."""
    scale = min(1.0, _DETECT_MAX_SIDE / max(rgb.shape[:2]))
    if scale == 1.0:
        return rgb, 1.0
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), scale


def _attempts(work: np.ndarray) -> Iterator[tuple[np.ndarray, int, bool]]:
    """Image variants to search, cheapest first; the equalised grey copy is made only if needed."""
    equalised: np.ndarray | None = None
    for upsample in _UPSAMPLES:
        yield work, upsample, False
        if equalised is None:
            equalised = np.ascontiguousarray(cv2.equalizeHist(cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)))
        yield equalised, upsample, True


def _best_detection(models: _Models, pixels: np.ndarray, upsample: int) -> tuple[Any, float] | None:
    with models.lock:
        rects, scores, _ = models.detector.run(pixels, upsample, 0.0)
    if not rects:
        return None
    floor = max(scores) * _MIN_RELATIVE_SCORE
    confident = [(r, s) for r, s in zip(rects, scores, strict=True) if s >= floor]
    return max(confident, key=lambda rs: rs[0].area())


def find_face(image: Image.Image, *, quick: bool = False) -> Face | None:
    """The largest clearly detected face with its 68 landmarks, or None when there is none.

    quick: one pass (colour, upsample 1) instead of four. Enough for generated portraits,
    whose faces are large and frontal; a miss then costs a tenth as much.
    """
    models = _models()
    work, scale = _working_copy(_rgb_array(image))
    attempts = _attempts(work)
    for pixels, upsample, equalised in itertools.islice(attempts, 1) if quick else attempts:
        found = _best_detection(models, pixels, upsample)
        if found is None:
            continue
        rect, score = found
        with models.lock:
            shape = models.predictor(pixels, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64) / scale
        box = tuple(round(v / scale) for v in (rect.left(), rect.top(), rect.right(), rect.bottom()))
        return Face(box=box, landmarks=points, score=float(score), upsample=upsample, equalised=equalised)
    return None


# --- region masks -----------------------------------------------------------------


def _padded_hulls(size: tuple[int, int], groups: list[np.ndarray], pad: float) -> np.ndarray:
    """Convex hull of each landmark group, grown by `pad` pixels in every direction."""
    mask = np.zeros((size[1], size[0]), dtype=np.uint8)
    for points in groups:
        cv2.fillConvexPoly(mask, cv2.convexHull(np.round(points).astype(np.int32)), 255)
    return _dilate(mask, pad)


def _dilate(mask: np.ndarray, pad: float) -> np.ndarray:
    radius = max(1, round(pad))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask, kernel)


def _jaw_mask(size: tuple[int, int], face: Face) -> np.ndarray:
    """The band between the jawline and the jawline pulled 30% of the way to the nose tip,
    grown by a margin so the chin's underside and the jaw's edge can be redrawn too."""
    jaw = face.landmarks[_JAW]
    inner = jaw + 0.3 * (face.landmarks[_NOSE_TIP] - jaw)
    polygon = np.round(np.concatenate([jaw, inner[::-1]])).astype(np.int32)
    mask = np.zeros((size[1], size[0]), dtype=np.uint8)
    cv2.fillPoly(mask, [polygon], 255)
    return _dilate(mask, 0.08 * face.width)


def _hair_mask(size: tuple[int, int], face: Face) -> np.ndarray:
    """Above the brows to the top of the head (1.2 face heights or the image top, whichever
    comes first), as wide as the face plus a margin each side."""
    jaw_x = face.landmarks[_JAW, 0]
    margin = 0.25 * face.width
    left, right = jaw_x.min() - margin, jaw_x.max() + margin
    # Stop just above the padded eyebrow mask, so repainting hair never redraws the brows.
    bottom = face.brow_y - 0.06 * face.width
    top = max(0.0, face.brow_y - 1.2 * face.height)
    return _filled_boxes(size, [(left, top, right, bottom)])


def _ear_mask(size: tuple[int, int], face: Face) -> np.ndarray:
    """A box beside each side of the face, from brow height to the nose tip, just outside
    the upper jaw points (0-2 on the image left, 14-16 on the right)."""
    lm = face.landmarks
    ear_width, overlap = 0.22 * face.width, 0.04 * face.width
    top, bottom = face.brow_y, float(lm[_NOSE_TIP, 1]) + 0.05 * face.width
    left_edge, right_edge = float(lm[0:3, 0].min()), float(lm[14:17, 0].max())
    return _filled_boxes(size, [
        (left_edge - ear_width, top, left_edge + overlap, bottom),
        (right_edge - overlap, top, right_edge + ear_width, bottom),
    ])


def _filled_boxes(size: tuple[int, int], boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), dtype=np.uint8)
    for left, top, right, bottom in boxes:
        # cv2 clips to the image, so a face near the border gives a partial box, not an error.
        cv2.rectangle(mask, (round(left), round(top)), (round(right), round(bottom)), 255, thickness=-1)
    return mask


def _hard_mask(size: tuple[int, int], face: Face, region: str) -> np.ndarray:
    lm, width = face.landmarks, face.width
    if region == "eyes":
        return _padded_hulls(size, [lm[g] for g in _EYE_GROUPS], 0.06 * width)
    if region == "eyebrows":
        return _padded_hulls(size, [lm[g] for g in _BROW_GROUPS], 0.05 * width)
    if region == "nose":
        return _padded_hulls(size, [lm[_NOSE]], 0.07 * width)
    if region == "mouth":
        return _padded_hulls(size, [lm[_MOUTH]], 0.06 * width)
    if region == "jaw":
        return _jaw_mask(size, face)
    if region == "hair":
        return _hair_mask(size, face)
    return _ear_mask(size, face)


def _feather(hard: np.ndarray, sigma: float) -> np.ndarray:
    """Blur the edge outward only: the region itself stays fully repainted (255) and the
    change fades into the surrounding picture instead of ending at a seam."""
    if sigma <= 0:
        return hard
    soft = cv2.GaussianBlur(hard, (0, 0), sigmaX=sigma, sigmaY=sigma)
    return np.maximum(hard, soft)


def check_region(region: str) -> None:
    """Raise ValueError for a region name this module cannot locate."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; valid regions: {', '.join(REGIONS)}")


def region_mask(image: Image.Image, region: str, feather_px: float | None = None, *,
                face: Face | None = None) -> Image.Image:
    """A mode "L" mask the size of `image`, 255 over the facial `region`, 0 elsewhere.

    feather_px is the Gaussian sigma of the soft edge: None scales it to the face (3% of
    its width), 0 gives the hard binary mask. Pass `face` (from find_face on this image)
    to skip detecting it again when building several masks.
    Raises NoFaceError when no face is found, ValueError for an unknown region.
    """
    check_region(region)
    face = face if face is not None else find_face(image)
    if face is None:
        raise NoFaceError(
            f"no face found in this image, so the {region!r} region cannot be located; paint a mask instead",
            region=region,
        )
    hard = _hard_mask(image.size, face, region)
    sigma = 0.03 * face.width if feather_px is None else feather_px
    return Image.fromarray(_feather(hard, sigma))


# --- identity ---------------------------------------------------------------------


def identity_embedding(image: Image.Image, *, face: Face | None = None, quick: bool = False) -> np.ndarray | None:
    """dlib's 128-d face descriptor of the face in `image`, or None when there is no face."""
    face = face if face is not None else find_face(image, quick=quick)
    if face is None:
        return None
    models = _models()
    left, top, right, bottom = face.box
    parts = dlib.points([dlib.point(round(x), round(y)) for x, y in face.landmarks])
    shape = dlib.full_object_detection(dlib.rectangle(left, top, right, bottom), parts)
    with models.lock:
        # num_jitters=0: deterministic, the same candidate always gets the same score.
        descriptor = models.recognizer.compute_face_descriptor(_rgb_array(image), shape, 0)
    return np.array(descriptor, dtype=np.float64)


def identity_distance(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    """Euclidean distance between two descriptors (dlib: < 0.6 is one person); None if either is missing."""
    if a is None or b is None:
        return None
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def identity_similarity(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    """Similarity in [0, 1]: 1 - distance / 1.2, clipped. Linear in dlib's distance, so 1.0 is
    identical, 0.5 is exactly dlib's same-person threshold (0.6) and 0.0 is distance >= 1.2.
    None when either descriptor is missing."""
    distance = identity_distance(a, b)
    if distance is None:
        return None
    return float(np.clip(1.0 - distance / _ZERO_SIMILARITY_DISTANCE, 0.0, 1.0))


def same_person(a: np.ndarray | None, b: np.ndarray | None) -> bool | None:
    """dlib's verdict: descriptors closer than 0.6 belong to one person; None if either is missing."""
    distance = identity_distance(a, b)
    return None if distance is None else distance < SAME_PERSON_DISTANCE


def face_check(image: Image.Image, parent: Image.Image | np.ndarray | None = None, *,
               quick: bool = False) -> dict[str, Any]:
    """What is stored with each candidate: whether it has a face, and how close it is to its parent.

    `parent` is the parent image or its descriptor (pass the descriptor to avoid recomputing it
    for every candidate of a round). Similarity and distance are None without a parent, or
    when either side has no face.
    """
    face = find_face(image, quick=quick)
    embedding = identity_embedding(image, face=face) if face else None
    parent_embedding = identity_embedding(parent, quick=quick) if isinstance(parent, Image.Image) else parent
    distance = identity_distance(embedding, parent_embedding)
    similarity = identity_similarity(embedding, parent_embedding)
    return {
        "face_found": face is not None,
        "identity_similarity": None if similarity is None else round(similarity, 4),
        "identity_distance": None if distance is None else round(distance, 4),
    }


# --- sketches ---------------------------------------------------------------------


def photo_to_pencil_sketch(image: Image.Image, blur_sigma: float | None = None) -> Image.Image:
    """The classic colour-dodge pencil sketch: grey / (255 - blurred inverted grey), RGB out.

    Deterministic (no noise, no random texture), so a sketchified reference always yields
    the same pixels and hash. The blur scales with the image unless given: sigma is 0.7% of the
    longer side, what OpenCV's usual 21 px kernel (sigma 3.5) is on a 512 px picture.
    """
    grey = cv2.cvtColor(_rgb_array(image), cv2.COLOR_RGB2GRAY)
    sigma = blur_sigma if blur_sigma is not None else max(1.0, 0.007 * max(grey.shape))
    blurred = cv2.GaussianBlur(255 - grey, (0, 0), sigmaX=sigma, sigmaY=sigma)
    sketch = cv2.divide(grey, 255 - blurred, scale=256)
    return Image.fromarray(cv2.cvtColor(sketch, cv2.COLOR_GRAY2RGB))
