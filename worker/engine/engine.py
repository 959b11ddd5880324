"""The engine: a generation spec in, candidate images with their recipes out.

One Engine per worker process holds the model (loaded once); txt2img and img2img
are two pipelines over the same modules, so the weights are in memory once.
Everything a round can choose rides on those two pipelines:

- Model 1 (img2img), Model 2 (clip-fusion: clip.py), Model 3 (clip-lora: clip_lora.py)
  differ only in the conditioning handed to the pipeline;
- a style blend interpolates two encodings of the prompt (prompts.py);
- UNet LoRA adapters are switched on for the job, constant or ramped (adapters.py);
- a region or painted mask pins the latents outside it and composites (masks.py);
- a cheap latent preview can follow every step (preview.py).

Files (adapters, reference uploads, painted masks) are found by SHA-256 through
`blob_path`, so the engine needs no knowledge of where the blob store lives.
"""

from __future__ import annotations

import gc
import importlib.metadata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    DDIMScheduler,
    DiffusionPipeline,
    StableDiffusionImg2ImgPipeline,
    StableDiffusionPipeline,
)
from diffusers.utils.torch_utils import randn_tensor
from PIL import Image

from common.models import ModelChoice
from common.spec import AdapterRef, GenerationSpec, Mode, Strategy
from common.styles import restyle
from worker.engine.adapters import RampHook, UnetAdapters, ramp_factor
from worker.engine.clip import ClipParts, fuse, image_direction, load_clip_parts
from worker.engine.clip_lora import ClipAdapter, clip_adapter_applied, read_clip_adapter
from worker.engine.deepcache import feature_cache
from worker.engine.evolve import check_evolve, draw_evolved
from worker.engine.hashing import model_sha256
from worker.engine.masks import (
    LatentPinning,
    RefineMask,
    check_not_empty,
    composite,
    latent_mask,
    painted_refine_mask,
    region_refine_mask,
)
from worker.engine.preview import PreviewCallback, PreviewHook
from worker.engine.prompts import EncodedPrompts, encode_blended_prompts, encode_prompts
from worker.engine.recipes import build_recipe, scheduler_entry
from worker.engine.scales import apply_sliders, scales_entry
from worker.engine.speedups import Speedups, apply_speedups, recipe_entry
from worker.engine.tiny import ensure_tiny_model

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
StepCallback = Callable[[int, int], bool | None]
StepHook = Callable[[DiffusionPipeline, int, torch.Tensor], torch.Tensor]
BlobPath = Callable[[str], Path]
CLIP_ADAPTERS_KEPT = 4


class GenerationCancelled(Exception):
    """on_step asked to stop; raised right after that step, before any image is decoded."""

    def __init__(self, step: int, total_steps: int) -> None:
        super().__init__(step, total_steps)  # args as __init__ takes them: survives pickling
        self.step = step
        self.total_steps = total_steps

    def __str__(self) -> str:
        return f"generation cancelled after step {self.step} of {self.total_steps}"


class EngineOutOfMemory(Exception):
    """The device ran out of memory; the engine freed what it could and stays usable.

    restart_worker: a CUDA allocator failure can leave the device's memory fragmented
    for the rest of the process's life, so the worker should end the job, then let a
    fresh process take its place (see should_restart_after).
    """

    def __init__(self, message: str, restart_worker: bool = False) -> None:
        super().__init__(message, restart_worker)  # args as __init__ takes them: survives pickling
        self.message = message
        self.restart_worker = restart_worker

    def __str__(self) -> str:
        return self.message


def should_restart_after(exc: BaseException) -> bool:
    """Whether the process that ran into `exc` should be replaced once the job is recorded."""
    return isinstance(exc, EngineOutOfMemory) and exc.restart_worker


@dataclass
class GeneratedImage:
    image: Image.Image
    seed: int
    recipe: dict[str, Any]


@dataclass
class _Conditioning:
    prompts: EncodedPrompts
    blend_prompt: str | None
    clip: dict[str, Any] | None  # what CLIP fusion used, for the recipe


def steps_to_run(spec: GenerationSpec) -> int:
    """Denoising steps a spec runs: img2img skips the first (1 - strength) of the schedule."""
    if spec.mode is Mode.TXT2IMG:
        return spec.steps
    return min(int(spec.steps * spec.strength), spec.steps)  # as diffusers' get_timesteps


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    if dtype == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    return DTYPES[dtype]


def _versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in ("torch", "diffusers", "transformers", "peft")}


def _is_oom(exc: BaseException) -> bool:
    # CUDA raises its own type; the CPU allocator only says so in a RuntimeError.
    return isinstance(exc, torch.cuda.OutOfMemoryError) or "can't allocate memory" in str(exc)


def _fuses(spec: GenerationSpec) -> bool:
    """Models 2 and 3 with a weight above 0 mix a reference image into the conditioning: the upload,
    else the parent. A first round with neither has nothing to fuse and draws from the text alone."""
    has_reference = spec.reference_sha256 is not None or spec.mode is Mode.IMG2IMG
    return spec.strategy is not Strategy.IMG2IMG and spec.fusion_weight > 0 and has_reference


class Engine:
    def __init__(
        self,
        model: ModelChoice,
        device: str = "auto",
        dtype: str = "auto",
        blob_path: BlobPath | None = None,
        speedups: Speedups | None = None,
        preview_every_s: float = 0.0,
    ) -> None:
        """preview_every_s: the least time between two step previews (0: one after every step)."""
        if model.random_weights:
            ensure_tiny_model(model.path)
        self.model = model
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.blob_path = blob_path
        self.preview_every_s = preview_every_s
        self.txt2img = self._load()
        # Same modules, its own scheduler: schedulers keep per-run state (timesteps, begin index).
        # dtype again: from_pipe casts the shared modules to float32 unless told otherwise.
        self.img2img = StableDiffusionImg2ImgPipeline.from_pipe(
            self.txt2img, scheduler=self._scheduler(), dtype=self.dtype
        )
        self.img2img.set_progress_bar_config(disable=True)
        # None: the plain pipeline as loaded (SDPA attention, nothing else), modules untouched.
        plain = {"fp16": self.dtype == torch.float16, "sdpa": True, "channels_last": False, "compile": False}
        self.speedups = plain if speedups is None else apply_speedups(self.txt2img, speedups.resolved(self.device))
        # One UNet under both pipelines, so one set of adapters serves both.
        self.adapters = UnetAdapters(self.txt2img, lambda sha256: self._blob_file(sha256, "adapter"))
        self._clip: ClipParts | None = None  # loaded on the first clip-fusion round
        self._clip_adapters: OrderedDict[str, ClipAdapter] = OrderedDict()
        self.info = self._describe()

    # -- loading -------------------------------------------------------------------------------

    def _load(self) -> StableDiffusionPipeline:
        pipe = StableDiffusionPipeline.from_pretrained(
            self.model.path,
            local_files_only=True,
            safety_checker=None,
            requires_safety_checker=False,
            dtype=self.dtype,
        )
        # DDIM with eta 0 adds no noise while stepping: the seeds alone decide the image.
        pipe.scheduler = DDIMScheduler.from_config(pipe.scheduler.config)
        pipe.set_progress_bar_config(disable=True)
        return pipe.to(self.device)

    def _scheduler(self) -> DDIMScheduler:
        return DDIMScheduler.from_config(self.txt2img.scheduler.config)

    def _describe(self) -> dict[str, Any]:
        cuda = self.device.type == "cuda"
        return {
            "name": self.model.label,
            "sha256": model_sha256(self.model.path),
            "random_weights": self.model.random_weights,
            "device": str(self.device),
            "device_name": torch.cuda.get_device_name(self.device) if cuda else "cpu",
            "dtype": str(self.dtype).removeprefix("torch."),
            "deterministic": self.deterministic,
            "versions": _versions(),
            "speedups": dict(self.speedups),
        }

    @property
    def deterministic(self) -> bool:
        """CPU kernels repeat bit for bit; CUDA only with deterministic algorithms switched on."""
        return self.device.type != "cuda" or torch.are_deterministic_algorithms_enabled()

    def _blob_file(self, sha256: str, what: str) -> Path:
        if self.blob_path is None:
            raise ValueError(f"this round needs a stored {what} ({sha256}), but the engine was built "
                             "without blob_path: pass Engine(..., blob_path=<sha256 -> Path>)")
        path = self.blob_path(sha256)
        if not path.is_file():
            raise FileNotFoundError(f"the {what} {sha256} is missing from the blob store")
        return path

    def clip_parts(self) -> ClipParts:
        """The image encoder and text projection of Models 2 and 3, loaded on first use."""
        if self._clip is None:
            self._clip = load_clip_parts(self.model.path, self.txt2img, self.device, self.dtype)
        return self._clip

    def _clip_adapter(self, ref: AdapterRef) -> ClipAdapter:
        """A clip-lora file, read once and kept (by SHA-256) for the next rounds."""
        cached = self._clip_adapters.get(ref.sha256)
        if cached is None:
            cached = read_clip_adapter(self._blob_file(ref.sha256, "clip adapter"), ref)
            self._clip_adapters[ref.sha256] = cached
            while len(self._clip_adapters) > CLIP_ADAPTERS_KEPT:
                self._clip_adapters.popitem(last=False)
        self._clip_adapters.move_to_end(ref.sha256)
        # The file's tensors are shared; the weight and config are this round's.
        return replace(cached, weight=ref.weight, config=dict(ref.config))

    def unload_adapters(self) -> None:
        """Frees every cached adapter (UNet and CLIP); the next round reads them again."""
        self.adapters.unload_all()
        self._clip_adapters.clear()

    # -- generation ----------------------------------------------------------------------------

    def generate(
        self,
        spec: GenerationSpec,
        parent: Image.Image | None = None,
        on_step: StepCallback | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> list[GeneratedImage]:
        """Draws len(spec.seeds) candidates in one batched call.

        on_step(step_done, total_steps) runs after every denoising step; returning
        False cancels (GenerationCancelled). on_preview(step_done, image), when given
        and spec.preview is on, gets a cheap RGB look at the latents after each step
        (at most one per `preview_every_s`).
        Out of device memory: EngineOutOfMemory.
        """
        # 1. Check the request against what this engine can draw
        self._check(spec, parent)
        failure, restart = "", False
        try:
            return self._generate(spec, parent, on_step, on_preview)
        except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
            if not _is_oom(exc):
                raise
            failure = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            restart = isinstance(exc, torch.cuda.OutOfMemoryError)
        # Raised outside the except block: the old traceback, and the tensors its frames
        # hold, are gone before memory is freed.
        self._free_memory()
        raise EngineOutOfMemory(self._oom_message(spec, failure), restart_worker=restart)

    def _generate(
        self,
        spec: GenerationSpec,
        parent: Image.Image | None,
        on_step: StepCallback | None,
        on_preview: PreviewCallback | None,
    ) -> list[GeneratedImage]:
        if spec.evolve is not None:  # an evolved array: its own latents and conditioning per face (evolve.py)
            return draw_evolved(self, spec, parent, on_step, on_preview)
        pipe = self.txt2img if spec.mode is Mode.TXT2IMG else self.img2img
        start = self._prepare_parent(parent, spec) if parent is not None else None
        # 2. The mask of a feature-targeted round, first: no face is a quick, clear error
        mask = self._mask(spec, parent)
        # 3. Conditioning: prompt (+ style blend) in 75-token chunks, CLIP fusion for Models 2 and 3
        conditioning = self._condition(spec, pipe, parent)
        try:
            # 4. UNet adapters on for this job, at their first step's weight
            self._activate_adapters(spec)
            # 5. Assemble the call; per-step work (masking, preview, ramp, progress) rides on one callback
            kwargs = self._assemble(spec, pipe, conditioning.prompts, start, mask, on_step, on_preview)
            # 6. Denoise and decode every candidate in one batched pipeline call
            with feature_cache(pipe.unet, spec.cache_interval):
                images = self._run_pipeline(pipe, kwargs)
        finally:
            self.adapters.deactivate()
        # 7. A masked round changes nothing outside its mask: lay the result over the parent
        if mask is not None:
            assert start is not None
            images = [composite(start, image, mask) for image in images]
        # 8. Attach the recipe that redraws each image
        return self._package(spec, pipe, conditioning, mask, images)

    def _assemble(
        self,
        spec: GenerationSpec,
        pipe: DiffusionPipeline,
        prompts: EncodedPrompts,
        start: Image.Image | None,
        mask: RefineMask | None,
        on_step: StepCallback | None,
        on_preview: PreviewCallback | None,
    ) -> dict[str, Any]:
        # One CPU generator per candidate: a seed draws the same noise on any device.
        generators = [torch.Generator("cpu").manual_seed(seed) for seed in spec.seeds]
        kwargs = self._call_kwargs(spec, prompts, generators)
        hooks: list[StepHook] = []
        if spec.mode is Mode.TXT2IMG:
            kwargs.update(height=spec.height, width=spec.width)
        else:
            assert start is not None  # _check made sure
            image: Image.Image | torch.Tensor = start
            if mask is not None:
                image, pinning = self._pinned_start(pipe, spec, start, mask)
                hooks.append(pinning)
            kwargs.update(image=image, strength=spec.strength)
        hooks += self._optional_hooks(spec, on_preview)
        return {**kwargs, **_callback_kwargs(hooks, on_step)}

    def _check(self, spec: GenerationSpec, parent: Image.Image | None) -> None:
        if spec.strategy is Strategy.EVOLVE and spec.evolve is None:
            raise ValueError("strategy evolve needs evolve (the array's genomes)")
        if spec.evolve is not None:
            check_evolve(spec)
            return
        if spec.strategy is Strategy.CLIP_LORA and spec.clip_adapter is None:
            raise ValueError("strategy clip-lora needs clip_adapter (a clip-lora adapter from the registry)")
        if spec.region is not None and spec.mask_sha256 is not None:
            raise ValueError("choose a facial region or a painted mask, not both")
        if spec.mode is Mode.TXT2IMG:
            if parent is not None:
                raise ValueError("txt2img draws from noise: pass no parent image")
            if spec.region is not None or spec.mask_sha256 is not None:
                raise ValueError("a region or mask refines a picked candidate: img2img with its parent image")
            return
        if parent is None:
            raise ValueError("img2img needs the parent image (the chosen candidate)")
        if steps_to_run(spec) < 1:
            raise ValueError(
                f"strength {spec.strength} of {spec.steps} steps leaves no step to run; "
                "raise the strength or the steps"
            )

    # -- 2. masks ------------------------------------------------------------------------------

    def _mask(self, spec: GenerationSpec, parent: Image.Image | None) -> RefineMask | None:
        size = (spec.width, spec.height)
        if spec.region is not None:
            assert parent is not None
            # Located on the parent as stored: the same picture the API checked for a face.
            mask = region_refine_mask(parent, spec.region, size)
        elif spec.mask_sha256 is not None:
            mask = painted_refine_mask(self._blob_file(spec.mask_sha256, "mask"), spec.mask_sha256, size)
        else:
            return None
        check_not_empty(mask)
        return mask

    def _pinned_start(
        self, pipe: DiffusionPipeline, spec: GenerationSpec, start: Image.Image, mask: RefineMask
    ) -> tuple[torch.Tensor, LatentPinning]:
        """The parent's latents for every candidate, and the hook that pins them outside the mask.

        Handing the pipeline latents (4 channels) skips its own VAE sampling, so the first
        thing each generator draws is the noise it adds; drawing it here from fresh
        generators gives the very same noise for re-noising the parent at every step.
        """
        vae = pipe.vae
        pixels = pipe.image_processor.preprocess(start).to(device=self.device, dtype=vae.dtype)
        with torch.no_grad():
            clean = vae.encode(pixels).latent_dist.mode() * vae.config.scaling_factor
        clean = clean.to(self.dtype).repeat(len(spec.seeds), 1, 1, 1)
        fresh = [torch.Generator("cpu").manual_seed(seed) for seed in spec.seeds]
        noise = randn_tensor(clean.shape, generator=fresh, device=self.device, dtype=self.dtype)
        free = latent_mask(mask, pipe.vae_scale_factor, self.device, self.dtype)
        return clean, LatentPinning(clean, noise, free)

    # -- 3. conditioning -----------------------------------------------------------------------

    def _condition(self, spec: GenerationSpec, pipe: DiffusionPipeline, parent: Image.Image | None) -> _Conditioning:
        parts = self.clip_parts() if _fuses(spec) else None
        adapter = None
        if spec.strategy is Strategy.CLIP_LORA and spec.clip_adapter is not None:  # _check: always set
            adapter = self._clip_adapter(spec.clip_adapter)
        towers = {"text": pipe.text_encoder, "vision": parts.vision if parts else None,
                  "projection": parts.projection if parts else None}
        # Model 3's adapter is on CLIP only while CLIP encodes; the UNet never sees it.
        with clip_adapter_applied(adapter, towers):
            prompts, blend_prompt = self._encode(spec, pipe)
            clip = None
            if parts is not None:
                reference, clip = self._reference(spec, parent)
                fused = fuse(prompts.prompt_embeds, image_direction(parts, reference), spec.fusion_weight)
                prompts = replace(prompts, prompt_embeds=fused)
                clip["image_encoder_sha256"] = parts.sha256
        if spec.sliders:  # holistic scales move the whole batch (an evolved array applies them per face)
            embeds = apply_sliders(prompts.prompt_embeds, spec.sliders, pipe.tokenizer, pipe.text_encoder, self.device)
            prompts = replace(prompts, prompt_embeds=embeds)
        if spec.strategy not in (Strategy.IMG2IMG, Strategy.EVOLVE):
            clip = {**(clip or {}), "fusion_weight": spec.fusion_weight, "adapter": _adapter_entry(spec.clip_adapter)}
        return _Conditioning(prompts, blend_prompt, clip)

    def _encode(self, spec: GenerationSpec, pipe: DiffusionPipeline) -> tuple[EncodedPrompts, str | None]:
        """The prompt's encoding, blended toward another style's when the spec asks."""
        tokenizer, encoder = pipe.tokenizer, pipe.text_encoder
        blend = spec.style_blend
        if blend is None:
            return encode_prompts(tokenizer, encoder, spec.prompt, spec.negative_prompt, self.device), None
        other = restyle(spec.prompt, spec.style, blend.style)
        encoded = encode_blended_prompts(tokenizer, encoder, spec.prompt, other, blend.weight, spec.negative_prompt,
                                         self.device)
        return encoded, other

    def _reference(self, spec: GenerationSpec, parent: Image.Image | None) -> tuple[Image.Image, dict[str, Any]]:
        """The image fused into the conditioning: the uploaded reference, else the parent."""
        sha256: str | None
        if spec.reference_sha256 is not None:
            with Image.open(self._blob_file(spec.reference_sha256, "reference image")) as stored:
                image = stored.convert("RGB")
            source, sha256 = "upload", spec.reference_sha256
        else:
            assert parent is not None  # img2img: _check made sure
            image, source, sha256 = parent.convert("RGB"), "parent", spec.parent_sha256
        if spec.sketchify_reference:
            from common.faces import photo_to_pencil_sketch  # OpenCV: only when asked

            image = photo_to_pencil_sketch(image)
        return image, {"reference_sha256": sha256, "reference_source": source,
                       "sketchified": spec.sketchify_reference}

    # -- 4./5. adapters, hooks, call ------------------------------------------------------------

    def _activate_adapters(self, spec: GenerationSpec) -> None:
        ramp = spec.adapter_schedule == "ramp"
        self.adapters.activate(list(spec.adapters), ramp_factor(0, steps_to_run(spec)) if ramp else 1.0)

    def _optional_hooks(self, spec: GenerationSpec, on_preview: PreviewCallback | None) -> list[StepHook]:
        hooks: list[StepHook] = []
        if on_preview is not None and spec.preview:
            hooks.append(PreviewHook(on_preview, self.preview_every_s))
        if spec.adapters and spec.adapter_schedule == "ramp":
            hooks.append(RampHook(self.adapters, steps_to_run(spec)))
        return hooks

    def _call_kwargs(
        self, spec: GenerationSpec, prompts: EncodedPrompts, generators: list[torch.Generator]
    ) -> dict[str, Any]:
        return {
            "prompt_embeds": prompts.prompt_embeds,
            "negative_prompt_embeds": prompts.negative_prompt_embeds,
            "num_inference_steps": spec.steps,
            "guidance_scale": spec.guidance,
            "num_images_per_prompt": len(spec.seeds),
            "generator": generators,
            "output_type": "pil",
        }

    @staticmethod
    def _prepare_parent(parent: Image.Image, spec: GenerationSpec) -> Image.Image:
        image = parent.convert("RGB")
        if image.size != (spec.width, spec.height):
            image = image.resize((spec.width, spec.height), Image.Resampling.LANCZOS)
        return image

    def _run_pipeline(self, pipe: DiffusionPipeline, kwargs: dict[str, Any]) -> list[Image.Image]:
        """The one place the pipeline runs (tests replace it to inject failures)."""
        return pipe(**kwargs).images

    # -- 8. recipes ----------------------------------------------------------------------------

    def _package(
        self,
        spec: GenerationSpec,
        pipe: DiffusionPipeline,
        conditioning: _Conditioning,
        mask: RefineMask | None,
        images: list[Image.Image],
    ) -> list[GeneratedImage]:
        info = {**self.info, "deterministic": self.deterministic}
        scheduler = scheduler_entry(pipe.scheduler)
        prompts = conditioning.prompts
        extras = {
            "style_blend": None if spec.style_blend is None else {
                **spec.style_blend.model_dump(mode="json"), "prompt": conditioning.blend_prompt,
                "token_count": prompts.blend_token_count,
            },
            "adapters": [_adapter_entry(ref) for ref in spec.adapters],
            "mask": mask.recipe_entry() if mask is not None else None,
            "clip": conditioning.clip,
        }
        if spec.sliders and spec.evolve is None:
            extras["scales"] = scales_entry(spec.sliders)
        speedups = {**(recipe_entry(self.speedups) or {}), **_cache_entry(spec)}
        if speedups:  # only when on: plain recipes stay as they were
            extras["speedups"] = speedups
        return [
            GeneratedImage(
                image=image,
                seed=spec.seeds[i],
                recipe=build_recipe(
                    spec,
                    i,
                    engine_info=info,
                    scheduler=scheduler,
                    token_count=prompts.token_count,
                    negative_token_count=prompts.negative_token_count,
                    prompt_chunks=prompts.chunks,
                    extras=extras,
                ),
            )
            for i, image in enumerate(images)
        ]

    # -- out of memory -------------------------------------------------------------------------

    def _free_memory(self) -> None:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _oom_message(self, spec: GenerationSpec, failure: str) -> str:
        return (
            f"Out of memory on {self.info['device_name']} drawing {len(spec.seeds)} candidate(s) at "
            f"{spec.width}x{spec.height}. Ask for fewer candidates or a smaller size, or wait until "
            f"other work on this device has finished. ({failure})"
        )


def _cache_entry(spec: GenerationSpec) -> dict[str, Any]:
    return {"cache_interval": spec.cache_interval} if spec.cache_interval > 1 else {}


def _adapter_entry(ref: AdapterRef | None) -> dict[str, Any] | None:
    return None if ref is None else {"id": ref.id, "sha256": ref.sha256, "weight": ref.weight}


def _callback_kwargs(hooks: list[StepHook], on_step: StepCallback | None) -> dict[str, Any]:
    """callback_on_step_end and the tensors it needs; none at all when there is nothing to do per step."""
    if not hooks and on_step is None:
        return {"callback_on_step_end": None, "callback_on_step_end_tensor_inputs": []}

    def callback(pipe: DiffusionPipeline, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        if hooks:
            latents = tensors["latents"]
            for hook in hooks:
                latents = hook(pipe, i, latents)
            outputs["latents"] = latents
        if on_step is not None:
            total = pipe.num_timesteps
            if on_step(i + 1, total) is False:
                # Raising (not pipe._interrupt) stops at once: no remaining steps, no VAE decode.
                raise GenerationCancelled(i + 1, total)
        return outputs

    return {"callback_on_step_end": callback, "callback_on_step_end_tensor_inputs": ["latents"] if hooks else []}
