"""Progress of the long commands: a bar on a terminal, plain lines off it, JSON with --json.
Driven through `likeness dataset import` (quick, no model) and the helper itself."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from cli.progress import Progress, mode_for
from tests.conftest import REPO, Stack
from tests.training_data import good_dataset


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The command with a pseudo-terminal as stdout and stderr, as a person at a shell runs it."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", *args], cwd=REPO, stdin=slave, stdout=slave,
                               stderr=slave, env={**os.environ, **env, "TERM": "xterm-256color", "COLUMNS": "120"})
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def test_dataset_import_draws_a_bar_on_a_terminal(sqlite_stack: Stack, tmp_path: Path) -> None:
    folder = good_dataset(tmp_path / "d", count=10)
    code, screen = run_on_a_terminal(["dataset", "import", str(folder), "--name", "shapes"], sqlite_stack.env)
    assert code == 0, screen
    assert "━" in screen and "10/10" in screen, screen
    assert "\x1b[" in screen, "a live display redraws with terminal control sequences"
    assert "imported shapes" in screen


def test_dataset_import_prints_plain_lines_off_a_terminal(sqlite_stack: Stack, tmp_path: Path) -> None:
    result = sqlite_stack.run_cli("dataset", "import", str(good_dataset(tmp_path / "d", count=10)), "--name", "s")
    assert result.returncode == 0, result.stderr
    assert "import: 10/10" in result.stderr and "\x1b[" not in result.stderr + result.stdout
    assert "━" not in result.stderr
    assert result.stdout.startswith("imported s")


def test_dataset_import_json_for_machines(sqlite_stack: Stack, tmp_path: Path) -> None:
    result = sqlite_stack.run_cli("dataset", "import", str(good_dataset(tmp_path / "d", count=10)), "--name", "j",
                                  "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith('{"event"')]
    assert events and events[-1]["done"] == 10 and events[-1]["total"] == 10 and "eta_s" in events[-1]
    assert json.loads(result.stdout)["pairs"] == 10


def test_plain_lines_are_spaced_and_carry_eta_and_loss() -> None:
    out = io.StringIO()
    assert mode_for(False, out) == "plain" and mode_for(True, out) == "json"
    bar = Progress("unet-lora", 100, "plain", out)
    for step in range(1, 101):
        bar.update(step, loss=1.0 / step)
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= 3, "one line every few seconds, and the last"
    assert lines[-1].startswith("unet-lora: 100/100 ETA 0 s loss 0.01")
