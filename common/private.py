"""Files holding case data are the owner's alone: folders 0700, files 0600, whatever the umask."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def restrict_umask() -> None:
    """For the CLI's long-running processes (run, worker, migrate): everything they create is private."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Creates the folder (and missing parents) 0700; an existing one we own is narrowed to 0700."""
    make_private_dirs(path)
    with contextlib.suppress(PermissionError):  # a mount owned by someone else keeps its mode
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    return path


def make_private_dirs(path: Path) -> list[Path]:
    """mkdir -p with every created level 0700 (Path.mkdir gives parents the umask's mode); returns
    the folders it created, outermost first."""
    missing = list(itertools.takewhile(lambda folder: not folder.exists(), (path, *path.parents)))
    created = []
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
            created.append(folder)
    return created


def private_file(path: Path) -> Path:
    """Creates an empty file 0600 if it is missing (before a library creates it with the umask's mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path
