"""Progress for the long CLI commands (train, evaluate, dataset import, bench, loadtest).

On a terminal: a rich progress bar (steps, elapsed, ETA, the current loss or metric).
Not a terminal (a log file, a pipe, CI): plain lines, at most one every few seconds plus the
last. With --json: one JSON object a line ({"event": "progress", ...}). Progress always goes
to stderr, so stdout keeps only the command's result.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Literal

import click

Mode = Literal["bar", "plain", "json"]
PLAIN_EVERY_S = 5.0


def json_option(function: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="machine-readable: progress as JSON lines on "
                        "stderr, the result as JSON on stdout")(function)


def mode_for(as_json: bool, stream: IO[str] | None = None) -> Mode:
    if as_json:
        return "json"
    stream = stream or sys.stderr
    return "bar" if stream.isatty() else "plain"


def _fields_text(fields: dict[str, Any]) -> str:
    return " ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items())


def _eta(started: float, done: float, total: float | None) -> float | None:
    if not total or done <= 0:
        return None
    return (time.monotonic() - started) / done * max(total - done, 0)


class Progress:
    """update(done, total, **fields): `fields` are what is worth watching (loss=..., ssim=...)."""

    def __init__(self, label: str, total: float | None, mode: Mode, stream: IO[str] | None = None) -> None:
        self.label, self.total, self.mode = label, total, mode
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last_plain = 0.0
        self._bar: Any = None
        if mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                     TextColumn("{task.fields[info]}"), console=Console(file=self.stream))
            self._bar.start()
            self._task = self._bar.add_task(label, total=total, info="")

    def update(self, done: float, total: float | None = None, **fields: Any) -> None:
        if total is not None:
            self.total = total
        if self.mode == "bar":
            self._bar.update(self._task, completed=done, total=self.total, info=_fields_text(fields))
        elif self.mode == "json":
            eta = _eta(self.started, done, self.total)
            self._write(json.dumps({"event": "progress", "task": self.label, "done": done, "total": self.total,
                                    "elapsed_s": round(time.monotonic() - self.started, 3),
                                    "eta_s": None if eta is None else round(eta, 3), **fields}, default=str))
        else:
            now = time.monotonic()
            if now - self._last_plain >= PLAIN_EVERY_S or (self.total is not None and done >= self.total):
                self._last_plain = now
                eta = _eta(self.started, done, self.total)
                of = f"/{self.total:g}" if self.total is not None else ""
                self._write(f"{self.label}: {done:g}{of}" + (f" ETA {eta:.0f} s" if eta is not None else "")
                            + (f" {_fields_text(fields)}" if fields else ""))

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def progress(label: str, total: float | None, as_json: bool, stream: IO[str] | None = None) -> Iterator[Progress]:
    bar = Progress(label, total, mode_for(as_json, stream), stream)
    try:
        yield bar
    finally:
        bar.close()


def echo_result(value: Any, as_json: bool, text: str | None = None) -> None:
    """The command's answer on stdout: compact JSON with --json, else `text` (or indented JSON)."""
    if as_json:
        click.echo(json.dumps(value, default=str))
    else:
        click.echo(text if text is not None else json.dumps(value, indent=2, default=str))
