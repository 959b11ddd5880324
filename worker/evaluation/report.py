"""metrics.json, report.md and the plots of an evaluation run.

PSNR of identical images is infinite: JSON has no infinity, so it is written as the
string "inf" (and NaN as null), with a note saying so in the document itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display: set before pyplot is imported
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from worker.evaluation.runner import METRICS, START

NOTES = [
    "psnr: the string \"inf\" means identical images (mean squared error 0); a round's mean is \"inf\" "
    "when any of its images is identical to its reference.",
    "ssim, psnr, fsim: on luminance (0-255), the generated image resized to the reference sketch's size.",
    "fsim: Zhang et al. 2011, grey-level FSIM (not FSIMc); phase congruency as the authors' reference code "
    "(Kovesi's phasecong2, 4 scales x 4 orientations), Scharr gradient magnitude, T1 = 0.85, T2 = 160.",
    "lpips: lower is closer; clip_score: 100 * max(cos(image, description), 0); identity_similarity: dlib face "
    "embedding similarity to the ground-truth sketch (0.5 = same-person threshold), over images where both faces "
    "were found (n of `of`).",
    "round 0 is the starting image shared by all models; rounds 1.. are img2img refinements with the "
    "description fed back as the feedback.",
]
LABELS = {"ssim": "SSIM ↑", "psnr": "PSNR (dB) ↑", "fsim": "FSIM ↑", "lpips": "LPIPS ↓", "clip_score": "CLIP score ↑",
          "identity_similarity": "Identity ↑", "fid": "FID ↓"}


def jsonable(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(jsonable({**document, "notes": NOTES}), indent=2, allow_nan=False) + "\n")


# --- markdown ------------------------------------------------------------------------------------


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        if "unavailable" in value:
            return "n/a"
        mean, std = value.get("mean"), value.get("std")
        if mean is None:
            return f"— (0/{value['of']})" if value.get("of") else "—"
        if isinstance(mean, float) and math.isinf(mean):
            return "∞"
        return f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std else "")
    if isinstance(value, float):
        return "∞" if math.isinf(value) else f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def _final_table(models: dict[str, Any]) -> list[str]:
    rows = []
    for key, result in models.items():
        if "rounds" not in result:
            reason = result.get("unavailable") or result.get("error")
            rows.append([key, *["n/a"] * (len(METRICS) + 1), f"unavailable: {reason}"])
            continue
        last = result["rounds"][-1]
        rows.append([key, *[_number(last[name]) for name in (*METRICS, "fid")], f"round {last['round']}"])
    return _table(["Model", *[LABELS[n] for n in (*METRICS, "fid")], "Note"], rows)


def _round_tables(models: dict[str, Any]) -> list[str]:
    lines = []
    for key, result in models.items():
        if "rounds" not in result:
            continue
        lines += ["", f"#### {key}", ""]
        rows = [[str(r["round"]), *[_number(r[name]) for name in (*METRICS, "fid")]] for r in result["rounds"]]
        lines += _table(["Round", *[LABELS[n] for n in (*METRICS, "fid")]], rows)
    return lines


def _mib(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value / 2**20:.1f} MiB" if value >= 2**20 else f"{value / 1024:.1f} KiB"


def _training_tables(runs: list[dict[str, Any]]) -> list[str]:
    unet = [r for r in runs if r["kind"] == "unet-lora"]
    clip = [r for r in runs if r["kind"] == "clip-lora"]
    lines = ["", "### UNet LoRA training runs (rank study, as seed 004)", ""]
    lines += _table(["Adapter", "Rank", "Alpha", "Epochs", "Runtime (s)", "Peak memory", "Adapter size", "Final loss",
                     "CLIP score"],
                    [[r["name"], str(r["rank"]), _number(r["alpha"], 0), str(r["epochs"]), _number(r["runtime_s"], 1),
                      _mib(r["peak_memory_bytes"]), _mib(r["adapter_size_bytes"]), _number(r["final_loss"], 4),
                      _number(r["clip_score"], 2)] for r in unet]) if unet else ["No UNet LoRA training runs."]
    lines += ["", "### CLIP LoRA training runs (Model 3 ablation)", ""]
    top = "text_to_image"
    lines += _table(["Adapter", "Layers", "Rank", "Runtime (s)", "Adapter size", "Final loss",
                     "Top-1 before → after", "Top-5 before → after", "Top-25 before → after", "Chance top-1"],
                    [[r["name"], str(r["layers"]), str(r["rank"]), _number(r["runtime_s"], 1),
                      _mib(r["adapter_size_bytes"]), _number(r["final_loss"], 4),
                      *[f"{r['retrieval_before'][top][k]:.3f} → {r['retrieval_after'][top][k]:.3f}"
                        for k in ("top1", "top5", "top25")],
                      f"{r['retrieval_after']['chance']['top1']:.3f}"] for r in clip]) if clip else \
        ["No CLIP LoRA training runs."]
    unavailable = {r["name"]: r["clip_score"]["unavailable"] for r in unet
                   if isinstance(r.get("clip_score"), dict) and "unavailable" in r["clip_score"]}
    if unavailable:
        lines += ["", "CLIP score unavailable: " + "; ".join(f"{k}: {v}" for k, v in unavailable.items())]
    return lines


def write_markdown(path: Path, document: dict[str, Any]) -> None:
    models, engine = document["models"], document.get("engine", {})
    config, dataset = document["config"], document.get("dataset", {})
    lines = ["# Evaluation report", "",
             f"Dataset: {dataset.get('name', '—')} (validation split, {document['pairs']} pairs). "
             f"Model: {engine.get('name', '—')} on {engine.get('device', '—')}. Rounds: {config['rounds']}, "
             f"strength {config['strength']}, guidance {config['guidance']}, {config['steps']} steps, "
             f"{config['size']} px, start: {config['start']}."]
    if engine.get("random_weights"):
        lines += ["", "**The base model has random weights (the tiny test model): images are noise and these numbers "
                      "say nothing about sketch quality.**"]
    lines += ["", "## Final round, per model (as the paper's table)", "", *_final_table(models),
              "", "## Per round", *_round_tables(models),
              "", "## Training runs", *_training_tables(document["training_runs"])]
    unavailable = document.get("unavailable_metrics", {})
    if unavailable:
        lines += ["", "## Unavailable metrics", "", *[f"- **{k}**: {v}" for k, v in unavailable.items()]]
    lines += ["", "## Plots", "", "![metrics per round](metric_vs_round.png)", "",
              "![training loss](training_loss.png)", "", "## Notes", "", *[f"- {n}" for n in NOTES], ""]
    path.write_text("\n".join(lines))


# --- plots ---------------------------------------------------------------------------------------


def plot_rounds(path: Path, models: dict[str, Any]) -> None:
    names = (*METRICS,)
    figure, axes = plt.subplots(2, 3, figsize=(13, 7))
    for axis, name in zip(axes.flat, names, strict=True):
        for key, result in models.items():
            if key == START or "rounds" not in result:
                continue
            start = models[START]["rounds"][0][name]["mean"]
            points = [(0, start), *((r["round"], r[name]["mean"]) for r in result["rounds"])]
            points = [(x, y) for x, y in points if y is not None and math.isfinite(y)]
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=key)
        axis.set_title(LABELS[name])
        axis.set_xlabel("round")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        if axis.has_data():
            axis.legend(fontsize=8)
        else:
            axis.text(0.5, 0.5, "not measured", ha="center", va="center", transform=axis.transAxes)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _smooth(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot_losses(path: Path, runs: list[dict[str, Any]]) -> None:
    figure, axis = plt.subplots(figsize=(8, 5))
    for run in runs:
        curve = run.get("loss_curve") or []
        if curve:
            axis.plot(_smooth(curve, max(1, len(curve) // 20)), label=f"{run['name']} ({run['kind']})")
    axis.set_xlabel("step")
    axis.set_ylabel("training loss (moving average)")
    if axis.has_data():
        axis.legend(fontsize=8)
    else:
        axis.text(0.5, 0.5, "no training runs in the registry", ha="center", va="center", transform=axis.transAxes)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_all(out_dir: Path, document: dict[str, Any]) -> dict[str, Path]:
    files = {"metrics": out_dir / "metrics.json", "report": out_dir / "report.md",
             "rounds_plot": out_dir / "metric_vs_round.png", "loss_plot": out_dir / "training_loss.png"}
    write_json(files["metrics"], document)
    write_markdown(files["report"], document)
    plot_rounds(files["rounds_plot"], document["models"])
    plot_losses(files["loss_plot"], document["training_runs"])
    return files
