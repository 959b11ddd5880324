"""UNet LoRA training on the tiny pipeline: the loss goes down, the file loads with diffusers'
own load_lora_weights and reproduces the trained UNet exactly."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as load_safetensors

from common.models import ModelChoice
from common.spec import AdapterRef, GenerationSpec, Mode
from tests.training_data import shape_pairs
from worker.engine import Engine
from worker.engine.tiny import build_tiny_pipeline
from worker.training.measure import TrainingCancelled
from worker.training.pairs import Pair
from worker.training.unet_lora import (
    ATTENTION_TARGETS,
    FEED_FORWARD_TARGETS,
    AdapterResult,
    UnetLoraConfig,
    train_unet_lora,
)

# A high learning rate: the tiny UNet has attention only on a 2×2 latent, so LoRA there moves
# the loss slowly; 20 steps must show a clear drop within the test budget.
CONFIG = UnetLoraConfig(rank=8, targets=ATTENTION_TARGETS + FEED_FORWARD_TARGETS, learning_rate=2e-2,
                        batch_size=4, epochs=10, resolution=64, seed=3)


def pairs() -> list[Pair]:
    return [Pair(text, image) for text, image in shape_pairs(8, seed=5, size=64)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[AdapterResult, torch.nn.Module]:
    pipe = build_tiny_pipeline(tmp_path_factory.mktemp("tok"))
    return train_unet_lora(pipe, pairs(), CONFIG), pipe.unet


def probe_inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(9)
    return torch.randn(2, 4, 8, 8, generator=generator), torch.tensor([50, 700]), torch.randn(2, 77, 32,
                                                                                              generator=generator)


def test_training_lowers_the_loss(trained: tuple[AdapterResult, torch.nn.Module]) -> None:
    metrics = trained[0].metrics
    assert metrics["probe_loss_after"] < 0.97 * metrics["probe_loss_before"], metrics
    assert metrics["steps"] == 20 and len(metrics["loss_curve"]) == 20 and len(metrics["epoch_loss"]) == 10
    assert metrics["trainable_parameters"] > 0 and metrics["adapter_size_bytes"] == len(trained[0].data)
    assert metrics["runtime_s"] > 0 and metrics["peak_memory_bytes"] > 0 and metrics["device"] == "cpu"


def test_the_config_records_what_was_trained(trained: tuple[AdapterResult, torch.nn.Module]) -> None:
    config = trained[0].config
    assert config["format"] == "diffusers-lora" and config["rank"] == 8 and config["alpha"] == 16.0
    assert config["targets"] == ["to_q", "to_k", "to_v", "to_out.0", "ff.net.0", "ff.net.2"]
    assert "ff.net.0.proj" in config["peft_target_modules"] and config["betas"] == [0.9, 0.999]
    json.dumps(config)


def test_the_file_is_diffusers_lora_format(trained: tuple[AdapterResult, torch.nn.Module]) -> None:
    data = trained[0].data
    keys = load_safetensors(data).keys()
    assert keys and all(k.startswith("unet.") and (".lora_A." in k or ".lora_B." in k) for k in keys)
    assert any(".ff.net.0.proj.lora_A" in k for k in keys) and any(".attn2.to_k.lora_B" in k for k in keys)
    header = json.loads(data[8:8 + struct.unpack("<Q", data[:8])[0]])
    metadata = json.loads(header["__metadata__"]["lora_adapter_metadata"])
    assert (metadata["unet.r"], metadata["unet.lora_alpha"]) == (8, 16.0)


def test_load_lora_weights_reproduces_the_trained_unet(trained: tuple[AdapterResult, torch.nn.Module],
                                                      tmp_path: Path) -> None:
    result, trained_unet = trained
    sample, timesteps, text = probe_inputs()
    with torch.no_grad():
        expected = trained_unet(sample, timesteps, text).sample
    pipe = build_tiny_pipeline(tmp_path / "tok")
    with torch.no_grad():
        base = pipe.unet(sample, timesteps, text).sample
    (tmp_path / "adapter.safetensors").write_bytes(result.data)
    pipe.load_lora_weights(str(tmp_path), weight_name="adapter.safetensors")
    with torch.no_grad():
        loaded = pipe.unet(sample, timesteps, text).sample
    assert (base - expected).abs().max() > 1e-3, "the adapter changes the UNet"
    torch.testing.assert_close(loaded, expected, atol=1e-5, rtol=1e-4)


def test_the_engine_draws_with_the_adapter(trained: tuple[AdapterResult, torch.nn.Module], tiny_model: ModelChoice,
                                           tmp_path: Path) -> None:
    result = trained[0]
    (tmp_path / result.sha256).write_bytes(result.data)
    engine = Engine(tiny_model, device="cpu", blob_path=lambda sha256: tmp_path / sha256)

    def draw(weight: float | None) -> bytes:
        adapters = [AdapterRef(id="a", sha256=result.sha256, weight=weight, config=result.config)] if weight else []
        spec = GenerationSpec(mode=Mode.TXT2IMG, prompt="a red round shape", seeds=[1], steps=3, width=64, height=64,
                              adapters=adapters)
        return engine.generate(spec)[0].image.tobytes()

    assert draw(1.0) != draw(None), "the adapter changes what the engine draws"


def test_a_step_callback_can_cancel(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    def on_step(step: int, total: int, loss: float) -> bool:
        seen.append((step, total))
        return step < 2

    config = UnetLoraConfig(rank=2, batch_size=4, epochs=3, resolution=64)
    with pytest.raises(TrainingCancelled) as caught:
        train_unet_lora(build_tiny_pipeline(tmp_path), pairs(), config, on_step=on_step)
    assert seen == [(1, 6), (2, 6)] and caught.value.step == 2


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown LoRA target"):
        UnetLoraConfig(targets=("to_q", "conv1"))
    with pytest.raises(ValueError, match="mixed_precision"):
        UnetLoraConfig(mixed_precision="fp8")
    assert UnetLoraConfig(rank=64).lora_alpha == 128.0 and UnetLoraConfig(rank=4, alpha=4).lora_alpha == 4.0


def test_gradient_checkpointing_changes_memory_not_the_result(tmp_path: Path) -> None:
    config = UnetLoraConfig(rank=4, epochs=2, resolution=64)
    plain = train_unet_lora(build_tiny_pipeline(tmp_path / "a"), pairs(), config)
    checkpointed = train_unet_lora(build_tiny_pipeline(tmp_path / "b"), pairs(),
                                   UnetLoraConfig(rank=4, epochs=2, resolution=64, gradient_checkpointing=True))
    assert checkpointed.metrics["loss_curve"] == plain.metrics["loss_curve"]
    # Recomputed activations may round differently in the last bits (CPU thread scheduling):
    # the same adapter to float32 precision, not necessarily to the byte.
    from safetensors.torch import load

    plain_weights, checkpointed_weights = load(plain.data), load(checkpointed.data)
    assert plain_weights.keys() == checkpointed_weights.keys()
    for key, value in plain_weights.items():
        assert torch.allclose(value, checkpointed_weights[key], rtol=1e-4, atol=1e-6), key
