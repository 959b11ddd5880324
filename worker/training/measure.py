"""Runtime and peak memory of a training run, on the GPU or the CPU."""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import torch


class TrainingCancelled(Exception):
    """on_step asked to stop; raised right after that step."""

    def __init__(self, step: int, total_steps: int) -> None:
        super().__init__(step, total_steps)
        self.step = step
        self.total_steps = total_steps

    def __str__(self) -> str:
        return f"training cancelled after step {self.step} of {self.total_steps}"


def _rss_peak_bytes() -> int:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass
class Meter:
    """Starts timing and peak-memory tracking at construction."""

    device: torch.device
    started: float = field(default_factory=time.perf_counter)
    rss_before: int = field(default_factory=_rss_peak_bytes)

    def __post_init__(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)

    def result(self) -> dict[str, Any]:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            peak = {"peak_memory_bytes": int(torch.cuda.max_memory_allocated(self.device)),
                    "peak_memory_kind": "cuda max_memory_allocated during training"}
        else:
            # The CPU has no per-run counter: the process's peak resident set size, which
            # includes everything loaded before training started (rss_peak_before_bytes).
            peak = {"peak_memory_bytes": _rss_peak_bytes(), "peak_memory_kind": "process peak RSS (ru_maxrss)",
                    "rss_peak_before_bytes": self.rss_before}
        return {"runtime_s": round(time.perf_counter() - self.started, 3), **peak}
