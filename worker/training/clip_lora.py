"""CLIP LoRA, the seed paper's Model 3: contrastive fine-tuning of CLIP's text and vision
towers on (description, sketch) pairs, with LoRA on the chosen layers only.

Layers (the paper's ablation; CLIP has no cross-attention, so "cross-modal" means the
projections into the shared space):
- self: the self-attention q/k/v/out projections of both encoders;
- proj: text_projection and visual_projection;
- both: all of the above.

The loss is CLIP's symmetric InfoNCE, with one refinement: pairs in a batch that share
a description are all positives for each other (a multi-positive target), so a dataset
where several sketches have the same description does not teach the model to tell
identical texts apart. With unique descriptions it is exactly CLIP's loss.

The adapter file is peft's state dict (keys are CLIPModel module paths, e.g.
`text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight`): the text keys load
unchanged onto a CLIPTextModel (SD's text encoder) and the vision keys onto a
CLIPVisionModel(WithProjection), with `load_clip_lora`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from peft import LoraConfig, inject_adapter_in_model, set_peft_model_state_dict
from peft.utils import get_peft_model_state_dict
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from worker.training.clip import ClipBundle, embed_images, embed_texts, image_features, text_features
from worker.training.measure import Meter, TrainingCancelled
from worker.training.pairs import Pair
from worker.training.unet_lora import AdapterResult, autocast_dtype

SELF_ATTENTION = ("q_proj", "k_proj", "v_proj", "out_proj")
PROJECTIONS = ("text_projection", "visual_projection")
LAYERS = {"self": SELF_ATTENTION, "proj": PROJECTIONS, "both": SELF_ATTENTION + PROJECTIONS}
FORMAT = "peft-lora"
TOP_K = (1, 5, 25)
StepCallback = Callable[[int, int, float], bool | None]


@dataclass(frozen=True)
class ClipLoraConfig:
    layers: str = "both"
    rank: int = 8
    alpha: float | None = None  # None: 2 × rank
    learning_rate: float = 5e-4
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 1e-2
    batch_size: int = 32
    epochs: int = 10
    mixed_precision: str = "auto"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.layers not in LAYERS:
            raise ValueError(f"layers must be one of {', '.join(LAYERS)}")
        if self.rank < 1 or self.batch_size < 2 or self.epochs < 1:
            raise ValueError("rank and epochs must be at least 1, batch size at least 2 (a contrastive loss)")

    @property
    def lora_alpha(self) -> float:
        return float(self.alpha) if self.alpha is not None else 2.0 * self.rank

    @property
    def target_modules(self) -> list[str]:
        return list(LAYERS[self.layers])

    def lora_config(self) -> LoraConfig:
        return LoraConfig(r=self.rank, lora_alpha=self.lora_alpha, target_modules=self.target_modules,
                          init_lora_weights=True)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "alpha": self.lora_alpha, "betas": list(self.betas),
                "target_modules": self.target_modules}


# --- retrieval ---------------------------------------------------------------------------------


def _chance_top_k(positives: int, candidates: int, k: int) -> float:
    """Probability that a random ranking puts at least one of `positives` in the top k."""
    if k >= candidates:
        return 1.0
    return 1.0 - math.comb(candidates - positives, k) / math.comb(candidates, k)


def retrieval_accuracy(text_embeds: torch.Tensor, image_embeds: torch.Tensor, texts: list[str],
                       ks: tuple[int, ...] = TOP_K) -> dict[str, dict[str, float]]:
    """Top-k accuracy both ways over one split. A hit is any candidate with the query's own
    description (descriptions may repeat); `chance` is what a random ranking scores."""
    same = torch.tensor([[a == b for b in texts] for a in texts])
    similarity = text_embeds @ image_embeds.T  # rows: texts, columns: images
    result: dict[str, dict[str, float]] = {}
    for direction, scores in (("text_to_image", similarity), ("image_to_text", similarity.T)):
        order = scores.argsort(dim=1, descending=True)
        hits = torch.gather(same, 1, order)  # hits[q, r]: is the r-th ranked candidate a match
        result[direction] = {f"top{k}": round(float(hits[:, :k].any(dim=1).float().mean()), 4) for k in ks}
    positives = same.sum(dim=1).tolist()
    result["chance"] = {f"top{k}": round(sum(_chance_top_k(p, len(texts), k) for p in positives) / len(texts), 4)
                        for k in ks}
    return result


def evaluate_retrieval(bundle: ClipBundle, pairs: list[Pair]) -> dict[str, dict[str, float]]:
    was_training = bundle.model.training
    bundle.model.eval()
    texts = [p.description for p in pairs]
    result = retrieval_accuracy(embed_texts(bundle, texts), embed_images(bundle, [p.sketch for p in pairs]), texts)
    bundle.model.train(was_training)
    return result


# --- training ----------------------------------------------------------------------------------


def contrastive_loss(text: torch.Tensor, image: torch.Tensor, logit_scale: torch.Tensor,
                     texts: list[str]) -> torch.Tensor:
    """Symmetric InfoNCE with every same-description pair in the batch counted as a positive."""
    text, image = F.normalize(text.float(), dim=-1), F.normalize(image.float(), dim=-1)
    logits = logit_scale.exp().clamp(max=100) * text @ image.T
    same = torch.tensor([[a == b for b in texts] for a in texts], dtype=torch.float32, device=logits.device)
    target = same / same.sum(dim=1, keepdim=True)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target.T)) / 2


def add_clip_lora(bundle: ClipBundle, config: ClipLoraConfig) -> list[torch.nn.Parameter]:
    bundle.model.requires_grad_(False)
    inject_adapter_in_model(config.lora_config(), bundle.model)
    params = [p for p in bundle.model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"no {config.layers!r} layers ({', '.join(config.target_modules)}) in this CLIP model")
    return params


def train_clip_lora(bundle: ClipBundle, train: list[Pair], validation: list[Pair], config: ClipLoraConfig,
                    device: torch.device | str = "cpu", on_step: StepCallback | None = None) -> AdapterResult:
    """Adds LoRA to `bundle.model` (which keeps it), trains it, and returns the adapter file
    with per-epoch retrieval accuracy on `validation` (epoch 0 = before training)."""
    if len(train) < 2 or not validation:
        raise ValueError("need at least 2 training pairs and 1 validation pair")
    device = torch.device(device)
    torch.manual_seed(config.seed)
    meter = Meter(device)
    bundle.model.to(device)
    params = add_clip_lora(bundle, config)
    retrieval = [{"epoch": 0, **evaluate_retrieval(bundle, validation)}]
    losses, truncated = _loop(bundle, train, validation, config, params, device, on_step, retrieval)
    payload = clip_lora_bytes(bundle, config)
    metrics = {
        **meter.result(),
        "loss_curve": [round(v, 6) for v in losses],
        "final_loss": round(sum(losses[-_steps(len(train), config):]) / _steps(len(train), config), 6),
        "retrieval": retrieval,
        "retrieval_before": retrieval[0],
        "retrieval_after": retrieval[-1],
        "steps": len(losses),
        "examples": len(train),
        "validation_examples": len(validation),
        "descriptions_over_clip_window": truncated,
        "trainable_parameters": sum(p.numel() for p in params),
        "adapter_size_bytes": len(payload),
        "device": str(device),
    }
    adapter_config = {**config.as_dict(), "format": FORMAT, "base": bundle.name,
                      "base_random_weights": bundle.random_weights,
                      "load_with": "worker.training.clip_lora.load_clip_lora"}
    return AdapterResult(payload, hashlib.sha256(payload).hexdigest(), adapter_config, metrics)


def _steps(count: int, config: ClipLoraConfig) -> int:
    return math.ceil(count / config.batch_size)


def _loop(bundle: ClipBundle, train: list[Pair], validation: list[Pair], config: ClipLoraConfig,
          params: list[torch.nn.Parameter], device: torch.device, on_step: StepCallback | None,
          retrieval: list[dict[str, Any]]) -> tuple[list[float], int]:
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, betas=config.betas,
                                  weight_decay=config.weight_decay)
    amp = autocast_dtype(config.mixed_precision, device)
    scaler = torch.amp.GradScaler(enabled=amp is torch.float16)
    generator = torch.Generator("cpu").manual_seed(config.seed)
    # Tokens and pixels once: the towers change, their inputs do not.
    texts = [p.description for p in train]
    tokens, truncated = bundle.tokenize(texts)
    pixels = bundle.pixels([p.sketch for p in train])
    total = _steps(len(train), config) * config.epochs
    losses: list[float] = []
    for epoch in range(1, config.epochs + 1):
        bundle.model.train()
        order = torch.randperm(len(train), generator=generator).tolist()
        for start in range(0, len(train), config.batch_size):
            index = order[start:start + config.batch_size]
            if len(index) < 2:
                continue  # one pair has nothing to be contrasted with
            with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
                text = text_features(bundle, {k: v[index] for k, v in tokens.items()})
                image = image_features(bundle, pixels[index])
            loss = contrastive_loss(text, image, bundle.model.logit_scale, [texts[i] for i in index])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            losses.append(float(loss.detach()))
            if on_step is not None and on_step(len(losses), total, losses[-1]) is False:
                raise TrainingCancelled(len(losses), total)
        retrieval.append({"epoch": epoch, **evaluate_retrieval(bundle, validation)})
    bundle.model.eval()
    return losses, truncated


# --- the adapter file --------------------------------------------------------------------------


def clip_lora_bytes(bundle: ClipBundle, config: ClipLoraConfig) -> bytes:
    state = {k: v.detach().to("cpu", torch.float32).contiguous()
             for k, v in get_peft_model_state_dict(bundle.model).items()}
    lora = {"r": config.rank, "lora_alpha": config.lora_alpha, "target_modules": config.target_modules}
    return save_safetensors(state, metadata={"format": "pt", "likeness_format": FORMAT,
                                             "lora_config": json.dumps(lora, sort_keys=True)})


def _keys_for(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The adapter's keys that name modules of `model`, renamed to its module paths.

    transformers 5 flattens the standalone towers: a CLIPTextModel has `encoder.layers...`
    where CLIPModel has `text_model.encoder.layers...`. Only the model's own tower prefix is
    stripped, so the text and vision encoders' same-named layers never collide."""
    names = {name for name, _ in model.named_modules()}
    tower = {"clip_text_model": "text_model.", "clip_vision_model": "vision_model."}.get(
        getattr(getattr(model, "config", None), "model_type", ""), "")
    usable = {}
    for key, value in state.items():
        module = key.rsplit(".lora_", 1)[0]
        if module in names:
            usable[key] = value
        elif tower and key.startswith(tower) and module.removeprefix(tower) in names:
            usable[key.removeprefix(tower)] = value
    return usable


def load_clip_lora(model: torch.nn.Module, data: bytes, config: dict[str, Any]) -> list[str]:
    """Puts a clip-lora adapter onto a CLIPModel, CLIPTextModel(WithProjection) or
    CLIPVisionModel(WithProjection). Keys of the other tower are skipped; returns the keys loaded."""
    lora = LoraConfig(r=int(config["rank"]), lora_alpha=float(config["alpha"]),
                      target_modules=list(config["target_modules"]))
    usable = _keys_for(model, load_safetensors(data))
    if not usable:
        raise ValueError("none of the adapter's layers exist in this model")
    inject_adapter_in_model(lora, model)
    set_peft_model_state_dict(model, usable)
    return sorted(usable)
