"""The newest per-step preview of a running job: one small PNG file per job.

The worker overwrites it as denoising goes on (write then rename, so a reader
never sees half a file); the API serves it; it is removed when the job ends.
Files on the shared data volume work for any number of worker hosts.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from pathlib import Path

from common.settings import Settings


def preview_path(settings: Settings, job_id: uuid.UUID) -> Path:
    return settings.resolved_data_dir / "previews" / f"{job_id}.png"


def write_preview(settings: Settings, job_id: uuid.UUID, png: bytes) -> None:
    target = preview_path(settings, job_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(png)
    os.replace(tmp, target)


def remove_preview(settings: Settings, job_id: uuid.UUID) -> None:
    with contextlib.suppress(FileNotFoundError):
        preview_path(settings, job_id).unlink()
