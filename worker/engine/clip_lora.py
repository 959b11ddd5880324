"""Model 3: a LoRA adapter on CLIP, applied for one job's conditioning and removed after.

The file format (written by worker/training, read here; see ADAPTERS.md) is one
safetensors of peft `get_peft_model_state_dict` output, one tower after another:

    text_model.<path>.lora_A.weight / .lora_B.weight     the text encoder
    vision_model.<path>.lora_A.weight / ...              the image encoder (optional)
    visual_projection.lora_A.weight / ...                the image projection (optional)
    text_projection.lora_A.weight / ...                  CLIP's text projection (optional)

Tolerated: keys with no tower prefix (a bare CLIPTextModel's "encoder.layers…") are the
text encoder's; a file with only one tower; peft's "base_model.model." and diffusers'
"text_encoder." / "image_encoder." wrappers; the adapter name inside keys
("lora_A.default.weight"). Module paths are matched to the loaded models with or
without "text_model." (transformers 5's CLIPTextModel has no such level).

Rank and alpha come from the file's own metadata ("lora_config": JSON {"r", "lora_alpha"},
as worker/training writes it), else AdapterRef.config {"rank", "alpha", "use_rslora"},
else the tensors (rank = lora_A rows, alpha = rank). The target modules are the ones
the file has weights for; config "layers"/"target_modules" only describe them.
AdapterRef.weight scales the adapter (1 = as trained).

Applying wraps the targeted Linear layers in peft LoRA layers; removing puts the very
same original Linear objects back, so the base model's output returns bit for bit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, inject_adapter_in_model, set_peft_model_state_dict
from peft.tuners.tuners_utils import BaseTunerLayer
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn

from common.spec import AdapterRef

ADAPTER = "likeness_clip"
TOWERS = ("text", "vision", "projection")
_WRAPPERS = ("base_model.model.", "text_encoder.", "image_encoder.")
_LORA_KEY = re.compile(r"^(?P<module>.+)\.(?P<part>lora_[AB])(?:\.[^.]+)?\.(?P<param>weight|bias)$")


@dataclass
class ClipAdapter:
    """A clip-lora file split by tower: {tower: {"<module path>.lora_A.weight": tensor}}."""

    sha256: str
    towers: dict[str, dict[str, torch.Tensor]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # the registry's (AdapterRef.config)
    weight: float = 1.0
    file_settings: dict[str, Any] = field(default_factory=dict)  # rank/alpha the file records; they win

    @property
    def settings(self) -> dict[str, Any]:
        return {**self.config, **self.file_settings}

    def has(self, tower: str) -> bool:
        return bool(self.towers.get(tower))


def read_clip_adapter(path: Path, ref: AdapterRef) -> ClipAdapter:
    """Reads and sorts a clip-lora file; ValueError names what is wrong with it."""
    towers: dict[str, dict[str, torch.Tensor]] = {tower: {} for tower in TOWERS}
    for key, tensor in load_file(path).items():
        tower, name = _route(key)
        towers[tower][name] = tensor
    if not any(towers.values()):
        raise ValueError(f"clip adapter {ref.id}: the file holds no LoRA weights (lora_A / lora_B)")
    return ClipAdapter(ref.sha256, towers, dict(ref.config), ref.weight, _file_settings(path))


def _file_settings(path: Path) -> dict[str, Any]:
    """Rank and alpha as the file itself records them (they win over the registry's copy)."""
    with safe_open(path, "pt") as handle:
        raw = (handle.metadata() or {}).get("lora_config")
    if not raw:
        return {}
    saved = json.loads(raw)
    settings = {"rank": saved.get("r"), "alpha": saved.get("lora_alpha"), "use_rslora": saved.get("use_rslora")}
    return {key: value for key, value in settings.items() if value is not None}


def _route(key: str) -> tuple[str, str]:
    name = key
    for wrapper in _WRAPPERS:
        name = name.removeprefix(wrapper)
    match = _LORA_KEY.match(name)
    if match is None:
        raise ValueError(f"clip adapter: {key!r} is not a LoRA weight (expected <module>.lora_A/lora_B.weight)")
    name = f"{match['module']}.{match['part']}.{match['param']}"  # drops an adapter name in the key
    head = name.split(".", 1)[0]
    if head in ("vision_model", "visual_projection"):
        return "vision", name
    if head == "text_projection":
        return "projection", name
    return "text", name


def _resolve(model: nn.Module, weights: dict[str, torch.Tensor], tower: str) -> dict[str, torch.Tensor]:
    """Renames the keys to the loaded model's module paths (with or without "text_model.")."""
    modules = {name for name, _ in model.named_modules()}
    resolved: dict[str, torch.Tensor] = {}
    for key, tensor in weights.items():
        path, _, suffix = key.partition(".lora_")
        candidates = (path, path.removeprefix("text_model."), f"text_model.{path}")
        found = next((c for c in candidates if c in modules), None)
        if found is None:
            raise ValueError(f"clip adapter: the {tower} encoder has no module {path!r}")
        resolved[f"{found}.lora_{suffix}"] = tensor
    return resolved


def _lora_config(weights: dict[str, torch.Tensor], config: dict[str, Any]) -> LoraConfig:
    ranks = {key.partition(".lora_")[0]: t.shape[0] for key, t in weights.items() if ".lora_A." in key}
    rank = int(config.get("rank") or next(iter(ranks.values())))
    alpha = float(config.get("alpha") or rank)
    return LoraConfig(
        r=rank,
        lora_alpha=alpha,
        target_modules=sorted(ranks),
        # Full module paths as patterns: peft matches them as regular expressions.
        rank_pattern={re.escape(path): r for path, r in ranks.items() if r != rank},
        alpha_pattern={},
        use_rslora=bool(config.get("use_rslora", False)),
        lora_dropout=0.0,
    )


@dataclass
class _Applied:
    model: nn.Module
    requires_grad: dict[str, bool]
    had_peft_config: bool


def _apply(model: nn.Module, weights: dict[str, torch.Tensor], adapter: ClipAdapter, tower: str) -> _Applied:
    weights = _resolve(model, weights, tower)
    state = _Applied(model, {n: p.requires_grad for n, p in model.named_parameters()}, hasattr(model, "peft_config"))
    inject_adapter_in_model(_lora_config(weights, adapter.settings), model, adapter_name=ADAPTER)
    result = set_peft_model_state_dict(model, weights, adapter_name=ADAPTER)
    unexpected = [k for k in getattr(result, "unexpected_keys", []) if "lora_" in k]
    if unexpected:
        _remove(state)
        raise ValueError(f"clip adapter: {len(unexpected)} weight(s) did not fit the {tower} encoder, "
                         f"e.g. {unexpected[0]!r}")
    if adapter.weight != 1.0:
        for module in model.modules():
            if isinstance(module, BaseTunerLayer):
                module.set_scale(ADAPTER, adapter.weight)
    return state


def _remove(state: _Applied) -> None:
    """Puts every original layer back in place of its LoRA wrapper, as it was before."""
    model = state.model
    wrapped = [(name, module) for name, module in model.named_modules() if isinstance(module, BaseTunerLayer)]
    for name, module in wrapped:
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent) if parent else model, attr, module.get_base_layer())
    for name, param in model.named_parameters():
        param.requires_grad_(state.requires_grad.get(name, param.requires_grad))
    if not state.had_peft_config and hasattr(model, "peft_config"):
        del model.peft_config


@contextmanager
def clip_adapter_applied(adapter: ClipAdapter | None, models: dict[str, nn.Module | None]) -> Iterator[None]:
    """The adapter on each tower it has weights for (and that is loaded), for the block's duration."""
    applied: list[_Applied] = []
    try:
        if adapter is not None:
            for tower, model in models.items():
                if model is not None and adapter.has(tower):
                    applied.append(_apply(model, adapter.towers[tower], adapter, tower))
        yield
    finally:
        for state in reversed(applied):
            _remove(state)
