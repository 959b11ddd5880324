"""`likeness dataset`, `likeness train` and `likeness evaluate`: datasets of (description,
sketch) pairs, LoRA training into the model registry, and the paper's evaluation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli.progress import Progress, echo_result, json_option, progress


def _migrated() -> None:
    from cli.common import migrate_or_exit

    migrate_or_exit()


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


# --- datasets ----------------------------------------------------------------------------------


@click.group("dataset")
def dataset_group() -> None:
    """Datasets of (description, sketch[, photo]) pairs for training and evaluation."""


@dataset_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", required=True, help="unique name of the dataset")
@click.option("--index", help="the index file (JSONL or CSV) when the folder or ZIP has several")
@click.option("--split-seed", default=None, type=int, help="seed of the train/validation shuffle")
@click.option("--validation", "validation_fraction", default=None, type=float, help="validation fraction (0.2)")
@click.option("--check", is_flag=True, help="only validate every row; store nothing")
@json_option
def dataset_import(path: Path, name: str, index: str | None, split_seed: int | None,
                   validation_fraction: float | None, check: bool, as_json: bool) -> None:
    """Import a folder or ZIP: an index (JSONL or CSV: description, sketch, optional photo and
    attributes) and the images it names. Every row is checked first; any bad row rejects the
    whole import, each problem listed with its line number, and nothing is stored."""
    from app.datasets import service
    from app.datasets.sources import SourceError, open_source
    from app.db import session_factory
    from app.errors import DomainError
    from app.users.actor import system_actor

    _migrated()
    try:
        source, data = open_source(path, index)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    if check:
        rows, errors = service.validate_source(source)
        _report_rows(errors)
        if errors:
            sys.exit(1)
        click.echo(f"{len(rows)} pairs, all usable")
        return
    given = (("split_seed", split_seed), ("validation_fraction", validation_fraction))
    options: dict[str, Any] = {k: v for k, v in given if v is not None}
    with session_factory()() as db, progress("import", None, as_json) as bar:
        try:
            dataset = service.import_dataset(db, system_actor("cli"), name=name, source=source, source_bytes=data,
                                             on_row=lambda done, total: bar.update(done, total), **options)
        except service.DatasetRejectedError as exc:
            _report_rows(exc.errors)
            sys.exit(1)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
    echo_result({"id": dataset.id, "name": dataset.name, "pairs": dataset.pairs, "train": dataset.train_count,
                 "validation": dataset.validation_count, "split_seed": dataset.split_seed,
                 "manifest_sha256": dataset.manifest_sha256}, as_json,
                f"imported {dataset.name} ({dataset.id}): {dataset.pairs} pairs, {dataset.train_count} train / "
                f"{dataset.validation_count} validation (seed {dataset.split_seed}), "
                f"manifest {dataset.manifest_sha256}")


def _report_rows(errors: list[Any]) -> None:
    if errors:
        click.secho(f"dataset rejected, nothing was imported: {len(errors)} problem(s)", fg="red", err=True)
    for error in errors:
        click.echo(str(error), err=True)


@dataset_group.command("list")
def dataset_list() -> None:
    """Every dataset with its split sizes."""
    from app.datasets.schemas import DatasetOut
    from app.datasets.service import list_datasets
    from app.db import session_factory

    _migrated()
    with session_factory()() as db:
        _echo_json([DatasetOut.model_validate(d).model_dump(mode="json") for d in list_datasets(db)])


@dataset_group.command("from-cases")
@click.option("--name", required=True)
def dataset_from_cases(name: str) -> None:
    """A dataset of the approved composites of closed cases an admin released for training."""
    from app.datasets.from_cases import dataset_from_cases as build
    from app.datasets.schemas import DatasetOut
    from app.db import session_factory
    from app.errors import DomainError
    from app.users.actor import system_actor

    _migrated()
    with session_factory()() as db:
        try:
            dataset = build(db, system_actor("cli"), name)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from None
        _echo_json(DatasetOut.model_validate(dataset).model_dump(mode="json"))


# --- training ----------------------------------------------------------------------------------


@click.group("train")
def train_group() -> None:
    """Train adapters into the model registry (usable in sessions at once)."""


def _stepper(bar: Progress) -> Any:
    def on_step(step: int, total: int, loss: float) -> bool:
        bar.update(step, total, loss=loss)
        return True

    return on_step


def _summary(adapter: dict[str, Any]) -> dict[str, Any]:
    metrics = {k: v for k, v in adapter["metrics"].items() if k != "loss_curve"}
    return {**adapter, "metrics": metrics}


@train_group.command("unet-lora")
@click.option("--dataset", required=True, help="dataset name or id (its train split is used)")
@click.option("--rank", default=16, show_default=True)
@click.option("--alpha", type=float, help="LoRA alpha (default 2 × rank)")
@click.option("--targets", default="to_q,to_k,to_v,to_out.0", show_default=True,
              help="comma-separated; add ff.net.0,ff.net.2 for the feed-forward layers")
@click.option("--lr", "learning_rate", default=5e-4, show_default=True)
@click.option("--batch-size", default=4, show_default=True)
@click.option("--epochs", default=10, show_default=True)
@click.option("--resolution", default=512, show_default=True)
@click.option("--mixed-precision", type=click.Choice(["auto", "no", "fp16", "bf16"]), default="auto",
              show_default=True, help="autocast on CUDA; always fp32 on the CPU")
@click.option("--gradient-checkpointing", is_flag=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--name", help="registry name (default: unet-lora-DATASET-rRANK-TIME)")
@click.option("--device", help="default: LIKENESS_DEVICE")
@json_option
def train_unet_lora(dataset: str, rank: int, alpha: float | None, targets: str, learning_rate: float,
                    batch_size: int, epochs: int, resolution: int, mixed_precision: str,
                    gradient_checkpointing: bool, seed: int, name: str | None, device: str | None,
                    as_json: bool) -> None:
    """UNet LoRA with peft (AdamW, betas 0.9/0.999); saved in diffusers' LoRA format."""
    from app.users.actor import system_actor
    from worker.training.runs import run_unet_lora
    from worker.training.unet_lora import UnetLoraConfig

    _migrated()
    try:
        config = UnetLoraConfig(
            rank=rank, alpha=alpha, targets=tuple(t.strip() for t in targets.split(",") if t.strip()),
            learning_rate=learning_rate, batch_size=batch_size, epochs=epochs, resolution=resolution,
            mixed_precision=mixed_precision, gradient_checkpointing=gradient_checkpointing, seed=seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with progress("unet-lora", None, as_json) as bar:
        adapter = _run(lambda: run_unet_lora(dataset, config, name=name, device=device, actor=system_actor("cli"),
                                             on_step=_stepper(bar)))
    echo_result(_summary(adapter), as_json)


@train_group.command("clip-lora")
@click.option("--dataset", required=True, help="dataset name or id (train split trains, validation split scores)")
@click.option("--layers", type=click.Choice(["self", "proj", "both"]), default="both", show_default=True,
              help="self: self-attention q/k/v/out; proj: text/visual projections; both")
@click.option("--rank", default=8, show_default=True)
@click.option("--alpha", type=float, help="LoRA alpha (default 2 × rank)")
@click.option("--lr", "learning_rate", default=5e-4, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--epochs", default=10, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--clip", help="CLIPModel folder or cached hub id (default: openai/clip-vit-large-patch14 from the "
                             "local cache, else a tiny random CLIP)")
@click.option("--name", help="registry name (default: clip-lora-DATASET-LAYERS-rRANK-TIME)")
@click.option("--device", help="default: LIKENESS_DEVICE")
@json_option
def train_clip_lora(dataset: str, layers: str, rank: int, alpha: float | None, learning_rate: float,
                    batch_size: int, epochs: int, seed: int, clip: str | None, name: str | None,
                    device: str | None, as_json: bool) -> None:
    """CLIP LoRA (Model 3): contrastive training on (description, sketch) pairs, retrieval
    top-1/5/25 on the validation split after every epoch."""
    from app.users.actor import system_actor
    from worker.training.clip_lora import ClipLoraConfig
    from worker.training.runs import run_clip_lora

    _migrated()
    try:
        config = ClipLoraConfig(layers=layers, rank=rank, alpha=alpha, learning_rate=learning_rate,
                                batch_size=batch_size, epochs=epochs, seed=seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with progress("clip-lora", None, as_json) as bar:
        adapter = _run(lambda: run_clip_lora(dataset, config, clip=clip, name=name, device=device,
                                             actor=system_actor("cli"), on_step=_stepper(bar)))
    echo_result(_summary(adapter), as_json)


@train_group.command("worker")
@click.option("--name", default="trainer@%h", show_default=True)
def train_worker(name: str) -> None:
    """A worker for the `train` queue (runs started with POST /api/training), one run at a time."""
    import os

    from common.broker import TRAIN_QUEUE

    os.execv(sys.executable, [sys.executable, "-m", "celery", "-A", "worker.training.celery_app", "worker",
                              "--loglevel", "INFO", "--pool", "prefork", "--concurrency", "1",
                              "--queues", TRAIN_QUEUE, "--hostname", name])


def _run(work: Any) -> Any:
    from app.errors import DomainError

    try:
        return work()
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None


# --- evaluation --------------------------------------------------------------------------------


@click.command("evaluate")
@click.option("--dataset", required=True, help="dataset name or id (its validation split is evaluated)")
@click.option("--models", default="img2img,clip-fusion,clip-lora", show_default=True,
              help="comma-separated: img2img, clip-fusion, clip-lora[:ADAPTER name or id]")
@click.option("--rounds", default=5, show_default=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--start", type=click.Choice(["txt2img", "sketch"]), default="txt2img", show_default=True,
              help="txt2img: a candidate drawn from the description; sketch: the ground-truth sketch")
@click.option("--steps", default=30, show_default=True)
@click.option("--strength", default=0.3, show_default=True)
@click.option("--guidance", default=7.5, show_default=True)
@click.option("--size", default=512, show_default=True)
@click.option("--fusion-weight", default=0.5, show_default=True)
@click.option("--seed", default=1234, show_default=True)
@click.option("--limit", type=int, help="at most this many validation pairs")
@click.option("--clip-scorer", help="CLIP for the CLIP score: folder or cached hub id")
@click.option("--no-images", is_flag=True, help="do not write the generated images")
@json_option
def evaluate(dataset: str, models: str, rounds: int, out_dir: Path, start: str, steps: int, strength: float,
             guidance: float, size: int, fusion_weight: float, seed: int, limit: int | None,
             clip_scorer: str | None, no_images: bool, as_json: bool) -> None:
    """Run every validation description through each model for N rounds; write metrics.json,
    report.md and plots to --out."""
    from worker.evaluation.pipeline import run_evaluation
    from worker.evaluation.runner import EvalConfig

    _migrated()
    try:
        config = EvalConfig(rounds=rounds, steps=steps, strength=strength, guidance=guidance, size=size, seed=seed,
                            start=start, fusion_weight=fusion_weight, limit=limit, save_images=not no_images)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with progress("evaluate", None, as_json) as bar:
        files = _run(lambda: run_evaluation(dataset, models, config, out_dir, clip_scorer=clip_scorer,
                                            on_image=lambda done, total, last: bar.update(done, total, **last)))
    echo_result({label: str(path) for label, path in files.items()}, as_json,
                "\n".join(f"{label}: {path}" for label, path in files.items()))
