"""Where a job's time goes: wall time per part, kept on the job's row and in the worker log.

The bench compares the `draw` part with a bare diffusers call; an operator reads the log line
to see whether a slow round was the drawing or the bookkeeping around it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class PhaseClock:
    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    def _add(self, name: str, seconds: float) -> None:
        self._seconds[name] = self._seconds.get(name, 0.0) + seconds

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._add(name, time.perf_counter() - started)

    def counted(self, name: str, call: Callable[P, R]) -> Callable[P, R]:
        """`call`, with the time spent inside it added to `name` (e.g. a per-step callback)."""

        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            with self.phase(name):
                return call(*args, **kwargs)

        return timed

    def milliseconds(self) -> dict[str, float]:
        return {name: round(seconds * 1000, 1) for name, seconds in self._seconds.items()}

    def summary(self) -> str:
        return ", ".join(f"{name} {ms:.0f} ms" for name, ms in self.milliseconds().items())
