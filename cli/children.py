"""Child processes of `likeness run` that must not outlive it (no orphans adopted by PID 1)."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Sequence

PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 20


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends it SIGTERM if the parent dies, even by SIGKILL."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_child(command: Sequence[str]) -> subprocess.Popen[bytes]:
    # preexec_fn is safe here: `likeness run` has started no threads before its worker.
    return subprocess.Popen(list(command), preexec_fn=_die_with_parent)


def exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (SystemExit through every `finally`), so the caller stops its children.

    uvicorn catches SIGTERM and SIGINT while it serves, then raises the signal again once it has
    shut down; with the default SIGTERM action that killed this process before its cleanup ran.
    """

    def unwind(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)


def stop_child(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Celery's warm shutdown: the job in hand finishes), then SIGKILL after a timeout.

    A second Ctrl-C or SIGTERM while waiting asks to hurry, not to leave the worker behind: it is
    killed at once, and the signal's exit goes on from there."""
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
