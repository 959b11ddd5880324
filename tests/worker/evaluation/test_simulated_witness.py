"""The simulated witness chooses by distance to the target; its ratings follow the distance."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from worker.evaluation.simulated_witness import Witness


def _grey(level: int) -> Image.Image:
    return Image.fromarray(np.full((16, 16), level, dtype=np.uint8))


def test_without_memory_noise_the_nearest_faces_are_picked_and_rated_highest() -> None:
    witness = Witness(_grey(100), random.Random(1), noise=0.0)
    assert witness.space == "pixel"
    faces = [_grey(level) for level in (250, 110, 0, 140, 101)]
    order, ratings, true = witness.choose(faces, 3)
    assert order == [4, 1, 3]
    assert ratings[0] == 10 and ratings[0] > ratings[1] > ratings[2]
    assert true[4] < true[1] < true[3] < true[2]


def test_memory_noise_sometimes_changes_the_pick() -> None:
    faces = [_grey(level) for level in (104, 106)]
    picks = {Witness(_grey(100), random.Random(seed), noise=0.5).choose(faces, 1)[0][0] for seed in range(40)}
    assert picks == {0, 1}
