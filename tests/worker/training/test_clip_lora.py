"""CLIP LoRA (Model 3) on a tiny CLIP: contrastive training on shapes and their sentences
lifts validation retrieval well above chance; the adapter file loads back exactly."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from transformers import CLIPTextModel

from tests.training_data import shape_pairs
from worker.training.clip import build_tiny_clip, embed_images, embed_texts
from worker.training.clip_lora import (
    ClipLoraConfig,
    contrastive_loss,
    load_clip_lora,
    retrieval_accuracy,
    train_clip_lora,
)
from worker.training.pairs import Pair
from worker.training.unet_lora import AdapterResult


def pairs(count: int, seed: int, split: str) -> list[Pair]:
    return [Pair(text, image, split=split) for text, image in shape_pairs(count, seed)]


TRAIN, VALIDATION = pairs(96, 1, "train"), pairs(24, 2, "validation")
CONFIG = ClipLoraConfig(layers="both", rank=8, learning_rate=5e-3, batch_size=16, epochs=6, seed=0)


@pytest.fixture(scope="module")
def trained() -> tuple[AdapterResult, torch.nn.Module]:
    bundle = build_tiny_clip()
    return train_clip_lora(bundle, TRAIN, VALIDATION, CONFIG), bundle


def test_training_lifts_retrieval_well_above_chance(trained: tuple[AdapterResult, object]) -> None:
    metrics = trained[0].metrics
    before, after = metrics["retrieval_before"], metrics["retrieval_after"]
    chance = after["chance"]["top1"]
    assert chance == pytest.approx(2 / 24, abs=1e-3), "12 descriptions, each twice in 24 validation pairs"
    assert after["text_to_image"]["top1"] >= max(3 * chance, before["text_to_image"]["top1"] + 0.25), metrics
    assert after["image_to_text"]["top1"] >= 2 * chance
    assert [r["epoch"] for r in metrics["retrieval"]] == list(range(7)), "before training, then every epoch"
    assert metrics["final_loss"] < metrics["loss_curve"][0]
    assert set(after["text_to_image"]) == {"top1", "top5", "top25"}


def test_the_config_names_layers_rank_alpha_targets_format(trained: tuple[AdapterResult, object]) -> None:
    config = trained[0].config
    assert {k: config[k] for k in ("layers", "rank", "alpha", "format")} == \
        {"layers": "both", "rank": 8, "alpha": 16.0, "format": "peft-lora"}
    assert config["target_modules"] == ["q_proj", "k_proj", "v_proj", "out_proj", "text_projection",
                                        "visual_projection"]
    assert config["base_random_weights"] is True


def test_the_adapter_loads_back_onto_a_fresh_clip_and_onto_a_text_encoder(
        trained: tuple[AdapterResult, object]) -> None:
    result, bundle = trained
    texts = [p.description for p in VALIDATION[:4]]
    fresh = build_tiny_clip()
    loaded = load_clip_lora(fresh.model, result.data, result.config)
    assert any(k.startswith("vision_model.") for k in loaded) and "text_projection.lora_A.weight" in loaded
    torch.testing.assert_close(embed_texts(fresh, texts), embed_texts(bundle, texts))
    torch.testing.assert_close(embed_images(fresh, [p.sketch for p in VALIDATION[:4]]),
                               embed_images(bundle, [p.sketch for p in VALIDATION[:4]]))
    # SD's text encoder is a CLIPTextModel: the text tower's keys apply to it unchanged.
    encoder = CLIPTextModel(fresh.model.config.text_config).eval()
    getattr(encoder, "text_model", encoder).load_state_dict(build_tiny_clip().model.text_model.state_dict())
    text_keys = load_clip_lora(encoder, result.data, result.config)
    assert text_keys and not any("vision" in k or "visual" in k for k in text_keys)
    assert len(text_keys) == 2 * 4 * 2, "A and B of q/k/v/out in each of the 2 text layers"
    tokens, _ = bundle.tokenize(texts)
    with torch.no_grad():
        expected = bundle.model.text_model(**tokens).last_hidden_state
        torch.testing.assert_close(encoder(**tokens).last_hidden_state, expected)


def test_layer_choices_adapt_different_modules() -> None:
    for layers, present, absent in (("self", "self_attn", "projection"), ("proj", "projection", "self_attn")):
        bundle = build_tiny_clip()
        result = train_clip_lora(bundle, TRAIN[:8], VALIDATION[:4],
                                 ClipLoraConfig(layers=layers, rank=2, epochs=1, batch_size=8))
        names = [n for n, p in bundle.model.named_parameters() if p.requires_grad]
        assert names and all(present in n for n in names) and not any(absent in n for n in names)
        assert result.config["layers"] == layers


def test_retrieval_accuracy_on_known_cases() -> None:
    embeds = torch.eye(4)
    perfect = retrieval_accuracy(embeds, embeds, ["a", "b", "c", "d"], ks=(1, 2))
    assert perfect["text_to_image"] == {"top1": 1.0, "top2": 1.0} == perfect["image_to_text"]
    assert perfect["chance"] == {"top1": 0.25, "top2": 0.5}
    # Every text ranks image i+1 first: top-1 misses, top-2 finds the match.
    shifted = torch.roll(torch.eye(4), 1, dims=0) * 2 + torch.eye(4)
    result = retrieval_accuracy(shifted, torch.eye(4), ["a", "b", "c", "d"], ks=(1, 2))
    assert result["text_to_image"] == {"top1": 0.0, "top2": 1.0}


def test_the_loss_is_clips_own_when_descriptions_are_unique() -> None:
    generator = torch.Generator().manual_seed(0)
    text, image = torch.randn(6, 8, generator=generator), torch.randn(6, 8, generator=generator)
    scale = torch.tensor(math.log(10.0))
    logits = 10.0 * F.normalize(text, dim=-1) @ F.normalize(image, dim=-1).T
    labels = torch.arange(6)
    expected = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    torch.testing.assert_close(contrastive_loss(text, image, scale, list("abcdef")), expected)
    # Two pairs with one description: each is a positive for the other, so swapping their images costs nothing.
    same = contrastive_loss(text, image, scale, ["a", "a", "c", "d", "e", "f"])
    swapped = contrastive_loss(text, image[[1, 0, 2, 3, 4, 5]], scale, ["a", "a", "c", "d", "e", "f"])
    torch.testing.assert_close(same, swapped)
