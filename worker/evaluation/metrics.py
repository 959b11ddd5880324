"""Image metrics for generated sketches against the ground-truth sketch.

Full-reference metrics (SSIM, PSNR, FSIM) compare luminance, 0-255, after both images
are brought to the same size: sketches are grey, and colour noise in a generated
sketch is not what an artist judges. LPIPS, CLIP score and FID need networks; each
takes its network as an argument, so the code is exercised with tiny networks where
the real weights are not installed (see scorers.py for finding the real ones).

- SSIM: scikit-image's structural_similarity (Gaussian window, sigma 1.5, as Wang et al.).
- PSNR: 10·log10(255² / MSE); identical images give math.inf (serialised as "inf").
- FSIM: piq's fsim (Zhang et al. 2011), grey-level FSIM (not FSIMc): phase congruency as
  in the authors' reference code (Kovesi's phasecong2) and the Scharr gradient magnitude.
- LPIPS (own code: piq's and torchmetrics' LPIPS load pretrained AlexNet/VGG weights, and
  this project downloads nothing; here any feature network is passed in): Zhang et al.
  (2018): unit-normalise each layer's features along channels,
  square the difference, weight channels (1 when no learned weights), average over
  space, sum over layers.
- CLIP score: 100 · max(cos(image, text), 0), as torchmetrics' CLIPScore (own code: that
  class loads a CLIP by hub name; here the embeddings come from the CLIP we found offline).
- FID: torchmetrics' Fréchet distance between Gaussians fitted to the two feature sets.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import sys
import types
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from skimage.metrics import structural_similarity

FID_MIN_IMAGES = 50
FeatureNet = Callable[[torch.Tensor], Sequence[torch.Tensor]]


def grey(image: Image.Image, size: tuple[int, int] | None = None) -> np.ndarray:
    """Luminance as float64 0-255, resized (Lanczos) to `size` when given."""
    luminance = image.convert("L")
    if size is not None and luminance.size != size:
        luminance = luminance.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(luminance, dtype=np.float64)


def _pair(a: Image.Image, b: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Both as grey arrays at the size of `b` (the reference)."""
    return grey(a, b.size), grey(b)


def ssim(image: Image.Image, reference: Image.Image) -> float:
    x, y = _pair(image, reference)
    return float(structural_similarity(x, y, data_range=255.0, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))


def psnr_arrays(x: np.ndarray, y: np.ndarray, peak: float = 255.0) -> float:
    mse = float(np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(peak**2 / mse)


def psnr(image: Image.Image, reference: Image.Image) -> float:
    """In dB; math.inf for identical images."""
    return psnr_arrays(*_pair(image, reference))


# --- FSIM ------------------------------------------------------------------------------------


@functools.cache
def _piq_fsim() -> Callable[..., torch.Tensor]:
    """piq's fsim (Zhang et al. 2011, the authors' phasecong2 and Scharr gradient, their downsampling).

    `import piq` runs piq/__init__, which imports its weight-based metrics (LPIPS, DISTS) and
    through them torchvision; FSIM needs neither. Where torchvision is absent (PyPI has no CPU
    build of it) piq.fsim is loaded without that __init__: same code, same numbers.
    """
    try:
        from piq import fsim as piq_fsim
    except ImportError:
        spec = importlib.util.find_spec("piq")
        if spec is None or not spec.submodule_search_locations:
            raise
        package = types.ModuleType("piq")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules["piq"] = package
        piq_fsim = importlib.import_module("piq.fsim").fsim
    return piq_fsim


def fsim_arrays(x: np.ndarray, y: np.ndarray) -> float:
    """Grey-level FSIM (not FSIMc) of two 0-255 arrays of the same shape."""
    pair = [torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))[None, None] for a in (x, y)]
    return float(_piq_fsim()(pair[0], pair[1], data_range=255.0, chromatic=False))


def fsim(image: Image.Image, reference: Image.Image) -> float:
    return fsim_arrays(*_pair(image, reference))


# --- networks --------------------------------------------------------------------------------


def to_signed_tensor(images: list[Image.Image], size: tuple[int, int]) -> torch.Tensor:
    """(N, 3, H, W) in [-1, 1], the input range of LPIPS networks."""
    arrays = [np.asarray(i.convert("RGB").resize(size, Image.Resampling.LANCZOS), dtype=np.float32) for i in images]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2) / 127.5 - 1.0


@torch.no_grad()
def lpips(image: Image.Image, reference: Image.Image, net: FeatureNet,
          weights: Sequence[torch.Tensor] | None = None) -> float:
    """LPIPS distance (0 = identical) with `net` returning one feature map per layer."""
    pixels = to_signed_tensor([image, reference], reference.size)
    total = 0.0
    for layer, features in enumerate(net(pixels)):
        a, b = F.normalize(features[0:1], dim=1, eps=1e-10), F.normalize(features[1:2], dim=1, eps=1e-10)
        squared = (a - b) ** 2
        if weights is not None:
            squared = squared * weights[layer].reshape(1, -1, 1, 1)
        total += float(squared.sum(dim=1).mean())
    return total


def clip_score(image_embedding: torch.Tensor, text_embedding: torch.Tensor) -> float:
    """100 · max(cosine, 0) of one image and one text embedding."""
    cosine = F.cosine_similarity(image_embedding.float().flatten(), text_embedding.float().flatten(), dim=0)
    return 100.0 * max(float(cosine), 0.0)


class _GivenFeatures(torch.nn.Module):
    """torchmetrics' FID over features we already have: its feature extractor is the identity."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


def fid_from_features(a: np.ndarray, b: np.ndarray) -> float:
    """FID of two (N, D) feature sets (torchmetrics' FrechetInceptionDistance fed the features:
    ‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½), in float64); ValueError below FID_MIN_IMAGES on either
    side (the covariance estimate is meaningless with fewer). The Inception network that makes
    the features needs pytorch-fid's weights: scorers.py finds them or says they are unavailable."""
    if min(len(a), len(b)) < FID_MIN_IMAGES:
        raise ValueError(f"need ≥ {FID_MIN_IMAGES} images on each side, have {len(a)} and {len(b)}")
    from torchmetrics.image.fid import FrechetInceptionDistance

    metric = FrechetInceptionDistance(feature=_GivenFeatures(a.shape[1]), reset_real_features=False)
    metric.update(torch.from_numpy(np.asarray(b, dtype=np.float64)), real=True)
    metric.update(torch.from_numpy(np.asarray(a, dtype=np.float64)), real=False)
    return float(metric.compute())
