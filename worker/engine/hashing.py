"""One SHA-256 for a model folder: what a recipe names as "the weights".

Hashing SD 1.5 (~4 GB) takes a while, so the digest is cached in a small JSON
file beside the weights, valid while every file keeps its size and mtime.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

CACHE_NAME = ".likeness-sha256.json"
# The folders a StableDiffusionPipeline loads; anything else in the folder (a root
# .ckpt, a README, images) does not draw a pixel, so it does not enter the hash.
COMPONENTS = ("unet", "vae", "text_encoder", "tokenizer", "scheduler")
CHUNK = 1 << 20


def model_files(root: Path) -> list[Path]:
    """The files that decide the output: model_index.json and the component folders."""
    files = [root / "model_index.json"]
    for name in COMPONENTS:
        folder = root / name
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(root: Path, files: list[Path]) -> dict[str, list[int]]:
    # stat() follows the hub cache's symlinks to the blobs, which is what we hash.
    return {p.relative_to(root).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}


def _read_cache(path: Path, fingerprint: dict[str, list[int]]) -> str | None:
    try:
        cached = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(cached, dict) and cached.get("files") == fingerprint:
        return cached.get("sha256")
    return None


def _write_cache(path: Path, fingerprint: dict[str, list[int]], sha256: str) -> None:
    # Best effort: a read-only model folder still hashes, just every time.
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hash-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"sha256": sha256, "files": fingerprint}, handle)
        os.replace(tmp, path)
    except OSError:
        pass


def model_sha256(root: Path) -> str:
    """SHA-256 over (relative path, file SHA-256) of every file the pipeline loads."""
    return files_sha256(root, model_files(root), CACHE_NAME)


def files_sha256(root: Path, files: list[Path], cache_name: str) -> str:
    """SHA-256 over (path relative to `root`, file SHA-256) of `files`, cached in root/cache_name."""
    fingerprint = _fingerprint(root, files)
    cache = root / cache_name
    cached = _read_cache(cache, fingerprint)
    if cached:
        return cached
    digest = hashlib.sha256()
    for name, path in zip(fingerprint, files, strict=True):
        digest.update(f"{name}\0{_file_sha256(path)}\n".encode())
    _write_cache(cache, fingerprint, digest.hexdigest())
    return digest.hexdigest()
