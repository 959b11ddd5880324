"""What the engine costs over calling diffusers directly, measured in one run.

The bare call gets the same pipeline, parameters and seeds, but diffusers' own
prompt encoding. Repeats are interleaved, alternating which goes first, so drift
in clock speed or temperature lands on both sides alike.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import torch
from PIL import Image

from common.spec import GenerationSpec, Mode
from worker.engine.engine import Engine


def _sync(engine: Engine) -> None:
    if engine.device.type == "cuda":
        torch.cuda.synchronize(engine.device)


def _timed(engine: Engine, run: Any) -> float:
    _sync(engine)
    start = time.perf_counter()
    run()
    _sync(engine)
    return time.perf_counter() - start


def bare_call(engine: Engine, spec: GenerationSpec, parent: Image.Image | None) -> list[Image.Image]:
    """The plain diffusers call with the spec's parameters (prompt strings, no chunking)."""
    kwargs: dict[str, Any] = {
        "prompt": spec.prompt,
        "negative_prompt": spec.negative_prompt,
        "num_inference_steps": spec.steps,
        "guidance_scale": spec.guidance,
        "num_images_per_prompt": len(spec.seeds),
        "generator": [torch.Generator("cpu").manual_seed(s) for s in spec.seeds],
    }
    if spec.mode is Mode.IMG2IMG:
        assert parent is not None, "img2img needs a parent image"
        return engine.img2img(image=parent, strength=spec.strength, **kwargs).images
    return engine.txt2img(height=spec.height, width=spec.width, **kwargs).images


def bench_round(
    engine: Engine, spec: GenerationSpec, parent: Image.Image | None, repeats: int
) -> dict[str, Any]:
    """Median (and fastest) seconds of engine.generate and of the bare call, and their ratios.

    Aim: ratio <= 1.05. Both sides run on the same pipelines, so only the engine's own work
    (chunked prompt encoding, the step callback, recipes) separates them.
    """
    if parent is not None:
        # Resized once, outside the clock, for both sides (the engine's resize is then a no-op).
        parent = parent.convert("RGB").resize((spec.width, spec.height), Image.Resampling.LANCZOS)
    on_step = lambda step, total: True  # noqa: E731 - the engine's callback path is part of the cost
    runs = {
        "engine": lambda: engine.generate(spec, parent, on_step),
        "bare": lambda: bare_call(engine, spec, parent),
    }
    for run in runs.values():  # warm-up: first-call allocations and kernel selection
        run()
    times: dict[str, list[float]] = {"engine": [], "bare": []}
    for i in range(repeats):
        order = ("engine", "bare") if i % 2 == 0 else ("bare", "engine")
        for name in order:
            times[name].append(_timed(engine, runs[name]))
    engine_s, bare_s = statistics.median(times["engine"]), statistics.median(times["bare"])
    return {
        "mode": spec.mode.value,
        "candidates": len(spec.seeds),
        "size": [spec.width, spec.height],
        "steps": spec.steps,
        "repeats": repeats,
        "device": engine.info["device"],
        "engine_s": engine_s,
        "bare_s": bare_s,
        "ratio": engine_s / bare_s,
        # Fastest of each: the least disturbed by other work on a shared machine.
        "engine_min_s": min(times["engine"]),
        "bare_min_s": min(times["bare"]),
        "min_ratio": min(times["engine"]) / min(times["bare"]),
        "engine_times": times["engine"],
        "bare_times": times["bare"],
    }
