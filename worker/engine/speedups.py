"""Speed-ups that change how the pipeline runs, not what a round asks for.

Each is on only where the device supports it; `apply_speedups` returns what it
switched on, for the engine's info and the bench's figures. None of them changes
the record on a CPU run, but on a GPU fp16, compiled kernels, SDPA's backend choice
and channels_last each pick other kernels, so an image drawn with them is redrawn
exactly only by a worker of the same device class with the same speed-ups
(docs/benchmarks.md, "Exact reproduction").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
from diffusers import DiffusionPipeline
from diffusers.models.attention_processor import AttnProcessor, AttnProcessor2_0


@dataclass(frozen=True)
class Speedups:
    """What to switch on; None means "on where the device supports it"."""

    fp16: bool | None = None
    sdpa: bool | None = None
    channels_last: bool | None = None
    compile: bool | None = None

    def resolved(self, device: torch.device) -> Speedups:
        cuda = device.type == "cuda"
        return Speedups(
            # CPU kernels in half precision are slow or missing; fp16 is a GPU speed-up.
            fp16=_choose(self.fp16, cuda, cuda),
            sdpa=_choose(self.sdpa, True, hasattr(torch.nn.functional, "scaled_dot_product_attention")),
            channels_last=_choose(self.channels_last, cuda, True),
            # Inductor compiles for minutes on a CPU: on only when asked there.
            compile=_choose(self.compile, cuda, True),
        )


def _choose(asked: bool | None, default: bool, supported: bool) -> bool:
    return supported and (default if asked is None else asked)


def apply_speedups(pipe: DiffusionPipeline, chosen: Speedups) -> dict[str, Any]:
    """Applies the resolved choice to the pipeline's modules in place; returns it as a dict."""
    processor = AttnProcessor2_0() if chosen.sdpa else AttnProcessor()
    pipe.unet.set_attn_processor(processor)
    pipe.vae.set_attn_processor(AttnProcessor2_0() if chosen.sdpa else AttnProcessor())
    if chosen.channels_last:
        pipe.unet.to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
    if chosen.compile:
        # In place (nn.Module.compile): the pipelines keep calling the same module. The
        # first call at a new shape compiles; the worker makes that call while warming up.
        pipe.unet.compile()
    return asdict(chosen)


def recipe_entry(applied: dict[str, Any]) -> dict[str, Any] | None:
    """What the recipe records: only speed-ups off their plain default (SDPA on, the rest off).
    Plain runs keep the recipe they always had, so older images still verify byte for byte."""
    plain = {"sdpa": True, "channels_last": False, "compile": False}
    changed = {k: applied[k] for k in plain if applied.get(k, plain[k]) != plain[k]}
    return changed or None
