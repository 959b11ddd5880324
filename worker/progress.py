"""What a drawing job tells the world while it draws: each step's progress, and a preview.

The step report (a database write that renews the lease and reads whether a cancel was
asked for, then a push to waiting streams) runs on a thread of its own, beside the drawing:
the drawing never waits on the database. The answer to step N (go on, or stop after a
cancel or a takeover) is read at step N+1, so a cancelled job stops within two steps.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PIL import Image as PILImage

from common.previews import write_preview
from common.settings import get_settings

PREVIEW_INTERVAL_S = 0.2  # the UI shows at most five step previews a second


class StepReporter:
    """The engine's `on_step`, reporting from a background thread. Steps that arrive while a
    report is still being written fold into the next one; `close` writes the last step seen."""

    def __init__(self, report: Callable[[int, int], bool]) -> None:
        self._report = report
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="likeness-progress")
        self._pending: Future[bool] | None = None
        self._latest: tuple[int, int] | None = None
        self._reported: tuple[int, int] | None = None
        self._go_on = True

    def __call__(self, step: int, total: int) -> bool:
        self._latest = (step, total)
        self._collect(wait=False)
        if self._pending is None and self._go_on:
            self._reported = self._latest
            self._pending = self._thread.submit(self._report, step, total)
        return self._go_on

    def _collect(self, wait: bool) -> None:
        """Reads the answer of the report in flight, if it is back (or waits for it)."""
        if self._pending is not None and (wait or self._pending.done()):
            pending, self._pending = self._pending, None
            self._go_on = pending.result() and self._go_on

    def close(self) -> bool:
        """Waits for the report in flight and writes the last step if it was folded, so the job's
        end never overtakes its progress. Returns whether the job may still go on."""
        try:
            self._collect(wait=True)
            if self._go_on and self._latest is not None and self._latest != self._reported:
                self._go_on = self._report(*self._latest)
        finally:
            self._thread.shutdown(wait=True)
        return self._go_on


def preview_writer(job_id: uuid.UUID) -> Callable[[int, PILImage.Image], None]:
    """Keeps the newest step's preview on disk for the UI. The engine hands one at most every
    PREVIEW_INTERVAL_S (worker/runtime.py sets it), so each is written."""
    settings = get_settings()

    def write(step: int, image: PILImage.Image) -> None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        write_preview(settings, job_id, buffer.getvalue())

    return write
