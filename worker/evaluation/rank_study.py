"""The training runs in the registry, side by side (seed 004's table): runtime, peak memory,
adapter size, final loss and the CLIP score of images drawn with each UNet adapter."""

from __future__ import annotations

from typing import Any

from PIL import Image

from common.prompt import NEGATIVE_PROMPT, build_prompt
from common.spec import AdapterRef, GenerationSpec, Mode
from worker.evaluation import metrics as m
from worker.evaluation.runner import EvalConfig, GeneratingEngine, summarise
from worker.evaluation.scorers import Scorers
from worker.training.clip import embed_images, embed_texts
from worker.training.pairs import Pair


def _txt2img(engine: GeneratingEngine, pair: Pair, seed: int, config: EvalConfig,
             adapter: AdapterRef | None) -> Image.Image:
    spec = GenerationSpec(mode=Mode.TXT2IMG, prompt=build_prompt(pair.description, pair.attributes),
                          negative_prompt=NEGATIVE_PROMPT, seeds=[seed], steps=config.steps, guidance=config.guidance,
                          width=config.size, height=config.size, adapters=[adapter] if adapter else [])
    return engine.generate(spec)[0].image


def adapter_clip_score(engine: GeneratingEngine, adapter: dict[str, Any], pairs: list[Pair], scorers: Scorers,
                       config: EvalConfig) -> dict[str, Any]:
    """Mean CLIP score (description vs image) of txt2img drawn with the adapter. Unavailable when
    there is no CLIP, or when the engine draws the same pixels with and without the adapter
    (it does not apply UNet adapters yet: a score then would be the base model's)."""
    if scorers.clip is None:
        return {"unavailable": scorers.unavailable.get("clip_score", "no CLIP scorer")}
    ref = AdapterRef(id=adapter["id"], sha256=adapter["sha256"], config=adapter["config"])
    try:
        images = [_txt2img(engine, p, config.seed + i, config, ref) for i, p in enumerate(pairs)]
        base = _txt2img(engine, pairs[0], config.seed, config, None)
    except NotImplementedError as exc:
        return {"unavailable": f"the engine cannot apply UNet adapters yet: {exc}"}
    if images[0].tobytes() == base.tobytes():
        return {"unavailable": "the engine drew identical pixels with and without the adapter: it does not "
                               "apply UNet adapters yet"}
    texts = embed_texts(scorers.clip, [p.description for p in pairs])
    embeds = embed_images(scorers.clip, images)
    return summarise([m.clip_score(i, t) for i, t in zip(embeds, texts, strict=True)])


def _common(adapter: dict[str, Any]) -> dict[str, Any]:
    metrics, config = adapter["metrics"], adapter["config"]
    return {"name": adapter["name"], "id": adapter["id"], "kind": adapter["kind"], "rank": config.get("rank"),
            "alpha": config.get("alpha"), "epochs": config.get("epochs"), "runtime_s": metrics.get("runtime_s"),
            "peak_memory_bytes": metrics.get("peak_memory_bytes"), "peak_memory_kind": metrics.get("peak_memory_kind"),
            "adapter_size_bytes": adapter["size_bytes"], "final_loss": metrics.get("final_loss"),
            "dataset": (metrics.get("dataset") or {}).get("name"), "device": metrics.get("device")}


def rank_study(engine: GeneratingEngine | None, adapters: list[dict[str, Any]], pairs: list[Pair], scorers: Scorers,
               config: EvalConfig) -> list[dict[str, Any]]:
    rows = []
    for adapter in adapters:
        row = _common(adapter)
        if adapter["kind"] == "unet-lora":
            row["targets"] = adapter["config"].get("targets")
            row["clip_score"] = (adapter_clip_score(engine, adapter, pairs, scorers, config) if engine and pairs
                                 else {"unavailable": "no engine or no pairs to draw"})
        else:
            row["layers"] = adapter["config"].get("layers")
            row["retrieval_before"] = adapter["metrics"].get("retrieval_before")
            row["retrieval_after"] = adapter["metrics"].get("retrieval_after")
        row["loss_curve"] = adapter["metrics"].get("loss_curve", [])
        rows.append(row)
    return rows
