"""UNet LoRA adapters: on for a job, several at once, cached by hash, gone without a trace."""

from __future__ import annotations

import pytest
from diffusers import StableDiffusionPipeline, UNet2DConditionModel

from common.spec import Mode
from worker.engine import Engine
from worker.engine.adapters import ramp_factor


def draw(engine: Engine, spec) -> list[bytes]:
    return [item.image.tobytes() for item in engine.generate(spec)]


@pytest.fixture(scope="module")
def base(engine: Engine, make_spec_module) -> list[bytes]:
    return draw(engine, make_spec_module())


@pytest.fixture(scope="module")
def make_spec_module():
    from common.spec import GenerationSpec

    def make(**overrides):
        values = {"mode": Mode.TXT2IMG, "prompt": "pencil sketch of a man with a beard", "seeds": [1, 2],
                  "steps": 3, "width": 64, "height": 64, **overrides}
        return GenerationSpec(**values)

    return make


def test_an_adapter_changes_the_output_and_leaves_no_trace(
    engine: Engine, make_spec_module, base: list[bytes], unet_lora
) -> None:
    adapter = unet_lora(1)
    styled = engine.generate(make_spec_module(adapters=[adapter]))
    assert [i.image.tobytes() for i in styled] != base
    assert styled[0].recipe["adapters"] == [{"id": adapter.id, "sha256": adapter.sha256, "weight": 1.0}]
    assert draw(engine, make_spec_module()) == base, "a job without adapters draws the base model bit for bit"
    engine.unload_adapters()
    assert draw(engine, make_spec_module()) == base, "unloaded: the base model bit for bit"
    assert not getattr(engine.txt2img.unet, "peft_config", {}), "no adapter left in the UNet"


def test_weights_and_several_adapters_at_once(engine: Engine, make_spec_module, base: list[bytes], unet_lora) -> None:
    one, two = unet_lora(2), unet_lora(3)
    full = draw(engine, make_spec_module(adapters=[one]))
    half = draw(engine, make_spec_module(adapters=[one.model_copy(update={"weight": 0.5})]))
    zero = draw(engine, make_spec_module(adapters=[one.model_copy(update={"weight": 0.0})]))
    both = draw(engine, make_spec_module(adapters=[one, two]))
    assert len({tuple(full), tuple(half), tuple(both)}) == 3
    assert zero == base, "weight 0 adds nothing"
    assert draw(engine, make_spec_module(adapters=[one])) == full, "swapping back redraws exactly"


def test_swapping_reads_each_file_once(
    engine: Engine, make_spec_module, unet_lora, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.unload_adapters()
    reads: list[str] = []
    real = engine.adapters._read_into_unet
    monkeypatch.setattr(engine.adapters, "_read_into_unet", lambda p, n, r: reads.append(r.id) or real(p, n, r))
    a, b = unet_lora(4), unet_lora(5)
    unet = engine.txt2img.unet

    def no_reload(*args: object, **kwargs: object) -> None:
        raise AssertionError("the base model must not be loaded again")

    for cls in (StableDiffusionPipeline, UNet2DConditionModel):
        monkeypatch.setattr(cls, "from_pretrained", no_reload)
    for adapters in ([a], [b], [], [a, b], [b]):
        engine.generate(make_spec_module(adapters=adapters, steps=1, seeds=[1]))
    assert reads == [a.id, b.id], "each adapter is read once, then switched on and off"
    assert engine.txt2img.unet is unet is engine.img2img.unet


def test_the_least_recently_used_adapter_is_dropped(engine: Engine, make_spec_module, unet_lora) -> None:
    engine.unload_adapters()
    engine.adapters.max_loaded = 2
    try:
        a, b, c = unet_lora(6), unet_lora(7), unet_lora(8)
        for adapters in ([a], [b], [a], [c]):
            engine.generate(make_spec_module(adapters=adapters, steps=1, seeds=[1]))
        assert list(engine.adapters.loaded) == [a.sha256, c.sha256]
        assert len(engine.txt2img.unet.peft_config) == 2
    finally:
        engine.adapters.max_loaded = 8
        engine.unload_adapters()


def test_the_ramp_schedule_differs_from_constant(engine: Engine, make_spec_module, unet_lora, monkeypatch) -> None:
    adapter = unet_lora(9, weight=0.8)
    constant = draw(engine, make_spec_module(adapters=[adapter], steps=4))
    scales: list[float] = []
    real_scale = engine.adapters.scale
    monkeypatch.setattr(engine.adapters, "scale", lambda f: scales.append(f) or real_scale(f))
    ramp = draw(engine, make_spec_module(adapters=[adapter], steps=4, adapter_schedule="ramp"))
    assert ramp != constant
    # 0 before step 1, then a third more before each next step: full weight for the last.
    assert scales == [0.0, 1 / 3, 2 / 3, 1.0]
    assert [ramp_factor(i, 4) for i in range(4)] == [0.0, 1 / 3, 2 / 3, 1.0]
    assert ramp_factor(0, 1) == 1.0


def test_the_registry_config_supplies_alpha_when_the_file_has_none(
    engine: Engine, make_spec_module, unet_lora
) -> None:
    # Trained with alpha = 2·rank (seed 004) but saved without diffusers' metadata.
    with_metadata = unet_lora(10, rank=4, alpha=8)
    bare = unet_lora(10, rank=4, alpha=8, metadata=False)
    configured = bare.model_copy(update={"config": {"rank": 4, "alpha": 8}})
    reference = draw(engine, make_spec_module(adapters=[with_metadata]))
    assert draw(engine, make_spec_module(adapters=[configured])) == reference
    assert draw(engine, make_spec_module(adapters=[bare])) != reference, "without it, alpha falls back to rank"
    engine.unload_adapters()


def test_a_missing_adapter_file_is_a_clear_error(engine: Engine, make_spec_module, unet_lora) -> None:
    missing = unet_lora(11).model_copy(update={"sha256": "f" * 64, "id": "gone"})
    with pytest.raises(FileNotFoundError, match="missing from the blob store"):
        engine.generate(make_spec_module(adapters=[missing]))


def test_the_engine_draws_what_training_drew(engine: Engine, tiny_model_dir, unet_lora) -> None:
    """Rank, alpha (here 2·rank) and targets survive the file: the adapted UNet is the trained one."""
    import torch

    from tests.worker.engine.lora_files import unet_with_lora

    trained, _ = unet_with_lora(tiny_model_dir, 12, rank=4, alpha=8)
    latents, t, context = torch.randn(2, 4, 8, 8), torch.tensor([500]), torch.randn(2, 77, 32)
    with torch.no_grad():
        expected = trained(latents, t, context).sample
        engine.adapters.activate([unet_lora(12, rank=4, alpha=8)])
        try:
            got = engine.txt2img.unet(latents, t, context).sample
        finally:
            engine.adapters.deactivate()
        assert torch.equal(got, expected)
        assert not torch.equal(engine.txt2img.unet(latents, t, context).sample, expected)
