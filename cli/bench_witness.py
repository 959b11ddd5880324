"""`likeness bench witness`: does the search converge on a hidden face? (worker/evaluation/simulated_witness.py)

Drives the engine directly in this process (no API, no queue) with the model in use, at a small size.
Prints one JSON object; writes a PNG of the curves."""

from __future__ import annotations

import json
from pathlib import Path

import click

from common.evolution import MAX_ARRAY, MAX_PICKS


@click.command("witness")
@click.option("--trials", default=20, show_default=True, help="hidden targets, one simulated witness each")
@click.option("--rounds", default=5, show_default=True, help="rounds per method (the first array is shared)")
@click.option("--array", default=9, show_default=True, type=click.IntRange(2, MAX_ARRAY), help="faces a round")
@click.option("--picks", default=3, show_default=True, type=click.IntRange(1, MAX_PICKS), help="evolve: picks")
@click.option("--size", default=64, show_default=True, help="image width and height")
@click.option("--steps", default=4, show_default=True, help="scheduler steps")
@click.option("--memory-noise", default=0.15, show_default=True,
              help="log-normal sigma of the witness's perceived distances")
@click.option("--seed", default=0, show_default=True)
@click.option("--plot", "plot_path", default="witness-bench.png", show_default=True, type=click.Path(dir_okay=False))
@click.option("--device", default=None, help="cpu, cuda, auto (default: the settings')")
def witness(trials: int, rounds: int, array: int, picks: int, size: int, steps: int, memory_noise: float, seed: int,
            plot_path: str, device: str | None) -> None:
    """Simulated witnesses search for a hidden face: Model 1's loop, evolve, evolve with the scales."""
    from common.models import resolve_model
    from common.settings import get_settings
    from worker.engine import Engine
    from worker.evaluation.simulated_witness import WitnessConfig, plot, run_witness_bench

    settings = get_settings()
    engine = Engine(resolve_model(settings), device=device or settings.device, dtype=settings.dtype)
    config = WitnessConfig(trials=trials, rounds=rounds, array=array, picks=picks, size=size, steps=steps,
                           memory_noise=memory_noise, seed=seed)
    result = run_witness_bench(engine, config, progress=lambda n: click.echo(f"trial {n}/{trials}", err=True))
    Path(plot_path).parent.mkdir(parents=True, exist_ok=True)
    plot(result, plot_path)
    result["plot"] = plot_path
    click.echo(json.dumps(result, indent=2))
