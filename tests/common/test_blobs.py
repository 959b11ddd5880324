"""The blob store keeps evidence: a blob is whole under its name, and on the disk, before any row names it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from common.blobs import BlobStore
from common.recipe import sha256_hex


def test_put_stores_once_under_the_digest_and_syncs_file_and_folder(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store = BlobStore(tmp_path / "blobs")
    data = b"\x89PNG not really, but bytes all the same"
    digest = store.put(data)
    target = store.path_for(digest)
    assert digest == sha256_hex(data) and target.read_bytes() == data
    # The bytes under their temporary name, then the folder that now holds the final name, then the
    # name of each folder made for it (blobs/ab/cd, blobs/ab and blobs/ were all new) in its parent.
    leaf = target.parent
    assert Path(synced[0]).parent == leaf
    assert synced[1:] == [str(leaf), str(leaf.parent), str(tmp_path / "blobs"), str(tmp_path)]
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".incoming-")], "no temporary file left"

    synced.clear()
    assert store.put(data) == digest
    assert synced == [], "bytes already stored are not written again"
