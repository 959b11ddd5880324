"""The tiny random-weight model: SD 1.5's shape, the same bytes every build, safe to race."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from common.models import TINY_NAME
from worker.engine import Engine, ensure_tiny_model, hashing, tiny
from worker.engine.hashing import model_sha256


def test_two_builds_give_the_same_files_and_hash(tmp_path: Path, tiny_model_dir: Path) -> None:
    other = tmp_path / "again"
    ensure_tiny_model(other)
    assert model_sha256(other) == model_sha256(tiny_model_dir)
    names = sorted(p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file())
    assert "unet/diffusion_pytorch_model.safetensors" in names and "tokenizer/vocab.json" in names


def test_it_has_sd15s_classes_and_settings(engine: Engine, tiny_model_dir: Path) -> None:
    pipe = engine.txt2img
    index = json.loads((tiny_model_dir / "model_index.json").read_text())
    assert index["unet"] == ["diffusers", "UNet2DConditionModel"]
    assert index["vae"] == ["diffusers", "AutoencoderKL"]
    assert index["text_encoder"] == ["transformers", "CLIPTextModel"]
    assert index["tokenizer"][1] == "CLIPTokenizer"
    assert pipe.vae_scale_factor == 8
    assert pipe.tokenizer.model_max_length == 77 and pipe.tokenizer.pad_token == "<|endoftext|>"
    vocab = json.loads((tiny_model_dir / "tokenizer" / "vocab.json").read_text())
    assert pipe.text_encoder.config.vocab_size == len(vocab) == len(pipe.tokenizer)
    assert pipe.unet.config.cross_attention_dim == pipe.text_encoder.config.hidden_size
    config = pipe.scheduler.config
    assert {k: config[k] for k in tiny.SD15_SCHEDULER} == tiny.SD15_SCHEDULER


def test_an_existing_model_is_left_alone(tiny_model_dir: Path) -> None:
    weights = tiny_model_dir / "unet" / "diffusion_pytorch_model.safetensors"
    before = weights.stat().st_mtime_ns
    ensure_tiny_model(tiny_model_dir)
    assert weights.stat().st_mtime_ns == before


def test_losing_the_race_keeps_the_winners_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / TINY_NAME
    real_save = tiny._save

    def save_while_another_process_finishes(staging: Path) -> None:
        real_save(staging)
        shutil.copytree(staging, target)  # the other process renames its copy in first
        (target / "winner").write_text("yes")

    monkeypatch.setattr(tiny, "_save", save_while_another_process_finishes)
    ensure_tiny_model(target)
    assert (target / "winner").read_text() == "yes"
    assert os.listdir(tmp_path) == [TINY_NAME], "the loser's staging folder must be removed"


def test_a_folder_without_a_model_is_an_error_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / TINY_NAME
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(RuntimeError, match=r"model_index\.json"):
        ensure_tiny_model(target)
    assert (target / "notes.txt").read_text() == "keep me"
    assert os.listdir(tmp_path) == [TINY_NAME]


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    (tmp_path / TINY_NAME).mkdir()
    ensure_tiny_model(tmp_path / TINY_NAME)
    assert (tmp_path / TINY_NAME / "model_index.json").is_file()


def test_the_hash_is_cached_and_follows_changes(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, copy)
    first = model_sha256(copy)
    assert (copy / hashing.CACHE_NAME).is_file()

    def no_rehash(path: Path) -> str:
        raise AssertionError(f"{path} hashed again although nothing changed")

    with monkeypatch.context() as patch:
        patch.setattr(hashing, "_file_sha256", no_rehash)
        assert model_sha256(copy) == first
    config = copy / "unet" / "config.json"
    config.write_text(config.read_text().replace('"layers_per_block": 1', '"layers_per_block": 2'))
    assert model_sha256(copy) != first


def test_files_outside_the_components_do_not_enter_the_hash(tmp_path: Path, tiny_model_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, copy)
    (copy / "README.md").write_text("notes")
    assert model_sha256(copy) == model_sha256(tiny_model_dir)
