"""Metric values on cases whose answer is known."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from common import faces
from tests.training_data import tiny_feature_net
from worker.evaluation import metrics
from worker.evaluation.report import jsonable
from worker.training.clip import build_tiny_clip, embed_images, embed_texts


def grey_image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).round().astype(np.uint8))


@pytest.fixture(scope="module")
def astronaut_grey() -> np.ndarray:
    photo = Image.fromarray(skimage.data.astronaut()).convert("L")
    return np.asarray(photo.resize((128, 128), Image.Resampling.LANCZOS), dtype=np.float64)


def noisy(base: np.ndarray, sigma: float, seed: int = 7) -> np.ndarray:
    return np.clip(base + np.random.default_rng(seed).normal(0, sigma, base.shape), 0, 255)


def test_identical_images_score_perfectly(astronaut_grey: np.ndarray) -> None:
    image = grey_image(astronaut_grey)
    assert metrics.ssim(image, image) == pytest.approx(1.0)
    assert metrics.psnr(image, image) == math.inf
    assert metrics.fsim(image, image) == pytest.approx(1.0)


def test_psnr_of_a_known_error() -> None:
    base = np.full((64, 64), 128.0)
    # ±10 everywhere: MSE exactly 100, PSNR = 10·log10(255² / 100) = 28.1308 dB.
    checker = base + 10 * np.where(np.indices((64, 64)).sum(axis=0) % 2 == 0, 1, -1)
    assert metrics.psnr(grey_image(checker), grey_image(base)) == pytest.approx(10 * math.log10(255**2 / 100), abs=1e-9)
    # Gaussian noise of σ = 5 (no clipping this far from 0 and 255): about 34.2 dB.
    assert metrics.psnr(grey_image(noisy(base, 5)), grey_image(base)) == pytest.approx(34.15, abs=0.1)


def test_psnr_inf_is_written_as_a_string_in_json() -> None:
    text = json.dumps(jsonable({"psnr": math.inf, "nan": math.nan, "ok": 1.5}), allow_nan=False)
    assert json.loads(text) == {"psnr": "inf", "nan": None, "ok": 1.5}


def test_ssim_and_fsim_fall_as_noise_grows(astronaut_grey: np.ndarray) -> None:
    reference = grey_image(astronaut_grey)
    ssims = [metrics.ssim(grey_image(noisy(astronaut_grey, s)), reference) for s in (2, 10, 40)]
    fsims = [metrics.fsim(grey_image(noisy(astronaut_grey, s)), reference) for s in (2, 10, 40)]
    assert ssims[0] > ssims[1] > ssims[2] and fsims[0] > fsims[1] > fsims[2]


@pytest.mark.parametrize(("sigma", "reference"), [(5, 0.969631), (20, 0.814911)])
def test_fsim_matches_an_independent_implementation(astronaut_grey: np.ndarray, sigma: float,
                                                    reference: float) -> None:
    # The expected values are piq 0.8.0's fsim(chromatic=False) on these exact arrays.
    assert metrics.fsim_arrays(noisy(astronaut_grey, sigma), astronaut_grey) == pytest.approx(reference, abs=1e-4)


def test_fsim_is_piqs_own_function(astronaut_grey: np.ndarray) -> None:
    assert metrics._piq_fsim().__module__ == "piq.fsim", "FSIM comes from the maintained library"
    assert metrics.fsim_arrays(astronaut_grey, astronaut_grey) == pytest.approx(1.0)


def test_fsim_downsamples_large_images_as_the_reference_code() -> None:
    photo = Image.fromarray(skimage.data.astronaut()).convert("L").resize((600, 600), Image.Resampling.LANCZOS)
    base = np.asarray(photo, dtype=np.float64)
    assert metrics.fsim_arrays(noisy(base, 20), base) == pytest.approx(0.884408, abs=1e-4)  # piq 0.8.0


def test_lpips_with_a_tiny_network(astronaut_grey: np.ndarray) -> None:
    net = tiny_feature_net()
    reference = grey_image(astronaut_grey).convert("RGB")
    assert metrics.lpips(reference, reference, net) == 0.0
    near = metrics.lpips(grey_image(noisy(astronaut_grey, 5)).convert("RGB"), reference, net)
    far = metrics.lpips(grey_image(noisy(astronaut_grey, 40)).convert("RGB"), reference, net)
    assert 0 < near < far
    weighted = metrics.lpips(grey_image(noisy(astronaut_grey, 40)).convert("RGB"), reference, net,
                             weights=[torch.zeros(8), torch.zeros(16)])
    assert weighted == 0.0, "learned channel weights are applied"


def test_clip_score_with_the_tiny_clip() -> None:
    bundle = build_tiny_clip()
    image = Image.new("RGB", (32, 32), "red")
    image_embed, text_embed = embed_images(bundle, [image])[0], embed_texts(bundle, ["a red round shape"])[0]
    score = metrics.clip_score(image_embed, text_embed)
    assert 0.0 <= score <= 100.0
    assert metrics.clip_score(text_embed, text_embed) == pytest.approx(100.0)
    assert metrics.clip_score(text_embed, -text_embed) == 0.0, "negative similarity is clipped to 0"


def test_frechet_distance_of_known_gaussians() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 4))
    assert metrics.fid_from_features(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, 2.0, 0.0, 0.0])
    assert metrics.fid_from_features(a, a + shift) == pytest.approx(5.0, abs=1e-6), "same covariance: ‖Δμ‖²"
    # Scaled by 2: μ becomes 2μ and Σ 4Σ, so ‖μ‖² + Tr(Σ + 4Σ − 2·(4Σ²)^½) = ‖μ‖² + Tr(Σ).
    mu = a.mean(axis=0)
    assert metrics.fid_from_features(2 * a, a) == pytest.approx(mu @ mu + np.trace(np.cov(a, rowvar=False)), abs=1e-6)
    with pytest.raises(ValueError, match="need ≥ 50"):
        metrics.fid_from_features(a[:49], a)


def test_identity_the_astronaut_and_her_sketch_are_one_person_lfw_faces_are_not() -> None:
    photo = Image.fromarray(skimage.data.astronaut())
    sketch = faces.photo_to_pencil_sketch(photo)
    same = faces.identity_similarity(faces.identity_embedding(photo), faces.identity_embedding(sketch))
    lfw = (skimage.data.lfw_subset()[0] * 255).round().astype(np.uint8)
    big = np.asarray(Image.fromarray(lfw).resize((150, 150), Image.BICUBIC))
    other = Image.fromarray(np.pad(big, 40, mode="edge")).convert("RGB")
    different = faces.identity_similarity(faces.identity_embedding(photo), faces.identity_embedding(other))
    assert same is not None and same > 0.5
    assert different is not None and different < 0.5
