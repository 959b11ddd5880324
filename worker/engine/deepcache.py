"""A DeepCache-style step skipper: the UNet's deep features, reused for N - 1 steps.

Adjacent denoising steps change the UNet's deep (low-resolution) features little.
Every `interval`-th step runs the whole UNet and keeps what enters its last up
block; the steps in between run only the shallow branch (time embedding, conv_in,
the first down block, the last up block, conv_out) on that kept feature. With
classifier-free guidance the kept feature carries the whole doubled batch, so the
candidates and both guidance halves stay in one call.

Off by default (interval 1). It is pure, deterministic arithmetic: on the same
device class the same spec redraws the same bytes, so /verify stays exact. It
trades likeness detail for speed (DeepCache reports ~2.3x at a 0.05 CLIP-score
loss on SD 1.5 at interval 3), which is why the artist opts in per session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from diffusers import UNet2DConditionModel
from diffusers.models.unets.unet_2d_condition import UNet2DConditionOutput


class _FeatureCache:
    def __init__(self, unet: UNet2DConditionModel, interval: int) -> None:
        self.unet, self.interval = unet, interval
        self.calls = 0
        self.deep: torch.Tensor | None = None
        self.full = type(unet).forward.__get__(unet)  # the plain forward, never a compiled one

    def keep(self, _module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.deep = kwargs["hidden_states"] if "hidden_states" in kwargs else args[0]

    def forward(self, sample: torch.Tensor, timestep: Any, encoder_hidden_states: torch.Tensor,
                *args: Any, **kwargs: Any) -> Any:
        step, self.calls = self.calls, self.calls + 1
        cached = self.deep is not None and self.deep.shape[0] == sample.shape[0]
        if step % self.interval == 0 or not cached:
            return self.full(sample, timestep, encoder_hidden_states, *args, **kwargs)
        out = self.shallow(sample, timestep, encoder_hidden_states, kwargs.get("cross_attention_kwargs"))
        return UNet2DConditionOutput(sample=out) if kwargs.get("return_dict", True) else (out,)

    def shallow(self, sample: torch.Tensor, timestep: Any, context: torch.Tensor,
                attention_kwargs: dict[str, Any] | None) -> torch.Tensor:
        """The UNet's outer ring only, on the deep feature kept at the last full step."""
        unet = self.unet
        emb = unet.time_embedding(unet.get_time_embed(sample=sample, timestep=timestep), None)
        hidden = unet.conv_in(sample)
        first = unet.down_blocks[0]
        if getattr(first, "has_cross_attention", False):
            _, skips = first(hidden_states=hidden, temb=emb, encoder_hidden_states=context,
                             cross_attention_kwargs=attention_kwargs)
        else:
            _, skips = first(hidden_states=hidden, temb=emb)
        last = unet.up_blocks[-1]
        # What the full forward hands the last up block: conv_in's output and the first block's resnets.
        residuals = ((hidden, *skips))[: len(last.resnets)]
        if getattr(last, "has_cross_attention", False):
            out = last(hidden_states=self.deep, temb=emb, res_hidden_states_tuple=residuals,
                       encoder_hidden_states=context, cross_attention_kwargs=attention_kwargs)
        else:
            out = last(hidden_states=self.deep, temb=emb, res_hidden_states_tuple=residuals)
        if unet.conv_norm_out is not None:
            out = unet.conv_act(unet.conv_norm_out(out))
        return unet.conv_out(out)


@contextlib.contextmanager
def feature_cache(unet: UNet2DConditionModel, interval: int) -> Iterator[None]:
    """For one pipeline call: the full UNet on steps 0, N, 2N, ..., the shallow branch between."""
    if interval <= 1:
        yield
        return
    cache = _FeatureCache(unet, interval)
    hook = unet.up_blocks[-1].register_forward_pre_hook(cache.keep, with_kwargs=True)
    compiled = unet._compiled_call_impl  # a compiled UNet would trace the switch; this round runs eager
    unet._compiled_call_impl = None
    unet.forward = cache.forward
    try:
        yield
    finally:
        del unet.forward
        unet._compiled_call_impl = compiled
        hook.remove()
