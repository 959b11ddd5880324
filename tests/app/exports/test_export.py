"""GET /api/cases/{id}/export: the signed disclosure package, and what it refuses to sign."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.exports.verify import verify_package
from common.recipe import read_recipe, sha256_hex
from tests.conftest import Stack, bearer, make_user
from tests.exporting import export, interviewed_case, members, with_one_byte_changed
from tests.journey import DESCRIPTION, ok, open_case


@pytest.fixture
def client(sqlite_stack: Stack) -> Iterator[TestClient]:
    from app.main import create_app

    make_user("artist")
    make_user("other")
    make_user("boss", "admin")
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def artist(client: TestClient) -> dict[str, str]:
    return bearer(client, "artist")


def _audit(client: TestClient, case_id: str | None = None) -> list[dict[str, Any]]:
    query = f"?case_id={case_id}" if case_id else ""
    return ok(client.get(f"/api/audit{query}", headers=bearer(client, "boss")))


def test_package_holds_the_whole_interview_signed(client: TestClient, artist: dict[str, str],
                                                   sqlite_stack: Stack, tmp_path: Path) -> None:
    session = interviewed_case(client, artist, "EXPORT-1")
    response = client.get(f"/api/cases/{session['case_id']}/export?purpose=disclosure", headers=artist)
    assert response.status_code == 200, response.text
    assert "EXPORT-1" in response.headers["content-disposition"]
    files = members(response.content)
    manifest = json.loads(files["manifest.json"])

    candidates = [c for r in session["rounds"] for c in r["candidates"]]
    images = [name for name in files if name.startswith("images/")]
    assert len(images) == len(candidates) == 4
    assert {i["sha256"] for i in manifest["images"]} == {c["image_sha256"] for c in candidates}
    for image in manifest["images"]:
        png = files[image["path"]]
        assert sha256_hex(png) == image["sha256"] and image["recipe_in_png_matches"] is True
        assert read_recipe(png) == json.loads(files[image["recipe"]])
    assert {f["path"] for f in manifest["files"]} == set(files) - {"manifest.json", "manifest.sig"}
    assert manifest["case"]["reference"] == "EXPORT-1" and manifest["exporter"]["username"] == "artist"

    report = files["report.html"].decode()
    assert DESCRIPTION["text"].replace("'", "&#x27;") in report and "Jane Witness" in report
    assert "the nose was wider &lt;really&gt;" in report and "<really>" not in report
    assert "07700 900123" not in report  # contact details stay out
    assert all(f'src="{path}"' in report for path in images)
    assert "APPROVED composite" in report and "picked (led to round 2)" in report
    assert "random-weight test model" in report  # noise must never pass for a sketch
    interview = json.loads(files["interview.json"])
    first_round = interview["sessions"][0]["rounds"][0]["candidates"]
    assert [c["shown_count"] for c in first_round] == [1, 1] and first_round[1]["picked_for_rounds"] == [2]

    events = [json.loads(line) for line in files["audit.jsonl"].decode().splitlines()]
    actions = [e["action"] for e in events]
    assert {"case.create", "description.create", "candidate.generate", "candidate.pick", "candidate.shown",
            "session.approve"} <= set(actions)
    assert events[-1]["id"] <= manifest["audit"]["chain_head"]["id"]

    path = tmp_path / "package.zip"
    path.write_bytes(response.content)
    result = verify_package(path)
    assert result.ok, result.errors

    trail = _audit(client)
    exported = [e for e in trail if e["action"] == "case.export"]
    assert exported[-1]["details"]["manifest_sha256"] == response.headers["x-manifest-sha256"]
    assert exported[-1]["details"]["manifest_sha256"] == sha256_hex(files["manifest.json"])
    assert [e["action"] for e in trail].count("export.key_generate") == 1
    assert all("Jane Witness" not in json.dumps(e["details"]) for e in trail)
    key = sqlite_stack.data_dir / "keys" / "export-signing.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not list((sqlite_stack.data_dir / "tmp").iterdir())  # the temporary package is gone


def test_second_export_reuses_the_key(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "EXPORT-KEY")
    first = json.loads(members(export(client, artist, ids["case_id"]))["manifest.json"])
    second = json.loads(members(export(client, artist, ids["case_id"]))["manifest.json"])
    assert first["signing"]["public_key_sha256"] == second["signing"]["public_key_sha256"]
    assert [e["action"] for e in _audit(client)].count("export.key_generate") == 1


def test_one_changed_byte_is_named(client: TestClient, artist: dict[str, str], tmp_path: Path) -> None:
    session = interviewed_case(client, artist, "EXPORT-TAMPER")
    package = export(client, artist, session["case_id"])
    image = next(name for name in members(package) if name.startswith("images/"))
    path = tmp_path / "tampered.zip"
    for member in (image, "manifest.json", "audit.jsonl", "report.html", "manifest.sig"):
        path.write_bytes(with_one_byte_changed(package, member, offset=20))
        result = verify_package(path)
        assert not result.ok and any(member in error for error in result.errors), (member, result.errors)
    # A raw flip in the archive itself: in a member's bytes, or in a header no hash covers.
    for offset in (len(package) // 2, 10):
        raw = bytearray(package)
        raw[offset] ^= 0x01
        path.write_bytes(bytes(raw))
        assert not verify_package(path).ok, offset


def test_tampered_blob_refuses_export(client: TestClient, artist: dict[str, str], sqlite_stack: Stack) -> None:
    session = interviewed_case(client, artist, "EXPORT-BLOB")
    candidate = session["rounds"][0]["candidates"][0]
    sha = candidate["image_sha256"]
    blob = sqlite_stack.data_dir / "blobs" / sha[:2] / sha[2:4] / sha
    data = bytearray(blob.read_bytes())
    data[-20] ^= 0x01
    blob.write_bytes(bytes(data))
    response = client.get(f"/api/cases/{session['case_id']}/export?purpose=disclosure", headers=artist)
    assert response.status_code == 409
    image_id = candidate["image_url"].rsplit("/", 1)[1]
    assert image_id in response.json()["detail"] and "no longer match" in response.json()["detail"]
    assert not [e for e in _audit(client, session["case_id"]) if e["action"] == "case.export"]
    assert not list((sqlite_stack.data_dir / "tmp").iterdir())


def test_only_those_who_see_the_case_export(client: TestClient, artist: dict[str, str]) -> None:
    ids = open_case(client, artist, "EXPORT-ACCESS")
    response = client.get(f"/api/cases/{ids['case_id']}/export?purpose=disclosure", headers=bearer(client, "other"))
    assert response.status_code == 404 and "not found" in response.json()["detail"]
    assert client.get(f"/api/cases/{ids['case_id']}/export?purpose=disclosure").status_code == 401
    admin = export(client, bearer(client, "boss"), ids["case_id"])
    assert json.loads(members(admin)["manifest.json"])["exporter"]["role"] == "admin"


def test_configured_key_that_is_missing_is_503(client: TestClient, artist: dict[str, str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from common.settings import get_settings

    ids = open_case(client, artist, "EXPORT-NOKEY")
    monkeypatch.setenv("LIKENESS_SIGNING_KEY", str(tmp_path / "absent.pem"))
    get_settings.cache_clear()
    response = client.get(f"/api/cases/{ids['case_id']}/export?purpose=disclosure", headers=artist)
    assert response.status_code == 503 and "absent.pem" in response.json()["detail"]
    assert not (tmp_path / "absent.pem").exists()


@pytest.mark.integration
def test_export_on_postgres_reads_one_snapshot(postgres_stack: Stack, tmp_path: Path) -> None:
    """The deployment database: the package is read under REPEATABLE READ, then recorded."""
    from app.main import create_app

    make_user("artist")
    with TestClient(create_app()) as pg_client:
        headers = bearer(pg_client, "artist")
        session = interviewed_case(pg_client, headers, "EXPORT-PG")
        package = export(pg_client, headers, session["case_id"])
        (tmp_path / "pg.zip").write_bytes(package)
        result = verify_package(tmp_path / "pg.zip")
        assert result.ok, result.errors
        assert ok(pg_client.post("/api/cases", headers=headers, json={"reference": "AFTER", "title": "t"}), 201)
    from app.audit.service import verify_chain
    from app.db import session_factory

    with session_factory()() as db:
        assert verify_chain(db).ok
