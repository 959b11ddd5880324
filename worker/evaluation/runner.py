"""The evaluation protocol of the seed paper, run through the real engine.

For every validation pair: a starting image (a txt2img candidate from the description,
or the ground-truth sketch itself as the paper's "initial sketch"), then `rounds`
refinement rounds per model, each an img2img pass from the previous round's image with
the description fed back as the witness's feedback. Every image is scored against the
pair's ground-truth sketch. A model the engine cannot draw yet is recorded as
{"unavailable": reason}, never approximated by another model.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from PIL import Image

from common.faces import identity_embedding, identity_similarity
from common.prompt import NEGATIVE_PROMPT, build_prompt, refine_prompt
from common.recipe import sha256_hex
from common.spec import AdapterRef, GenerationSpec, Mode, Strategy
from worker.evaluation import metrics as m
from worker.evaluation.scorers import Scorers
from worker.training.clip import embed_images, embed_texts
from worker.training.pairs import Pair, square

log = logging.getLogger(__name__)
METRICS = ("ssim", "psnr", "fsim", "lpips", "clip_score", "identity_similarity")
START = "start"


class GeneratingEngine(Protocol):
    info: dict[str, Any]

    def generate(self, spec: GenerationSpec, parent: Image.Image | None = None,
                 on_step: Any = None) -> list[Any]: ...


@dataclass(frozen=True)
class EvalConfig:
    rounds: int = 5
    steps: int = 30
    strength: float = 0.3
    guidance: float = 7.5
    size: int = 512
    seed: int = 1234
    start: str = "txt2img"  # txt2img | sketch
    fusion_weight: float = 0.5
    limit: int | None = None  # at most this many validation pairs
    save_images: bool = True

    def __post_init__(self) -> None:
        if self.start not in ("txt2img", "sketch"):
            raise ValueError("start must be txt2img or sketch")
        if self.rounds < 1:
            raise ValueError("rounds must be at least 1")
        if int(self.steps * self.strength) < 1:
            raise ValueError(f"strength {self.strength} of {self.steps} steps leaves no refinement step to run")


@dataclass(frozen=True)
class EvalModel:
    key: str  # as the user named it: img2img, clip-fusion, clip-lora[:ADAPTER]
    strategy: Strategy
    clip_adapter: AdapterRef | None = None
    unavailable: str | None = None


def parse_models(text: str, find_clip_adapter: Callable[[str], dict[str, Any] | None]) -> list[EvalModel]:
    """`img2img,clip-fusion,clip-lora:NAME` → models; a clip-lora without an adapter in the
    registry is kept, marked unavailable."""
    models = []
    for raw in (t.strip() for t in text.split(",")):
        if not raw:
            continue
        name, _, ref = raw.partition(":")
        try:
            strategy = Strategy(name)
        except ValueError:
            raise ValueError(f"unknown model {name!r}; choose from {', '.join(s.value for s in Strategy)}") from None
        if strategy is not Strategy.CLIP_LORA:
            models.append(EvalModel(raw, strategy))
            continue
        adapter = find_clip_adapter(ref)
        if adapter is None:
            why = f"no clip-lora adapter {ref!r} in the registry" if ref else \
                "no clip-lora adapter in the registry; train one with `likeness train clip-lora`"
            models.append(EvalModel(raw, strategy, unavailable=why))
            continue
        ref_obj = AdapterRef(id=adapter["id"], sha256=adapter["sha256"], config=adapter["config"])
        models.append(EvalModel(raw, strategy, clip_adapter=ref_obj))
    if not models:
        raise ValueError("no models to evaluate")
    return models


# --- drawing -------------------------------------------------------------------------------------


def _png_sha(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return sha256_hex(buffer.getvalue())


def _seed(config: EvalConfig, pair_index: int, round_: int) -> int:
    # The same seed for every model at a given pair and round: models differ, noise does not.
    return config.seed + 1000 * pair_index + round_


def start_image(engine: GeneratingEngine, pair: Pair, index: int, config: EvalConfig) -> Image.Image:
    if config.start == "sketch":
        return square(pair.sketch, config.size)
    spec = GenerationSpec(mode=Mode.TXT2IMG, prompt=build_prompt(pair.description, pair.attributes),
                          negative_prompt=NEGATIVE_PROMPT, seeds=[_seed(config, index, 0)], steps=config.steps,
                          guidance=config.guidance, width=config.size, height=config.size)
    return engine.generate(spec)[0].image


def refine(engine: GeneratingEngine, model: EvalModel, pair: Pair, parent: Image.Image, index: int, round_: int,
           config: EvalConfig) -> Image.Image:
    prompt = refine_prompt(build_prompt(pair.description, pair.attributes), pair.description)
    fusion = 0.0 if model.strategy is Strategy.IMG2IMG else config.fusion_weight
    spec = GenerationSpec(mode=Mode.IMG2IMG, strategy=model.strategy, prompt=prompt, negative_prompt=NEGATIVE_PROMPT,
                          seeds=[_seed(config, index, round_)], steps=config.steps, guidance=config.guidance,
                          strength=config.strength, width=config.size, height=config.size,
                          parent_sha256=_png_sha(parent), fusion_weight=fusion, clip_adapter=model.clip_adapter)
    return engine.generate(spec, parent)[0].image


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class Reference:
    """What every generated image of one pair is compared with, computed once."""

    sketch: Image.Image
    identity: np.ndarray | None
    text_embedding: torch.Tensor | None


def references(pairs: list[Pair], scorers: Scorers, size: int) -> list[Reference]:
    sketches = [square(p.sketch, size) for p in pairs]
    texts = embed_texts(scorers.clip, [p.description for p in pairs]) if scorers.clip else [None] * len(pairs)
    return [Reference(s, identity_embedding(s), t) for s, t in zip(sketches, texts, strict=True)]


def score(image: Image.Image, ref: Reference, scorers: Scorers) -> dict[str, float | None]:
    values: dict[str, float | None] = {
        "ssim": m.ssim(image, ref.sketch), "psnr": m.psnr(image, ref.sketch), "fsim": m.fsim(image, ref.sketch),
        "lpips": m.lpips(image, ref.sketch, scorers.lpips_net, scorers.lpips_weights) if scorers.lpips_net else None,
        "clip_score": None, "identity_similarity": identity_similarity(identity_embedding(image), ref.identity),
    }
    if scorers.clip is not None and ref.text_embedding is not None:
        values["clip_score"] = m.clip_score(embed_images(scorers.clip, [image])[0], ref.text_embedding)
    return values


def summarise(values: list[float | None]) -> dict[str, Any]:
    """Mean, standard deviation and count of the values that exist (None: not measurable)."""
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "std": None, "n": 0, "of": len(values)}
    if any(math.isinf(v) for v in present):
        return {"mean": math.inf, "std": None, "n": len(present), "of": len(values)}
    return {"mean": float(np.mean(present)), "std": float(np.std(present)), "n": len(present), "of": len(values)}


@dataclass
class Scored:
    model: str
    round: int
    pair: int
    image: Image.Image
    values: dict[str, float | None]
    sha256: str = ""


@dataclass
class Run:
    config: EvalConfig
    scorers: Scorers
    refs: list[Reference]
    out_dir: Path
    records: list[Scored] = field(default_factory=list)
    # Progress for whoever watches (the CLI's bar): (images scored, images in all, the last scores).
    on_image: Callable[[int, int, dict[str, Any]], None] | None = None
    total: int = 0

    def add(self, model: str, round_: int, pair: int, image: Image.Image) -> None:
        record = Scored(model, round_, pair, image, score(image, self.refs[pair], self.scorers), _png_sha(image))
        self.records.append(record)
        if self.on_image is not None:
            last = {"model": model, "round": round_, "ssim": record.values["ssim"]}
            self.on_image(len(self.records), self.total, last)
        if self.config.save_images:
            folder = self.out_dir / "images" / re.sub(r"[^A-Za-z0-9_.-]+", "_", model)
            folder.mkdir(parents=True, exist_ok=True)
            image.save(folder / f"pair{pair:03d}_round{round_}.png")

    def rounds_of(self, model: str) -> list[dict[str, Any]]:
        rounds = sorted({r.round for r in self.records if r.model == model})
        return [{"round": n, **{name: summarise([r.values[name] for r in self.records
                                                  if r.model == model and r.round == n]) for name in METRICS}}
                for n in rounds]


def _draw_model(engine: GeneratingEngine, model: EvalModel, pairs: list[Pair], starts: list[Image.Image],
                run: Run) -> dict[str, Any]:
    if model.unavailable:
        return {"unavailable": model.unavailable}
    try:
        for index, pair in enumerate(pairs):
            current = starts[index]
            for round_ in range(1, run.config.rounds + 1):
                current = refine(engine, model, pair, current, index, round_, run.config)
                run.add(model.key, round_, index, current)
    except NotImplementedError as exc:
        run.records = [r for r in run.records if r.model != model.key]
        return {"unavailable": f"the engine cannot draw it yet: {exc}"}
    except Exception as exc:
        log.exception("evaluating %s failed", model.key)
        run.records = [r for r in run.records if r.model != model.key]
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"strategy": model.strategy.value, "clip_adapter": model.clip_adapter.id if model.clip_adapter else None,
            "rounds": run.rounds_of(model.key)}


def _fid(run: Run, model: str, round_: int) -> dict[str, Any] | float:
    if run.scorers.fid_features is None:
        return {"unavailable": run.scorers.unavailable.get("fid", "no FID feature network")}
    images = [r.image for r in run.records if r.model == model and r.round == round_]
    if len(images) < m.FID_MIN_IMAGES:
        return {"unavailable": f"need ≥ {m.FID_MIN_IMAGES} images, the evaluated split has {len(images)}"}
    return m.fid_from_features(run.scorers.fid_features(images),
                               run.scorers.fid_features([ref.sketch for ref in run.refs]))


def evaluate(engine: GeneratingEngine, pairs: list[Pair], models: list[EvalModel], config: EvalConfig,
             scorers: Scorers, out_dir: Path,
             on_image: Callable[[int, int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Draws and scores every pair for every model and round; returns the metrics document."""
    pairs = pairs[: config.limit] if config.limit else pairs
    if not pairs:
        raise ValueError("no validation pairs to evaluate")
    out_dir.mkdir(parents=True, exist_ok=True)
    run = Run(config, scorers, references(pairs, scorers, config.size), out_dir, on_image=on_image,
              total=len(pairs) * (1 + len(models) * config.rounds))
    starts = [start_image(engine, pair, i, config) for i, pair in enumerate(pairs)]
    for index, image in enumerate(starts):
        run.add(START, 0, index, image)
    results: dict[str, dict[str, Any]] = {START: {"source": config.start, "rounds": run.rounds_of(START)}}
    for model in models:
        results[model.key] = _draw_model(engine, model, pairs, starts, run)
    for key, result in results.items():
        for entry in result.get("rounds", []):
            entry["fid"] = _fid(run, key, entry["round"])
    return {"config": asdict(config), "pairs": len(pairs), "models": results,
            "images": [{"model": r.model, "round": r.round, "pair": r.pair, "sha256": r.sha256, **r.values}
                       for r in run.records]}
