"""Models 2 and 3: CLIP fusion of the reference image, and a LoRA on CLIP for one job."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image
from skimage import data
from torch import nn

from common.blobs import BlobStore
from common.spec import AdapterRef, Mode, Strategy
from tests.worker.engine.lora_files import clip_lora_file, clip_lora_weights
from worker.engine import Engine, MissingComponentError
from worker.engine.clip import fuse, image_direction, load_clip_parts


@pytest.fixture(scope="module")
def parent(engine: Engine) -> Image.Image:
    from common.spec import GenerationSpec

    spec = GenerationSpec(mode=Mode.TXT2IMG, prompt="a man", seeds=[7], steps=2, width=64, height=64)
    return engine.generate(spec)[0].image


@pytest.fixture
def refine(make_spec):
    def make(**overrides):
        return make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.5, seeds=[1, 2], **overrides)

    return make


def draw(engine: Engine, spec, parent: Image.Image) -> list[bytes]:
    return [item.image.tobytes() for item in engine.generate(spec, parent)]


def store_clip_adapter(blobs: BlobStore, tmp_path: Path, weights: dict, lora_config: dict | None = None,
                       **config) -> AdapterRef:
    data_ = clip_lora_file(tmp_path / "clip.safetensors", weights, lora_config)
    return AdapterRef(id="clip", sha256=blobs.put(data_), config=config)


# -- Model 2 ------------------------------------------------------------------------------------


def test_fusion_weight_0_is_model_1_bit_for_bit(engine: Engine, refine, parent: Image.Image, put_image) -> None:
    model_1 = draw(engine, refine(), parent)
    assert draw(engine, refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.0), parent) == model_1
    reference = put_image(Image.new("RGB", (64, 64), "white"))
    uploaded = refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.0, reference_sha256=reference)
    assert draw(engine, uploaded, parent) == model_1


def test_fusion_weight_above_0_mixes_in_the_reference(
    engine: Engine, refine, parent: Image.Image, put_image
) -> None:
    model_1 = draw(engine, refine(), parent)
    from_parent = engine.generate(refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.5), parent)
    stronger = draw(engine, refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.9), parent)
    photo = put_image(Image.fromarray(data.astronaut()).resize((96, 96)))
    uploaded = refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.5, reference_sha256=photo)
    from_upload = draw(engine, uploaded, parent)
    sketched = draw(engine, uploaded.model_copy(update={"sketchify_reference": True}), parent)
    outputs = [model_1, [i.image.tobytes() for i in from_parent], stronger, from_upload, sketched]
    assert len({tuple(o) for o in outputs}) == len(outputs), "weight, reference and sketching all count"
    clip = from_parent[0].recipe["clip"]
    assert (clip["reference_source"], clip["fusion_weight"], clip["sketchified"]) == ("parent", 0.5, False)
    assert len(clip["image_encoder_sha256"]) == 64 and clip["adapter"] is None


def test_the_first_round_can_fuse_an_uploaded_sketch(engine: Engine, make_spec, put_image) -> None:
    reference = put_image(Image.fromarray(data.astronaut()).resize((64, 64)))
    spec = make_spec(strategy=Strategy.CLIP_FUSION, fusion_weight=0.5, reference_sha256=reference, seeds=[1])
    fused = engine.generate(spec)[0]
    assert fused.image.tobytes() != engine.generate(make_spec(seeds=[1]))[0].image.tobytes()
    assert fused.recipe["clip"]["reference_sha256"] == reference


def test_a_first_round_without_a_reference_draws_from_the_text(engine: Engine, make_spec) -> None:
    """Nothing picked, nothing uploaded: Model 2's first round is Model 1's txt2img (the API allows it)."""
    fused = engine.generate(make_spec(strategy=Strategy.CLIP_FUSION, fusion_weight=0.5, seeds=[1]))[0]
    assert fused.image.tobytes() == engine.generate(make_spec(seeds=[1]))[0].image.tobytes()
    assert fused.recipe["clip"] == {"fusion_weight": 0.5, "adapter": None}, "no reference, no encoder hash"


def test_the_fusion_formula(engine: Engine) -> None:
    parts = engine.clip_parts()
    direction = image_direction(parts, Image.fromarray(data.astronaut()))
    # pinv of an invertible W_t: projecting back gives the unit image embedding.
    back = direction @ parts.projection.matrix().T
    assert torch.allclose(back.norm(), torch.tensor(1.0), atol=1e-4)
    tokens = torch.randn(1, 77, 32) * torch.linspace(0.5, 30, 77)[None, :, None]
    assert fuse(tokens, direction, 0.0) is tokens
    image_only = fuse(tokens, direction, 1.0)
    torch.testing.assert_close(image_only.norm(dim=-1), tokens.norm(dim=-1), msg="each token keeps its length")
    unit = direction / direction.norm()
    torch.testing.assert_close(image_only / image_only.norm(dim=-1, keepdim=True), unit.expand(1, 77, 32))
    torch.testing.assert_close(fuse(tokens, direction, 0.25), 0.75 * tokens + 0.25 * image_only)


def test_a_model_without_clip_parts_says_what_is_missing(engine: Engine, tiny_model_dir: Path, tmp_path: Path) -> None:
    bare = tmp_path / "sd15"
    bare.mkdir()
    with pytest.raises(MissingComponentError, match=r"put openai/clip-vit-large-patch14 in .*image_encoder"):
        load_clip_parts(bare, engine.txt2img, engine.device, engine.dtype)
    shutil.copytree(tiny_model_dir / "image_encoder", bare / "image_encoder")
    with pytest.raises(MissingComponentError, match="text_projection"):
        load_clip_parts(bare, engine.txt2img, engine.device, engine.dtype)
    shutil.copy(tiny_model_dir / "text_projection.safetensors", bare)
    assert len(load_clip_parts(bare, engine.txt2img, engine.device, engine.dtype).sha256) == 64


def test_the_full_clip_checkpoint_carries_the_text_projection(
    engine: Engine, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from transformers import CLIPConfig, CLIPModel, CLIPVisionModelWithProjection

    vision = CLIPVisionModelWithProjection.from_pretrained(tiny_model_dir / "image_encoder")
    text = engine.txt2img.text_encoder.config
    full = CLIPModel(CLIPConfig(text_config=text.to_dict(), vision_config=vision.config.to_dict(),
                                projection_dim=vision.config.projection_dim))
    full.save_pretrained(tmp_path / "image_encoder")
    parts = load_clip_parts(tmp_path, engine.txt2img, engine.device, engine.dtype)
    assert torch.equal(parts.projection.matrix(), full.text_projection.weight.detach())


# -- Model 3 ------------------------------------------------------------------------------------


def plain_linears(model: nn.Module) -> bool:
    return all(type(m) is nn.Linear for n, m in model.named_modules() if n.endswith(("q_proj", "out_proj")))


def test_a_clip_adapter_applies_for_the_job_and_leaves_no_trace(
    engine: Engine, refine, parent: Image.Image, blobs: BlobStore, tiny_model_dir: Path, tmp_path: Path
) -> None:
    model_2 = refine(strategy=Strategy.CLIP_FUSION, fusion_weight=0.5)
    before = draw(engine, model_2, parent)
    encoder = engine.txt2img.text_encoder
    grads = [p.requires_grad for p in encoder.parameters()]
    adapter = store_clip_adapter(blobs, tmp_path, clip_lora_weights(tiny_model_dir, 1), rank=4, alpha=8)
    model_3 = refine(strategy=Strategy.CLIP_LORA, fusion_weight=0.5, clip_adapter=adapter)
    adapted = engine.generate(model_3, parent)
    assert [i.image.tobytes() for i in adapted] != before
    assert adapted[0].recipe["clip"]["adapter"] == {"id": "clip", "sha256": adapter.sha256, "weight": 1.0}
    assert plain_linears(encoder) and not hasattr(encoder, "peft_config")
    assert [p.requires_grad for p in encoder.parameters()] == grads
    assert draw(engine, model_2, parent) == before, "the base CLIP again, bit for bit"
    at_0 = draw(engine, model_3.model_copy(update={"fusion_weight": 0.0}), parent)
    assert at_0 != draw(engine, refine(), parent), "at weight 0 the adapted text encoder still counts"
    half = draw(engine, model_3.model_copy(update={"clip_adapter": adapter.model_copy(update={"weight": 0.5})}),
                parent)
    assert half not in (before, [i.image.tobytes() for i in adapted])


def test_either_prefix_may_be_missing(
    engine: Engine, refine, parent: Image.Image, blobs: BlobStore, tiny_model_dir: Path, tmp_path: Path
) -> None:
    prefixed = clip_lora_weights(tiny_model_dir, 2)
    bare = {k.removeprefix("text_model."): v for k, v in prefixed.items()}
    assert bare.keys() != prefixed.keys()
    spec = refine(strategy=Strategy.CLIP_LORA, fusion_weight=0.5)
    with_prefix = store_clip_adapter(blobs, tmp_path, prefixed)
    # peft's wrapper prefix and an adapter name inside the key, as a PeftModel's state_dict() has them
    named = {f"base_model.model.{k}".replace(".weight", ".default.weight"): v for k, v in bare.items()}
    without = store_clip_adapter(blobs, tmp_path, named)
    text_only = draw(engine, spec.model_copy(update={"clip_adapter": with_prefix}), parent)
    assert draw(engine, spec.model_copy(update={"clip_adapter": without}), parent) == text_only
    vision_only = store_clip_adapter(blobs, tmp_path, clip_lora_weights(tiny_model_dir, 2, text=False, vision=True))
    both = store_clip_adapter(blobs, tmp_path, clip_lora_weights(tiny_model_dir, 2, vision=True))
    assert draw(engine, spec.model_copy(update={"clip_adapter": vision_only}), parent) != text_only
    assert draw(engine, spec.model_copy(update={"clip_adapter": both}), parent) != text_only
    assert plain_linears(engine.clip_parts().vision)


def test_a_broken_clip_adapter_is_refused_and_changes_nothing(
    engine: Engine, refine, parent: Image.Image, blobs: BlobStore, tmp_path: Path
) -> None:
    before = draw(engine, refine(), parent)
    wrong = {"text_model.encoder.layers.9.self_attn.q_proj.lora_A.weight": torch.ones(4, 32),
             "text_model.encoder.layers.9.self_attn.q_proj.lora_B.weight": torch.ones(32, 4)}
    spec = refine(strategy=Strategy.CLIP_LORA, clip_adapter=store_clip_adapter(blobs, tmp_path, wrong))
    with pytest.raises(ValueError, match="no module"):
        engine.generate(spec, parent)
    not_lora = store_clip_adapter(blobs, tmp_path, {"text_model.final_layer_norm.weight": torch.ones(32)})
    with pytest.raises(ValueError, match="not a LoRA weight"):
        engine.generate(spec.model_copy(update={"clip_adapter": not_lora}), parent)
    assert draw(engine, refine(), parent) == before
    assert plain_linears(engine.txt2img.text_encoder)


def test_alpha_comes_from_the_file_then_the_registry_then_the_rank(
    engine: Engine, refine, parent: Image.Image, blobs: BlobStore, tiny_model_dir: Path, tmp_path: Path
) -> None:
    weights = clip_lora_weights(tiny_model_dir, 4, rank=4, alpha=8)
    spec = refine(strategy=Strategy.CLIP_LORA, fusion_weight=0.5)

    def drawn(adapter: AdapterRef) -> list[bytes]:
        return draw(engine, spec.model_copy(update={"clip_adapter": adapter}), parent)

    in_file = store_clip_adapter(blobs, tmp_path, weights, {"r": 4, "lora_alpha": 8}, rank=4, alpha=2)
    in_registry = store_clip_adapter(blobs, tmp_path, weights, rank=4, alpha=8)
    nowhere = in_registry.model_copy(update={"config": {}})
    assert drawn(in_file) == drawn(in_registry), "the file's own alpha wins over a stale registry copy"
    assert drawn(nowhere) != drawn(in_registry), "with no alpha anywhere it is the rank (scale 1, not 2)"
