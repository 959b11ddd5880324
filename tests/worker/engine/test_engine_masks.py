"""Feature-targeted refinement: only pixels under the mask may change."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from common.faces import NoFaceError, region_mask
from common.spec import Mode
from worker.engine import Engine
from worker.engine.masks import PAINTED_FEATHER


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    # 128 px: small enough to draw fast, large enough for dlib to find her face.
    return Image.fromarray(data.astronaut()).resize((128, 128), Image.Resampling.LANCZOS)


def square_mask(size: int, box: tuple[int, int, int, int]) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    mask.paste(255, box)
    return mask


def test_a_painted_mask_changes_only_what_is_under_it(engine: Engine, make_spec, put_image) -> None:
    parent = engine.generate(make_spec(seeds=[7]))[0].image
    mask = square_mask(64, (16, 16, 40, 40))
    spec = make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.75, seeds=[1, 2], mask_sha256=put_image(mask))
    result = engine.generate(spec, parent)
    # The mask as applied: the painted square, feathered outward a little.
    applied = np.asarray(mask.filter(_blur(PAINTED_FEATHER * 64)))
    applied = np.maximum(np.asarray(mask), applied)
    outside, inside = applied == 0, np.asarray(mask) == 255
    before = np.asarray(parent)
    for item in result:
        after = np.asarray(item.image)
        assert np.array_equal(after[outside], before[outside]), "pixels outside the mask must not change"
        assert not np.array_equal(after[inside], before[inside]), "the masked area must be redrawn"
        assert item.recipe["mask"]["source"] == "painted"
        assert item.recipe["mask"]["upload_sha256"] == spec.mask_sha256
        assert item.recipe["mask_sha256"] == item.recipe["mask"]["sha256"]
    assert not np.array_equal(np.asarray(result[0].image), np.asarray(result[1].image))


def _blur(sigma: float):
    from PIL import ImageFilter

    return ImageFilter.GaussianBlur(sigma)


def test_a_masked_round_redraws_bit_for_bit(engine: Engine, make_spec, put_image) -> None:
    parent = engine.generate(make_spec(seeds=[7]))[0].image
    spec = make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.5, seeds=[3],
                     mask_sha256=put_image(square_mask(64, (0, 0, 32, 64))))
    first, second = engine.generate(spec, parent)[0], engine.generate(spec, parent)[0]
    assert first.image.tobytes() == second.image.tobytes()
    plain = engine.generate(make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.5, seeds=[3]), parent)[0]
    assert first.image.tobytes() != plain.image.tobytes()


def test_a_facial_region_is_found_on_the_parent(engine: Engine, make_spec, astronaut: Image.Image) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.75, seeds=[5], width=128, height=128, region="eyes")
    result = engine.generate(spec, astronaut)[0]
    mask = np.asarray(region_mask(astronaut, "eyes"))
    before, after = np.asarray(astronaut), np.asarray(result.image)
    assert np.array_equal(after[mask == 0], before[mask == 0]), "only the eyes may change"
    assert not np.array_equal(after[mask == 255], before[mask == 255]), "the eyes must be redrawn"
    feather = (mask > 0) & (mask < 255)
    assert feather.any(), "a feathered band blends the change into the face"
    assert result.recipe["region"] == "eyes" and result.recipe["mask"]["source"] == "region"
    assert result.recipe["mask"]["sha256"] == result.recipe["mask_sha256"]


def test_no_face_no_region(engine: Engine, make_spec) -> None:
    noise = engine.generate(make_spec(seeds=[7]))[0].image
    with pytest.raises(NoFaceError, match="no face found"):
        engine.generate(make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.5, seeds=[1], region="nose"), noise)


def test_an_empty_or_missing_mask_is_refused(engine: Engine, make_spec, put_image) -> None:
    parent = Image.new("RGB", (64, 64), "white")
    empty = make_spec(mode=Mode.IMG2IMG, strength=0.5, seeds=[1], mask_sha256=put_image(Image.new("L", (64, 64))))
    with pytest.raises(ValueError, match="empty"):
        engine.generate(empty, parent)
    with pytest.raises(FileNotFoundError, match="missing from the blob store"):
        engine.generate(empty.model_copy(update={"mask_sha256": "0" * 64}), parent)


def test_outside_the_mask_the_latents_are_the_parents_own(engine: Engine, make_spec, put_image) -> None:
    """The legacy-inpaint pinning: after the last step, every latent outside the mask is the
    parent's clean latent (seen through the per-step preview, which follows the pinning)."""
    import torch

    from worker.engine import latents_to_preview

    parent = engine.generate(make_spec(seeds=[7]))[0].image
    mask = square_mask(64, (0, 0, 24, 64))  # latent columns 0-2 free (3 with the feather), the rest pinned
    previews: list[Image.Image] = []
    spec = make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.75, seeds=[2], mask_sha256=put_image(mask))
    engine.generate(spec, parent, None, lambda step, image: previews.append(image))
    pipe = engine.img2img
    with torch.no_grad():
        pixels = pipe.image_processor.preprocess(parent)
        clean = pipe.vae.encode(pixels).latent_dist.mode() * pipe.vae.config.scaling_factor
    expected, last = np.asarray(latents_to_preview(clean)), np.asarray(previews[-1])
    assert np.array_equal(last[:, 5:], expected[:, 5:]), "pinned to the parent outside the mask"
    assert not np.array_equal(last[:, :3], expected[:, :3]), "free inside it"
    assert not np.array_equal(np.asarray(previews[0])[:, 5:], expected[:, 5:]), "noised before the last step"
