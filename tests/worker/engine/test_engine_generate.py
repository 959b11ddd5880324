"""txt2img and img2img through Engine.generate on the tiny model."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from common.models import ModelChoice
from common.spec import Mode, Strategy
from worker.engine import (
    Engine,
    EngineOutOfMemory,
    GeneratedImage,
    GenerationCancelled,
    should_restart_after,
    steps_to_run,
)
from worker.engine.bench import bare_call


def pixels(item: GeneratedImage | Image.Image) -> np.ndarray:
    image = item.image if isinstance(item, GeneratedImage) else item
    return np.asarray(image)


@pytest.fixture
def parent(engine: Engine, make_spec) -> Image.Image:
    return engine.generate(make_spec(seeds=[7]))[0].image


def test_txt2img_returns_one_image_per_seed_at_the_requested_size(engine: Engine, make_spec) -> None:
    spec = make_spec(seeds=[5, 6, 7], width=64, height=96)
    result = engine.generate(spec)
    assert [r.seed for r in result] == [5, 6, 7]
    assert all(r.image.size == (64, 96) and r.image.mode == "RGB" for r in result)


def test_the_same_spec_twice_gives_identical_pixels(engine: Engine, make_spec, parent: Image.Image) -> None:
    spec = make_spec()
    first = engine.generate(spec)
    # An img2img run in between must leave no state behind (schedulers keep some).
    engine.generate(make_spec(mode=Mode.IMG2IMG, steps=10, strength=0.5), parent)
    second = engine.generate(spec)
    for a, b in zip(first, second, strict=True):
        assert a.image.tobytes() == b.image.tobytes()


def test_candidates_of_one_batch_differ(engine: Engine, make_spec) -> None:
    result = engine.generate(make_spec())
    arrays = [pixels(r) for r in result]
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            assert not np.array_equal(arrays[i], arrays[j]), (i, j)


def test_a_seed_changes_its_candidate(engine: Engine, make_spec) -> None:
    a = engine.generate(make_spec(seeds=[1, 2]))
    b = engine.generate(make_spec(seeds=[1, 3]))
    assert not np.array_equal(pixels(a[1]), pixels(b[1]))


def test_engine_matches_the_bare_diffusers_call_bit_for_bit(engine: Engine, make_spec) -> None:
    spec = make_spec()
    ours = engine.generate(spec)
    theirs = bare_call(engine, spec, None)
    for a, b in zip(ours, theirs, strict=True):
        assert a.image.tobytes() == b.tobytes()


def test_img2img_refines_the_parent(engine: Engine, make_spec, parent: Image.Image) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, steps=10, strength=0.3, seeds=[1, 2])
    result = engine.generate(spec, parent)
    assert [r.seed for r in result] == [1, 2]
    assert all(r.image.size == (64, 64) for r in result)
    other_parent = Image.fromarray(255 - pixels(parent))
    other = engine.generate(spec, other_parent)
    assert not np.array_equal(pixels(result[0]), pixels(other[0])), "output must depend on the parent"


def test_img2img_resizes_the_parent_to_the_spec(engine: Engine, make_spec, parent: Image.Image) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, steps=10, seeds=[1], width=64, height=80)
    big = parent.resize((200, 170))
    assert engine.generate(spec, big)[0].image.size == (64, 80)
    same = engine.generate(spec, big.resize((64, 80), Image.Resampling.LANCZOS))
    assert engine.generate(spec, big)[0].image.tobytes() == same[0].image.tobytes()


def test_img2img_matches_the_bare_diffusers_call(engine: Engine, make_spec, parent: Image.Image) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, steps=10, strength=0.5)
    ours = engine.generate(spec, parent)
    theirs = bare_call(engine, spec, parent)
    for a, b in zip(ours, theirs, strict=True):
        assert a.image.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    ("mode", "steps", "strength", "expected"),
    [
        (Mode.TXT2IMG, 3, 0.3, 3),
        (Mode.IMG2IMG, 10, 0.3, 3),
        (Mode.IMG2IMG, 30, 0.3, 9),
        (Mode.IMG2IMG, 4, 1.0, 4),
    ],
)
def test_on_step_reports_every_step_with_the_steps_actually_run(
    engine: Engine, make_spec, parent: Image.Image, mode: Mode, steps: int, strength: float, expected: int
) -> None:
    calls: list[tuple[int, int]] = []
    spec = make_spec(mode=mode, steps=steps, strength=strength, seeds=[3])
    engine.generate(spec, parent if mode is Mode.IMG2IMG else None, lambda s, t: calls.append((s, t)) is None)
    assert calls == [(i, expected) for i in range(1, expected + 1)]
    assert steps_to_run(spec) == expected


def test_returning_false_cancels_at_once(engine: Engine, make_spec, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    decodes: list[int] = []
    real_decode = engine.txt2img.vae.decode
    monkeypatch.setattr(
        engine.txt2img.vae, "decode", lambda *a, **k: decodes.append(1) or real_decode(*a, **k)
    )

    def on_step(step: int, total: int) -> bool:
        calls.append(step)
        return step < 2

    with pytest.raises(GenerationCancelled) as caught:
        engine.generate(make_spec(steps=4), None, on_step)
    assert calls == [1, 2]
    assert (caught.value.step, caught.value.total_steps) == (2, 4)
    assert decodes == [], "a cancelled run must not decode"


def test_engine_errors_survive_pickling() -> None:
    # Celery carries exceptions between processes by pickle.
    cancelled = pickle.loads(pickle.dumps(GenerationCancelled(2, 9)))
    assert (cancelled.step, cancelled.total_steps) == (2, 9)
    assert str(cancelled) == "generation cancelled after step 2 of 9"
    oom = pickle.loads(pickle.dumps(EngineOutOfMemory("fewer candidates")))
    assert str(oom) == "fewer candidates"


def test_on_step_returning_none_does_not_cancel(engine: Engine, make_spec) -> None:
    calls: list[int] = []
    assert len(engine.generate(make_spec(steps=2), None, lambda s, t: calls.append(s))) == 4
    assert calls == [1, 2]


def test_out_of_memory_becomes_a_clear_error_and_the_engine_lives_on(
    engine: Engine, make_spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    freed: list[bool] = []
    real_free = engine._free_memory
    monkeypatch.setattr(engine, "_free_memory", lambda: freed.append(True) or real_free())

    def boom(pipe: object, kwargs: dict) -> None:
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(engine, "_run_pipeline", boom)
    with pytest.raises(EngineOutOfMemory) as caught:
        engine.generate(make_spec(seeds=[1, 2, 3, 4]))
    message = str(caught.value)
    assert "4 candidate" in message and "64x64" in message and "fewer candidates" in message
    assert caught.value.__cause__ is None and caught.value.__context__ is None, "old frames must be released"
    assert freed == [True]
    assert caught.value.restart_worker and should_restart_after(caught.value), "CUDA OOM: replace the process"
    monkeypatch.undo()
    assert len(engine.generate(make_spec(seeds=[1]))) == 1


def test_a_cpu_allocation_failure_fails_the_job_but_keeps_the_process(
    engine: Engine, make_spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(pipe: object, kwargs: dict) -> None:
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:118] DefaultCPUAllocator: can't allocate memory")

    monkeypatch.setattr(engine, "_run_pipeline", boom)
    with pytest.raises(EngineOutOfMemory) as caught:
        engine.generate(make_spec(seeds=[1]))
    assert "can't allocate memory" in str(caught.value)
    assert not should_restart_after(caught.value)
    assert not should_restart_after(RuntimeError("CUDA out of memory")), "only the engine's verdict counts"
    restored = pickle.loads(pickle.dumps(EngineOutOfMemory("again", restart_worker=True)))
    assert (str(restored), restored.restart_worker) == ("again", True)


def test_other_runtime_errors_pass_through(
    engine: Engine, make_spec, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(pipe: object, kwargs: dict) -> None:
        raise RuntimeError("shape mismatch")

    monkeypatch.setattr(engine, "_run_pipeline", broken)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        engine.generate(make_spec())


def test_requests_the_engine_cannot_draw_are_refused(engine: Engine, make_spec, parent: Image.Image) -> None:
    with pytest.raises(ValueError, match="parent"):
        engine.generate(make_spec(mode=Mode.IMG2IMG))
    with pytest.raises(ValueError, match="no parent"):
        engine.generate(make_spec(), parent)
    with pytest.raises(ValueError, match="no step"):
        engine.generate(make_spec(mode=Mode.IMG2IMG, steps=3, strength=0.3), parent)
    with pytest.raises(ValueError, match="clip_adapter"):
        engine.generate(make_spec(mode=Mode.IMG2IMG, strategy=Strategy.CLIP_LORA), parent)
    with pytest.raises(ValueError, match="picked candidate"):
        engine.generate(make_spec(region="eyes"))
    with pytest.raises(ValueError, match="not both"):
        engine.generate(make_spec(mode=Mode.IMG2IMG, region="eyes", mask_sha256="ab" * 32), parent)


def test_both_pipelines_share_one_copy_of_the_weights(engine: Engine) -> None:
    for name in ("unet", "vae", "text_encoder", "tokenizer"):
        assert getattr(engine.txt2img, name) is getattr(engine.img2img, name)
    assert (
        type(engine.txt2img.scheduler).__name__ == type(engine.img2img.scheduler).__name__ == "DDIMScheduler"
    )


def test_info_describes_model_device_and_libraries(engine: Engine, tiny_model) -> None:
    info = engine.info
    assert info["name"] == tiny_model.label and info["random_weights"] is True
    assert len(info["sha256"]) == 64
    assert (info["device"], info["dtype"], info["deterministic"]) == ("cpu", "float32", True)
    assert set(info["versions"]) == {"torch", "diffusers", "transformers", "peft"}
    assert info["versions"]["torch"].split("+")[0] == torch.__version__.split("+")[0]


def test_engine_builds_the_tiny_model_when_missing(tmp_path: Path, engine: Engine) -> None:
    built = Engine(ModelChoice("tiny", tmp_path / "fresh", random_weights=True), device="cpu")
    assert (tmp_path / "fresh" / "model_index.json").is_file()
    assert built.info["sha256"] == engine.info["sha256"]


def test_both_pipelines_run_in_the_requested_dtype(tiny_model: ModelChoice) -> None:
    # from_pipe casts shared modules to float32 unless given the dtype: a GPU would silently lose fp16.
    half = Engine(tiny_model, device="cpu", dtype="bfloat16")
    for pipe in (half.txt2img, half.img2img):
        assert {getattr(pipe, name).dtype for name in ("unet", "vae", "text_encoder")} == {torch.bfloat16}
    assert half.info["dtype"] == "bfloat16"
