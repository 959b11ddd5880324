"""The photographic check (common/photo.py): a colour or mid-tone photograph is flagged, a pencil
sketch of it is not."""

from __future__ import annotations

import skimage.data
from PIL import Image

from common.faces import photo_to_pencil_sketch
from common.photo import COLOUR_SATURATION, MIN_PAPER, photo_check


def test_colour_photo_is_photographic() -> None:
    check = photo_check(Image.fromarray(skimage.data.astronaut()))
    assert check.photographic and check.saturation > COLOUR_SATURATION and "colour" in check.reason


def test_grey_photo_is_photographic_by_its_mid_tones() -> None:
    check = photo_check(Image.fromarray(skimage.data.camera()))
    assert check.photographic and check.saturation == 0 and check.paper < MIN_PAPER


def test_pencil_sketch_is_not() -> None:
    check = photo_check(photo_to_pencil_sketch(Image.fromarray(skimage.data.astronaut())))
    assert not check.photographic and check.reason == "looks drawn"
