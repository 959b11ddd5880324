"""Drawing an evolved array (strategy evolve): genomes in, faces with their recipes out.

Each child's initial latents are its noise genome realised (`Σ c · N(seed)`, common/evolution.py) and
its conditioning is the prompt's encoding plus its conditioning offset, then the holistic scales. The
array is drawn txt2img in chunks of EVOLVE_CHUNK (a fixed size, so the redraw of a recipe repeats the
same batches bit for bit and an array of 18 never becomes one 18-image batch on the device).

Phases (EvoFIT: internal features first): when the spec holds one set of features, the latents over
it are pinned to the anchor image's (the top pick, spec.parent_sha256) re-noised to each step, as a
masked refinement does, and the result is laid over the anchor through the mask. Where dlib finds no
face on the anchor (always so with the tiny random model), nothing is held and the recipe says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from diffusers import DiffusionPipeline
from PIL import Image

from common.evolution import COND_SPREAD, EXTERNAL_REGIONS, INTERNAL_REGIONS, Child, Genome
from common.spec import GenerationSpec
from worker.engine.masks import LatentPinning, RefineMask, composite, latent_mask
from worker.engine.scales import apply_sliders, scales_entry

if TYPE_CHECKING:
    from worker.engine.engine import Engine, GeneratedImage, StepCallback
    from worker.engine.preview import PreviewCallback

EVOLVE_CHUNK = 6


def check_evolve(spec: GenerationSpec) -> None:
    assert spec.evolve is not None
    if spec.region is not None or spec.mask_sha256 is not None:
        raise ValueError("an evolved array holds features by its phase: no region or painted mask")
    if spec.evolve.hold is not None and spec.parent_sha256 is None:
        raise ValueError("holding features fixed needs the anchor image (parent_sha256)")


def _standard_normal(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    """What the pipeline itself draws for a seed: float32 on a CPU generator, any device the same."""
    return torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)


def realise_noise(genome: Genome, shape: tuple[int, ...]) -> torch.Tensor:
    """Σ c · N(seed), float32 on the CPU, summed in the genome's (sorted) order."""
    total = torch.zeros(shape, dtype=torch.float32)
    for seed, coefficient in genome.noise:
        total += coefficient * _standard_normal(seed, shape)
    return total


def realise_cond(genome: Genome, base: torch.Tensor) -> torch.Tensor:
    """The prompt's encoding (1, L, H) plus the genome's conditioning offset, in units of its spread."""
    base32 = base.detach().float().cpu()
    if not genome.cond:
        return base32
    spread = float(base32.std()) * COND_SPREAD
    offset = torch.zeros_like(base32)
    for seed, coefficient in genome.cond:
        offset += coefficient * _standard_normal(seed, tuple(base32.shape))
    return base32 + spread * offset


def _hold_mask(spec: GenerationSpec, anchor: Image.Image | None) -> tuple[RefineMask | None, dict[str, Any]]:
    """The mask of the features that evolve (the others are held), or None and the reason."""
    evolve = spec.evolve
    assert evolve is not None
    if evolve.hold is None or anchor is None:
        return None, {"requested": None, "applied": False}
    free = INTERNAL_REGIONS if evolve.hold == "external" else EXTERNAL_REGIONS
    from common.faces import FaceModelsMissingError, find_face, region_mask  # dlib: only when holding

    try:
        face = find_face(anchor)
    except FaceModelsMissingError as exc:
        return None, {"requested": evolve.hold, "applied": False, "reason": str(exc)}
    if face is None:
        return None, {"requested": evolve.hold, "applied": False,
                      "reason": "no face found on the anchor image: nothing held, the whole face evolves"}
    union = np.zeros((anchor.height, anchor.width), dtype=np.uint8)
    for region in free:
        union = np.maximum(union, np.asarray(region_mask(anchor, region, face=face)))
    image = Image.fromarray(union)
    size = (spec.width, spec.height)
    if image.size != size:
        image = image.resize(size, Image.Resampling.BILINEAR)
    mask = RefineMask(image, "evolve-phase", ",".join(free), None)
    if not np.asarray(mask.image).any():
        return None, {"requested": evolve.hold, "applied": False, "reason": "the evolving regions are empty"}
    return mask, {"requested": evolve.hold, "applied": True, "free_regions": list(free)}


def _child_conditioning(engine: Engine, spec: GenerationSpec, pipe: DiffusionPipeline,
                        base: torch.Tensor) -> torch.Tensor:
    """(N, L, H): each child's conditioning, scales applied, on the engine's device and dtype."""
    assert spec.evolve is not None
    cache: dict[str, torch.Tensor] = {}
    rows = []
    for child in spec.evolve.children:
        cond = realise_cond(child.genome, base).to(device=engine.device, dtype=engine.dtype)
        sliders = _sliders(spec, child)
        if sliders:
            cond = apply_sliders(cond, sliders, pipe.tokenizer, pipe.text_encoder, engine.device, cache)
        rows.append(cond)
    return torch.cat(rows)


def _sliders(spec: GenerationSpec, child: Child) -> dict[str, float]:
    return {**(spec.sliders or {}), **child.sliders}


def _pinned(engine: Engine, pipe: DiffusionPipeline, spec: GenerationSpec, start: Image.Image,
            mask: RefineMask, noise: torch.Tensor) -> tuple[torch.Tensor, LatentPinning]:
    """Initial latents (free: the child's noise; held: the anchor noised to the first step) and the hook."""
    vae = pipe.vae
    pixels = pipe.image_processor.preprocess(start).to(device=engine.device, dtype=vae.dtype)
    with torch.no_grad():
        clean = vae.encode(pixels).latent_dist.mode() * vae.config.scaling_factor
    clean = clean.to(engine.dtype).repeat(noise.shape[0], 1, 1, 1)
    free = latent_mask(mask, pipe.vae_scale_factor, engine.device, engine.dtype)
    scheduler = engine._scheduler()
    scheduler.set_timesteps(spec.steps)
    first = scheduler.add_noise(clean, noise, scheduler.timesteps[:1].to(engine.device))
    return free * noise + (1 - free) * first, LatentPinning(clean, noise, free)


def draw_evolved(engine: Engine, spec: GenerationSpec, parent: Image.Image | None,
                 on_step: StepCallback | None, on_preview: PreviewCallback | None) -> list[GeneratedImage]:
    from worker.engine.engine import _callback_kwargs, _Conditioning

    evolve = spec.evolve
    assert evolve is not None
    pipe = engine.txt2img
    start = engine._prepare_parent(parent, spec) if parent is not None else None
    mask, hold = _hold_mask(spec, parent.convert("RGB") if parent is not None else None)
    prompts, blend_prompt = engine._encode(spec, pipe)
    cond = _child_conditioning(engine, spec, pipe, prompts.prompt_embeds)
    shape = (1, pipe.unet.config.in_channels, spec.height // pipe.vae_scale_factor,
             spec.width // pipe.vae_scale_factor)
    noise = torch.cat([realise_noise(c.genome, shape) for c in evolve.children]).to(engine.device, engine.dtype)
    count = len(spec.seeds)
    chunks = [range(i, min(i + EVOLVE_CHUNK, count)) for i in range(0, count, EVOLVE_CHUNK)]
    images: list[Image.Image] = []
    try:
        engine._activate_adapters(spec)
        for k, rows in enumerate(chunks):
            sl = slice(rows.start, rows.stop)
            kwargs = _chunk_kwargs(spec, cond[sl], prompts.negative_prompt_embeds, noise[sl])
            hooks = engine._optional_hooks(spec, on_preview)
            if mask is not None:
                assert start is not None
                kwargs["latents"], pinning = _pinned(engine, pipe, spec, start, mask, noise[sl])
                hooks.insert(0, pinning)
            kwargs.update(_callback_kwargs(hooks, _chunk_progress(on_step, k, len(chunks))))
            images += engine._run_pipeline(pipe, kwargs)
    finally:
        engine.adapters.deactivate()
    if mask is not None:
        assert start is not None
        images = [composite(start, image, mask) for image in images]
    generated = engine._package(spec, pipe, _Conditioning(prompts, blend_prompt, None), mask, images)
    for item, child in zip(generated, evolve.children, strict=True):
        item.recipe["evolve"] = _recipe_entry(spec, child, hold)
    return generated


def _chunk_kwargs(spec: GenerationSpec, cond: torch.Tensor, negative: torch.Tensor,
                  noise: torch.Tensor) -> dict[str, Any]:
    # Given latents and DDIM at eta 0, the pipeline draws nothing: no generator.
    return {
        "prompt_embeds": cond,
        "negative_prompt_embeds": negative.repeat(cond.shape[0], 1, 1),
        "num_inference_steps": spec.steps,
        "guidance_scale": spec.guidance,
        "num_images_per_prompt": 1,
        "generator": None,
        "latents": noise,
        "height": spec.height,
        "width": spec.width,
        "output_type": "pil",
    }


def _chunk_progress(on_step: StepCallback | None, chunk: int, chunks: int) -> StepCallback | None:
    if on_step is None:
        return None
    callback: Callable[[int, int], bool | None] = on_step

    def report(step: int, total: int) -> bool | None:
        return callback(chunk * total + step, chunks * total)

    return report


def _recipe_entry(spec: GenerationSpec, child: Child, hold: dict[str, Any]) -> dict[str, Any]:
    """This face's own part of an evolved array: parents, weights, mutation, scales, phase."""
    assert spec.evolve is not None
    sliders = _sliders(spec, child)
    return {
        "generation": spec.evolve.generation, "phase": spec.evolve.phase, "array_scale": spec.evolve.scale,
        "kind": child.kind, "parents": [p.model_dump(mode="json") for p in child.parents],
        "mutation_seed": child.mutation_seed, "mutation_scale": child.mutation_scale,
        "genome": child.genome.model_dump(mode="json"), "cond_spread": COND_SPREAD, "chunk": EVOLVE_CHUNK,
        "hold": hold, "scales": scales_entry(sliders) if any(sliders.values()) else None,
    }
