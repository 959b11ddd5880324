"""Small, fast generation specs for the engine tests (64x64, a few steps), a blob store the
engine finds files in, and the adapters the tests register there (built in-process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from common.blobs import BlobStore
from common.models import ModelChoice
from common.spec import AdapterRef, GenerationSpec, Mode

if TYPE_CHECKING:
    from worker.engine import Engine

SpecFactory = Callable[..., GenerationSpec]


@pytest.fixture
def make_spec() -> SpecFactory:
    def make(**overrides: Any) -> GenerationSpec:
        values: dict[str, Any] = {
            "mode": Mode.TXT2IMG,
            "prompt": "pencil sketch of a middle aged man, short grey hair, thick eyebrows",
            "negative_prompt": "photo, color",
            "seeds": [11, 22, 33, 44],
            "steps": 4,
            "guidance": 7.5,
            "width": 64,
            "height": 64,
        }
        values.update(overrides)
        return GenerationSpec(**values)

    return make


@pytest.fixture(scope="session")
def blobs(tmp_path_factory: pytest.TempPathFactory) -> BlobStore:
    return BlobStore(tmp_path_factory.mktemp("blobs"))


@pytest.fixture(scope="session")
def engine(tiny_model: ModelChoice, blobs: BlobStore) -> Engine:
    """The worker's shape: the engine finds adapters, uploads and masks through the blob store."""
    from worker.engine import Engine

    return Engine(tiny_model, device="cpu", blob_path=blobs.path_for)


@pytest.fixture(scope="session")
def unet_lora(tiny_model_dir: Path, blobs: BlobStore, tmp_path_factory: pytest.TempPathFactory):
    """make(seed, **config) -> AdapterRef of a tiny UNet LoRA stored in the blob store."""
    from tests.worker.engine.lora_files import unet_lora_file

    def make(seed: int, weight: float = 1.0, **kwargs: Any) -> AdapterRef:
        data = unet_lora_file(tiny_model_dir, seed, tmp_path_factory.mktemp("lora"), **kwargs)
        return AdapterRef(id=f"unet-{seed}", sha256=blobs.put(data), weight=weight)

    return make


@pytest.fixture
def put_image(blobs: BlobStore) -> Callable[[Image.Image], str]:
    """Stores an image as PNG and returns its SHA-256, as an upload would."""
    import io

    def put(image: Image.Image) -> str:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return blobs.put(buffer.getvalue())

    return put
