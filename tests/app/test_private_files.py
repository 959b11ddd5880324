"""Issue 12, item 14 in the API process itself (however the server was started): the embedded
database and its folder are the owner's alone under a default umask."""

from __future__ import annotations

import os
import stat

from fastapi.testclient import TestClient

from tests.conftest import Stack


def test_the_database_and_data_folder_are_private(sqlite_stack: Stack, client: TestClient,
                                                  artist: dict[str, str]) -> None:
    previous = os.umask(0o022)  # the default umask
    try:
        assert client.post("/api/cases", headers=artist, json={"reference": "PRIV-1", "title": "t"}).status_code == 201
    finally:
        os.umask(previous)
    data = sqlite_stack.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    written = [data / name for name in ("likeness.db", "likeness.db-wal", "likeness.db-shm") if (data / name).exists()]
    assert len(written) >= 2 and {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}, written
