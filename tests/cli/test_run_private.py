"""Issue 12, items 6 and 14 where they start: `likeness run` believes no forwarded header by
default (uvicorn alone trusts loopback), and the data it writes is the owner's alone."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import PASSWORD, REPO, free_port, make_stack, wait_for


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_likeness_run_ignores_forwarded_for_from_loopback(tmp_path: Path, tiny_model_dir: Path) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    assert stack.run_cli("create-user", "--username", "artist", "--password", PASSWORD).returncode == 0
    port = free_port()
    log = open(stack.data_dir / "run.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--no-worker", "--port", str(port)],
                               cwd=REPO, env={**os.environ, **stack.env}, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.processes.append(process)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            def up() -> bool:
                try:
                    return client.get("/api/health").status_code in (200, 503)
                except httpx.HTTPError:
                    return False

            wait_for(up, 120, "likeness run to serve", interval=0.5)
            forged = {"X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "https"}
            answer = client.post("/api/auth/login", headers=forged, json={"username": "artist", "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            assert "secure" not in answer.headers["set-cookie"].lower()  # the forged scheme is not believed
    finally:
        stack.stop_all()
    with sqlite3.connect(stack.data_dir / "likeness.db") as db:
        sources = {row[0] for row in db.execute("SELECT source FROM audit_events WHERE action = 'auth.login'")}
    assert sources == {"127.0.0.1"}, (stack.data_dir / "run.log").read_text(errors="replace")[-2000:]


def test_data_folder_and_files_are_private_under_a_default_umask(tmp_path: Path, tiny_model_dir: Path) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    data = tmp_path / "fresh-data"
    stack.env["LIKENESS_DATA_DIR"] = str(data)
    stack.env["LIKENESS_SIGNING_KEY"] = ""

    def with_umask() -> None:
        os.umask(0o022)

    subprocess.run([sys.executable, "-m", "cli.main", "create-user", "--username", "artist", "--password", PASSWORD],
                   env={**os.environ, **stack.env}, cwd=REPO, check=True, capture_output=True, timeout=120,
                   preexec_fn=with_umask)
    key = subprocess.run([sys.executable, "-m", "cli.main", "keys", "generate"], env={**os.environ, **stack.env},
                         cwd=REPO, capture_output=True, timeout=120, preexec_fn=with_umask)
    assert key.returncode == 0, key.stderr
    assert _mode(data) == 0o700
    assert _mode(data / "likeness.db") == 0o600
    assert _mode(data / "keys") == 0o700 and _mode(data / "keys" / "export-signing.pem") == 0o600
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files and all(_mode(p) == 0o600 for p in files), {str(p): oct(_mode(p)) for p in files}


def test_blobs_written_by_the_api_are_private_under_a_default_umask(tmp_path: Path) -> None:
    from common.blobs import BlobStore

    old = os.umask(0o022)
    try:
        store = BlobStore(tmp_path / "blobs")
        digest = store.put(b"a composite")
    finally:
        os.umask(old)
    path = store.path_for(digest)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
