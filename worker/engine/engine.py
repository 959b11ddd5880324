"""The engine: a generation spec in, candidate images with their recipes out.

One Engine per worker process holds the model (loaded once); txt2img and img2img
are two pipelines over the same modules, so the weights are in memory once.
"""

from __future__ import annotations

import gc
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from diffusers import (
    DDIMScheduler,
    DiffusionPipeline,
    StableDiffusionImg2ImgPipeline,
    StableDiffusionPipeline,
)
from PIL import Image

from common.models import ModelChoice
from common.spec import GenerationSpec, Mode, Strategy
from worker.engine.hashing import model_sha256
from worker.engine.prompts import EncodedPrompts, encode_prompts
from worker.engine.recipes import build_recipe, scheduler_entry
from worker.engine.tiny import ensure_tiny_model

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
StepCallback = Callable[[int, int], bool | None]


class GenerationCancelled(Exception):
    """on_step asked to stop; raised right after that step, before any image is decoded."""

    def __init__(self, step: int, total_steps: int) -> None:
        super().__init__(step, total_steps)  # args as __init__ takes them: survives pickling
        self.step = step
        self.total_steps = total_steps

    def __str__(self) -> str:
        return f"generation cancelled after step {self.step} of {self.total_steps}"


class EngineOutOfMemory(Exception):
    """The device ran out of memory; the engine freed what it could and stays usable."""


@dataclass
class GeneratedImage:
    image: Image.Image
    seed: int
    recipe: dict[str, Any]


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


class Engine:
    def __init__(self, model: ModelChoice, device: str = "auto", dtype: str = "auto") -> None:
        if model.random_weights:
            ensure_tiny_model(model.path)
        self.model = model
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.txt2img = self._load()
        # Same modules, its own scheduler: schedulers keep per-run state (timesteps, begin index).
        self.img2img = StableDiffusionImg2ImgPipeline.from_pipe(self.txt2img, scheduler=self._scheduler())
        self.img2img.set_progress_bar_config(disable=True)
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
        }

    @property
    def deterministic(self) -> bool:
        """CPU kernels repeat bit for bit; CUDA only with deterministic algorithms switched on."""
        return self.device.type != "cuda" or torch.are_deterministic_algorithms_enabled()

    # -- generation ----------------------------------------------------------------------------

    def generate(
        self,
        spec: GenerationSpec,
        parent: Image.Image | None = None,
        on_step: StepCallback | None = None,
    ) -> list[GeneratedImage]:
        """Draws len(spec.seeds) candidates in one batched call.

        on_step(step_done, total_steps) runs after every denoising step; returning
        False cancels (GenerationCancelled). Out of device memory: EngineOutOfMemory.
        """
        # 1. Check the request against what this engine can draw
        self._check(spec, parent)
        failure = ""
        try:
            return self._generate(spec, parent, on_step)
        except (torch.cuda.OutOfMemoryError, RuntimeError) as exc:
            if not _is_oom(exc):
                raise
            failure = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # Raised outside the except block: the old traceback, and the tensors its frames
        # hold, are gone before memory is freed.
        self._free_memory()
        raise EngineOutOfMemory(self._oom_message(spec, failure))

    def _generate(
        self, spec: GenerationSpec, parent: Image.Image | None, on_step: StepCallback | None
    ) -> list[GeneratedImage]:
        pipe = self.txt2img if spec.mode is Mode.TXT2IMG else self.img2img
        # 2. Encode prompt and negative prompt in 75-token chunks (nothing truncated)
        prompts = encode_prompts(
            pipe.tokenizer, pipe.text_encoder, spec.prompt, spec.negative_prompt, self.device
        )
        # 3. One CPU generator per candidate: a seed draws the same noise on any device
        generators = [torch.Generator("cpu").manual_seed(seed) for seed in spec.seeds]
        # 4. Assemble the call: per-step progress and cancel ride on callback_on_step_end
        kwargs = self._call_kwargs(spec, prompts, generators, on_step)
        if spec.mode is Mode.IMG2IMG:
            assert parent is not None  # _check made sure
            kwargs.update(image=self._prepare_parent(parent, spec), strength=spec.strength)
        else:
            kwargs.update(height=spec.height, width=spec.width)
        # 5. Denoise and decode every candidate in one batched pipeline call
        images = self._run_pipeline(pipe, kwargs)
        # 6. Attach the recipe that redraws each image
        return self._package(spec, pipe, prompts, images)

    def _check(self, spec: GenerationSpec, parent: Image.Image | None) -> None:
        if spec.mode is Mode.TXT2IMG:
            if parent is not None:
                raise ValueError("txt2img draws from noise: pass no parent image")
            return
        if parent is None:
            raise ValueError("img2img needs the parent image (the chosen candidate)")
        if spec.strategy is not Strategy.IMG2IMG:
            raise NotImplementedError(f"strategy {spec.strategy.value!r} is not available in this engine yet")
        if steps_to_run(spec) < 1:
            raise ValueError(
                f"strength {spec.strength} of {spec.steps} steps leaves no step to run; "
                "raise the strength or the steps"
            )

    def _call_kwargs(
        self,
        spec: GenerationSpec,
        prompts: EncodedPrompts,
        generators: list[torch.Generator],
        on_step: StepCallback | None,
    ) -> dict[str, Any]:
        return {
            "prompt_embeds": prompts.prompt_embeds,
            "negative_prompt_embeds": prompts.negative_prompt_embeds,
            "num_inference_steps": spec.steps,
            "guidance_scale": spec.guidance,
            "num_images_per_prompt": len(spec.seeds),
            "generator": generators,
            "output_type": "pil",
            "callback_on_step_end": _step_callback(on_step) if on_step else None,
            "callback_on_step_end_tensor_inputs": [],
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

    def _package(
        self,
        spec: GenerationSpec,
        pipe: DiffusionPipeline,
        prompts: EncodedPrompts,
        images: list[Image.Image],
    ) -> list[GeneratedImage]:
        info = {**self.info, "deterministic": self.deterministic}
        scheduler = scheduler_entry(pipe.scheduler)
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


def _step_callback(on_step: StepCallback) -> Callable[..., dict[str, Any]]:
    def callback(pipe: DiffusionPipeline, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        total = pipe.num_timesteps
        if on_step(i + 1, total) is False:
            # Raising (not pipe._interrupt) stops at once: no remaining steps, no VAE decode.
            raise GenerationCancelled(i + 1, total)
        return {}

    return callback
