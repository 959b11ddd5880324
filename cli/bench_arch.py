"""`likeness bench --arch sd15`: the engine's round against bare diffusers on SD 1.5's real architecture.

Builds the full-size UNet, VAE and CLIP text encoder from their published configs
with random weights (nothing is downloaded), then times in one run the engine's
refinement round (4 candidates, 512², 30-step schedule, strength 0.3, guidance 7.5
by default) against the bare StableDiffusionImg2ImgPipeline call with the same
settings, seeds and parent. Each speed-up is on where the device supports it unless
a flag turns it off, and the JSON says which were on. Prints one JSON object.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

ARCHES = ("sd15",)
STRENGTH, GUIDANCE, GOAL_S = 0.3, 7.5, 0.25
PROMPT = "pencil sketch portrait of a man, thin face, short dark hair, crooked nose"


def arch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `likeness bench` takes for --arch (None = on where the device supports it)."""
    options = [
        click.option("--arch", type=click.Choice(ARCHES), default=None,
                     help="time the engine against bare diffusers on this architecture, random weights"),
        click.option("--device", "arch_device", default="auto", show_default=True, help="with --arch: cpu | cuda"),
        click.option("--fp16/--no-fp16", default=None, help="with --arch: half precision (default: on a GPU)"),
        click.option("--sdpa/--no-sdpa", default=None, help="with --arch: SDPA attention (default: on)"),
        click.option("--channels-last/--no-channels-last", default=None,
                     help="with --arch: channels_last UNet and VAE (default: on a GPU)"),
        click.option("--compile/--no-compile", "compile_unet", default=None,
                     help="with --arch: torch.compile the UNet, warmed before timing (default: on a GPU)"),
        click.option("--batch/--no-batch", default=True, show_default=True,
                     help="with --arch: the candidates as one batch (CFG in the same batch), else one call each"),
        click.option("--vae-batch/--no-vae-batch", default=True, show_default=True,
                     help="with --arch: the VAE decodes the batch in one call, else one image at a time"),
        click.option("--cache-interval", default=1, show_default=True, type=click.IntRange(1, 10),
                     help="with --arch: the engine's step skipper (full UNet every N steps)"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def run_arch_command(size: int, candidates: int, steps: int, rounds: int, options: dict[str, Any]) -> None:
    result = run_arch_bench(options["arch"], size, candidates, steps, rounds, options)
    click.echo(_json(result))


def _json(result: dict[str, Any]) -> str:
    import json

    return json.dumps(result, indent=2)


def run_arch_bench(arch: str, size: int, candidates: int, steps: int, repeats: int,
                   options: dict[str, Any]) -> dict[str, Any]:
    import torch
    from PIL import Image

    from common.spec import GenerationSpec, Mode
    from worker.engine.sd15 import ArchEngine, build_sd15_pipeline
    from worker.engine.speedups import Speedups

    with tempfile.TemporaryDirectory(prefix="likeness-arch-") as scratch:
        started = time.perf_counter()
        pipe = build_sd15_pipeline(Path(scratch) / "tokenizer")
        build_s = time.perf_counter() - started
        chosen = Speedups(fp16=options.get("fp16"), sdpa=options.get("sdpa"),
                          channels_last=options.get("channels_last"), compile=options.get("compile_unet"))
        engine = ArchEngine(pipe, Path(scratch) / "tokenizer", device=options.get("arch_device", "auto"),
                            speedups=chosen)
    if not options.get("vae_batch", True):
        engine.txt2img.vae.enable_slicing()  # one image per decode call
    generator = torch.Generator("cpu").manual_seed(7)
    noise = (torch.rand((size, size, 3), generator=generator) * 255).to(torch.uint8).numpy()
    parent = Image.fromarray(noise, "RGB")
    spec = GenerationSpec(mode=Mode.IMG2IMG, prompt=PROMPT, seeds=list(range(1000, 1000 + candidates)),
                          steps=steps, strength=STRENGTH, guidance=GUIDANCE, width=size, height=size,
                          parent_sha256="0" * 64, preview=False, cache_interval=options.get("cache_interval", 1))
    timed = _Timed(engine, spec, parent, batch=options.get("batch", True))
    warm = timed.warm_up()
    times = timed.interleaved(max(1, repeats))
    engine_s, bare_s = statistics.median(times["engine"]), statistics.median(times["bare"])
    unet_params = sum(p.numel() for p in engine.txt2img.unet.parameters())
    return {
        "arch": arch, "random_weights": True, "device": engine.info["device"],
        "device_name": engine.info["device_name"], "dtype": engine.info["dtype"],
        "candidates": candidates, "size": size, "steps": steps, "denoising_steps": int(steps * STRENGTH),
        "strength": STRENGTH, "guidance": GUIDANCE, "repeats": len(times["engine"]),
        "speedups": {**engine.speedups, "batch_with_cfg": options.get("batch", True),
                     "vae_batch_decode": options.get("vae_batch", True)},
        "cache_interval": spec.cache_interval, "unet_parameters": unet_params,
        "build_s": build_s, "setup_s": engine.setup_s, **warm,
        "engine_round_s": engine_s, "bare_round_s": bare_s, "ratio": engine_s / bare_s,
        "engine_min_s": min(times["engine"]), "bare_min_s": min(times["bare"]),
        "goal_round_s": GOAL_S, "goal_met": engine_s <= GOAL_S and engine.info["device"].startswith("cuda"),
        "engine_times": times["engine"], "bare_times": times["bare"],
    }


class _Timed:
    """The engine's round and the bare call, as one batch or one call per candidate."""

    def __init__(self, engine: Any, spec: Any, parent: Any, batch: bool) -> None:
        self.engine, self.spec, self.parent = engine, spec, parent
        self.specs = [spec] if batch else [spec.model_copy(update={"seeds": [s]}) for s in spec.seeds]

    def engine_round(self) -> None:
        for spec in self.specs:
            self.engine.generate(spec, self.parent, lambda step, total: True)

    def bare_round(self) -> None:
        from worker.engine.bench import bare_call

        for spec in self.specs:
            bare_call(self.engine, spec, self.parent)

    def clocked(self, run: Callable[[], None]) -> float:
        from worker.engine.bench import _timed

        return _timed(self.engine, run)

    def warm_up(self) -> dict[str, float]:
        """The first calls compile (when on) and select kernels; timed apart, as a worker's start-up is."""
        return {"warmup_engine_s": self.clocked(self.engine_round), "warmup_bare_s": self.clocked(self.bare_round)}

    def interleaved(self, repeats: int) -> dict[str, list[float]]:
        times: dict[str, list[float]] = {"engine": [], "bare": []}
        runs = {"engine": self.engine_round, "bare": self.bare_round}
        for i in range(repeats):
            for name in ("engine", "bare") if i % 2 == 0 else ("bare", "engine"):
                times[name].append(self.clocked(runs[name]))
        return times
