"""Content-addressed blob store: a file's name is the SHA-256 of its bytes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from common.private import make_private_dirs
from common.recipe import sha256_hex


class BlobNotFoundError(FileNotFoundError):
    pass


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Stores the bytes (once) and returns their SHA-256."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        created = make_private_dirs(target.parent)
        # Write then rename, so a reader never sees half a file (mkstemp: 0600, the owner's alone).
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # Evidence: the bytes, and then their name, reach the disk before a row that names them
            # commits. Without it a power cut could leave a committed row and an empty file.
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        # The file's name, and the name of each folder made for it, in the folder that holds it.
        for folder in [target.parent, *(made.parent for made in reversed(created))]:
            _fsync_dir(folder)
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFoundError(f"blob {sha256} is missing from {self.root}") from exc

    def verify(self, sha256: str) -> bool:
        """Re-hashes the stored bytes: False if they no longer match their name."""
        return sha256_hex(self.get(sha256)) == sha256


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
