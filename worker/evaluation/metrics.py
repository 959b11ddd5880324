"""Image metrics for generated sketches against the ground-truth sketch.

Full-reference metrics (SSIM, PSNR, FSIM) compare luminance, 0-255, after both images
are brought to the same size: sketches are grey, and colour noise in a generated
sketch is not what an artist judges. LPIPS, CLIP score and FID need networks; each
takes its network as an argument, so the code is exercised with tiny networks where
the real weights are not installed (see scorers.py for finding the real ones).

- SSIM: scikit-image's structural_similarity (Gaussian window, sigma 1.5, as Wang et al.).
- PSNR: 10·log10(255² / MSE); identical images give math.inf (serialised as "inf").
- FSIM: Zhang et al. (2011), grey-level FSIM (not FSIMc), with phase congruency as in
  the authors' reference code (Kovesi's phasecong2: 4 scales, 4 orientations of
  log-Gabor filters, noise compensation) and the Scharr gradient magnitude.
- LPIPS: Zhang et al. (2018): unit-normalise each layer's features along channels,
  square the difference, weight channels (1 when no learned weights), average over
  space, sum over layers.
- CLIP score: 100 · max(cos(image, text), 0), as torchmetrics' CLIPScore.
- FID: Fréchet distance between Gaussians fitted to the two feature sets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import linalg
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


def _frequency_grid(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised radius and angle of each FFT frequency, zero frequency at [0, 0]."""

    def axis(n: int) -> np.ndarray:
        return np.arange(-(n - 1) / 2, (n - 1) / 2 + 1) / (n - 1) if n % 2 else np.arange(-n / 2, n / 2) / n

    x, y = np.meshgrid(axis(cols), axis(rows))
    radius = np.fft.ifftshift(np.sqrt(x**2 + y**2))
    theta = np.fft.ifftshift(np.arctan2(-y, x))
    return radius, theta


def phase_congruency(image: np.ndarray, scales: int = 4, orientations: int = 4, min_wavelength: float = 6,
                     mult: float = 2, sigma_on_f: float = 0.55, d_theta_on_sigma: float = 1.2, k: float = 2.0,
                     epsilon: float = 1e-4) -> np.ndarray:
    """Phase congruency (0-1) of a grey image, after phasecong2 in the FSIM reference code."""
    rows, cols = image.shape
    spectrum = np.fft.fft2(image)
    radius, theta = _frequency_grid(rows, cols)
    radius[0, 0] = 1.0  # avoid log(0); the filters are zeroed there below
    lowpass = 1.0 / (1.0 + (radius / 0.45) ** 30)  # keeps the FFT's corner frequencies out
    log_gabor = []
    for s in range(scales):
        centre = 1.0 / (min_wavelength * mult**s)
        radial = np.exp(-(np.log(radius / centre) ** 2) / (2 * math.log(sigma_on_f) ** 2)) * lowpass
        radial[0, 0] = 0.0
        log_gabor.append(radial)
    theta_sigma = math.pi / orientations / d_theta_on_sigma
    energy_all = np.zeros_like(image)
    amplitude_all = np.zeros_like(image)
    for o in range(orientations):
        angle = o * math.pi / orientations
        d_sin = np.sin(theta) * math.cos(angle) - np.cos(theta) * math.sin(angle)
        d_cos = np.cos(theta) * math.cos(angle) + np.sin(theta) * math.sin(angle)
        spread = np.exp(-(np.abs(np.arctan2(d_sin, d_cos)) ** 2) / (2 * theta_sigma**2))
        energy, amplitude = _orientation_energy(spectrum, [g * spread for g in log_gabor], k, epsilon)
        energy_all += energy
        amplitude_all += amplitude
    return energy_all / (amplitude_all + epsilon)


def _orientation_energy(spectrum: np.ndarray, filters: list[np.ndarray], k: float,
                        epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Noise-compensated local energy and summed amplitude for one orientation."""
    rows, cols = spectrum.shape
    responses = [np.fft.ifft2(spectrum * f) for f in filters]
    spatial = [np.real(np.fft.ifft2(f)) * math.sqrt(rows * cols) for f in filters]
    sum_even = sum(np.real(r) for r in responses)
    sum_odd = sum(np.imag(r) for r in responses)
    amplitude = sum(np.abs(r) for r in responses)
    x_energy = np.sqrt(sum_even**2 + sum_odd**2) + epsilon
    mean_even, mean_odd = sum_even / x_energy, sum_odd / x_energy
    energy = sum(np.real(r) * mean_even + np.imag(r) * mean_odd - np.abs(np.real(r) * mean_odd - np.imag(r) * mean_even)
                 for r in responses)
    # Noise: the smallest scale's median squared response estimates the noise power (Rayleigh).
    mean_e2n = -np.median(np.abs(responses[0]) ** 2) / math.log(0.5)
    noise_power = mean_e2n / np.sum(filters[0] ** 2)
    sum_an2 = sum(np.sum(s**2) for s in spatial)
    sum_ai_aj = sum(np.sum(spatial[i] * spatial[j]) for i in range(len(spatial)) for j in range(i + 1, len(spatial)))
    tau = math.sqrt(max(2 * noise_power * sum_an2 + 4 * noise_power * sum_ai_aj, 0.0) / 2)
    threshold = (tau * math.sqrt(math.pi / 2) + k * math.sqrt((2 - math.pi / 2) * tau**2)) / 1.7
    return np.maximum(energy - threshold, 0.0), np.asarray(amplitude)


def _scharr_magnitude(image: np.ndarray) -> np.ndarray:
    from scipy.ndimage import convolve

    dx = np.array([[3, 0, -3], [10, 0, -10], [3, 0, -3]], dtype=np.float64) / 16
    # conv2(..., 'same') with zero padding, as the reference code.
    gx = convolve(image, dx, mode="constant")
    gy = convolve(image, dx.T, mode="constant")
    return np.sqrt(gx**2 + gy**2)


def _downsample(image: np.ndarray) -> np.ndarray:
    """The reference code's step: average over F×F and keep every F-th pixel, F = round(min side / 256)."""
    factor = max(1, round(min(image.shape) / 256))
    if factor == 1:
        return image
    from scipy.ndimage import uniform_filter

    # MATLAB's conv2(..., 'same') puts an even-sized window one pixel right of scipy's default.
    return uniform_filter(image, size=factor, mode="constant", origin=-1 if factor % 2 == 0 else 0)[::factor, ::factor]


def fsim_arrays(x: np.ndarray, y: np.ndarray, t1: float = 0.85, t2: float = 160.0) -> float:
    x, y = _downsample(x), _downsample(y)
    pc_x, pc_y = phase_congruency(x), phase_congruency(y)
    g_x, g_y = _scharr_magnitude(x), _scharr_magnitude(y)
    s_pc = (2 * pc_x * pc_y + t1) / (pc_x**2 + pc_y**2 + t1)
    s_g = (2 * g_x * g_y + t2) / (g_x**2 + g_y**2 + t2)
    pc_max = np.maximum(pc_x, pc_y)
    total = float(np.sum(pc_max))
    return 1.0 if total == 0 else float(np.sum(s_pc * s_g * pc_max) / total)


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


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """‖μ1 − μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½)."""
    covmean, _ = linalg.sqrtm(sigma1 @ sigma2, disp=False)
    if not np.isfinite(covmean).all():
        # Near-singular product: nudge both diagonals, as pytorch-fid does.
        offset = np.eye(sigma1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def fid_from_features(a: np.ndarray, b: np.ndarray) -> float:
    """FID of two (N, D) feature sets; ValueError below FID_MIN_IMAGES on either side (the
    covariance estimate is meaningless with fewer)."""
    if min(len(a), len(b)) < FID_MIN_IMAGES:
        raise ValueError(f"need ≥ {FID_MIN_IMAGES} images on each side, have {len(a)} and {len(b)}")
    a, b = a.astype(np.float64), b.astype(np.float64)
    return frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
