"""The networks behind LPIPS, CLIP score and FID: found locally, or reported unavailable.

Nothing is downloaded. A metric whose weights are not on this machine is reported as
{"unavailable": "<why, and how to install>"}; its code path is still the real one,
tested with tiny networks passed in.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from worker.evaluation.metrics import FeatureNet, to_signed_tensor
from worker.training.clip import DEFAULT_CLIP_HUB_ID, ClipBundle, cached_clip_folder, load_clip

ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
INCEPTION_FILE = "pt_inception-2015-12-05-6726825d.pth"
FeatureFn = Callable[[list[Image.Image]], np.ndarray]


def torch_hub_checkpoints() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints"


@dataclass
class Scorers:
    """The networks each metric needs; None with a reason in `unavailable` when absent."""

    lpips_net: FeatureNet | None = None
    lpips_weights: Sequence[torch.Tensor] | None = None
    lpips_name: str = ""
    clip: ClipBundle | None = None
    fid_features: FeatureFn | None = None
    fid_name: str = ""
    unavailable: dict[str, str] = field(default_factory=dict)


def _lpips_alex() -> tuple[FeatureNet, Sequence[torch.Tensor]]:
    """The `lpips` package's AlexNet LPIPS, only when its backbone weights are already local
    (lpips.LPIPS would otherwise download them through torchvision)."""
    missing = [name for name in ("lpips", "torchvision") if importlib.util.find_spec(name) is None]
    if missing:
        raise LookupError(f"needs the {' and '.join(missing)} package(s) (pip install lpips torchvision) and "
                          f"AlexNet's ImageNet weights ({ALEXNET_FILE}) in {torch_hub_checkpoints()}")
    if not (torch_hub_checkpoints() / ALEXNET_FILE).is_file():
        raise LookupError(f"needs AlexNet's ImageNet weights {ALEXNET_FILE} in {torch_hub_checkpoints()} "
                          "(copy them from a machine with network access; nothing is downloaded here)")
    import lpips as lpips_package

    model = lpips_package.LPIPS(net="alex", verbose=False).eval()

    def features(pixels: torch.Tensor) -> list[torch.Tensor]:
        return list(model.net.forward(model.scaling_layer(pixels)))

    weights = [layer.model[-1].weight.detach().flatten() for layer in model.lins]
    return features, weights


def _inception_features() -> FeatureFn:
    if importlib.util.find_spec("pytorch_fid") is None:
        raise LookupError(f"needs the pytorch-fid package (pip install pytorch-fid) and its Inception weights "
                          f"({INCEPTION_FILE}) in {torch_hub_checkpoints()}")
    if not (torch_hub_checkpoints() / INCEPTION_FILE).is_file():
        raise LookupError(f"needs pytorch-fid's Inception weights {INCEPTION_FILE} in {torch_hub_checkpoints()} "
                          "(copy them from a machine with network access; nothing is downloaded here)")
    from pytorch_fid.inception import InceptionV3

    model = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()

    @torch.no_grad()
    def features(images: list[Image.Image]) -> np.ndarray:
        pixels = (to_signed_tensor(images, (299, 299)) + 1) / 2  # pytorch-fid wants [0, 1]
        return model(pixels)[0].squeeze(-1).squeeze(-1).numpy()

    return features


def _clip(wanted: str | None) -> ClipBundle:
    if wanted:
        local = Path(wanted).expanduser()
        if local.is_dir():
            return load_clip(local)
    hub_id = wanted or DEFAULT_CLIP_HUB_ID
    folder = cached_clip_folder(hub_id)
    if folder is None:
        raise LookupError(f"needs CLIP {hub_id} in the local Hugging Face cache (download it on a machine with "
                          "network access, copy the cache, or pass --clip-scorer FOLDER)")
    return load_clip(folder, hub_id)


def discover(clip: str | None = None) -> Scorers:
    """The real networks, where this machine has their weights."""
    scorers = Scorers()
    try:
        scorers.lpips_net, scorers.lpips_weights = _lpips_alex()
        scorers.lpips_name = "lpips-alex"
    except LookupError as exc:
        scorers.unavailable["lpips"] = f"LPIPS {exc}"
    try:
        scorers.clip = _clip(clip)
    except LookupError as exc:
        scorers.unavailable["clip_score"] = f"CLIP score {exc}"
    try:
        scorers.fid_features = _inception_features()
        scorers.fid_name = "inception-v3-pool3"
    except LookupError as exc:
        scorers.unavailable["fid"] = f"FID {exc}"
    return scorers
