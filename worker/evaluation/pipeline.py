"""`likeness evaluate`: a dataset's validation split through each model, scored, reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.images.service import blob_store
from common.models import resolve_model
from common.settings import get_settings
from worker.engine import Engine
from worker.evaluation.rank_study import rank_study
from worker.evaluation.report import write_all
from worker.evaluation.runner import EvalConfig, GeneratingEngine, evaluate, parse_models
from worker.evaluation.scorers import Scorers, discover
from worker.training.pairs import split
from worker.training.store import find_adapter, load_pairs, trained_adapters


def run_evaluation(dataset: str, models: str, config: EvalConfig, out_dir: Path, *, clip_scorer: str | None = None,
                   engine: GeneratingEngine | None = None, scorers: Scorers | None = None,
                   on_image: Callable[[int, int, dict[str, Any]], None] | None = None) -> dict[str, Path]:
    """Writes metrics.json, report.md and the plots into `out_dir`; returns their paths."""
    info, pairs = load_pairs(dataset)
    validation = split(pairs, "validation")[: config.limit] if config.limit else split(pairs, "validation")
    chosen = parse_models(models, lambda ref: find_adapter(ref, "clip-lora"))
    scorers = scorers if scorers is not None else discover(clip_scorer)
    engine = engine if engine is not None else _engine()
    document: dict[str, Any] = evaluate(engine, validation, chosen, config, scorers, out_dir, on_image)
    document["training_runs"] = rank_study(engine, trained_adapters(), validation, scorers, config)
    document.update(dataset=info.as_dict(), engine=dict(engine.info), unavailable_metrics=dict(scorers.unavailable),
                    scorers={"lpips": scorers.lpips_name or None, "clip": scorers.clip.name if scorers.clip else None,
                             "fid": scorers.fid_name or None})
    return write_all(out_dir, document)


def _engine() -> Engine:
    """The engine as a worker builds it, able to read adapters from the blob store."""
    settings = get_settings()
    return Engine(resolve_model(settings), device=settings.device, dtype=settings.dtype,
                  blob_path=blob_store().path_for)
