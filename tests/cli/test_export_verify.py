"""`likeness export verify FILE` and `likeness keys generate`, run as a user runs them."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Stack, bearer, make_user
from tests.exporting import export, interviewed_case, members, with_one_byte_changed


@pytest.fixture
def package(sqlite_stack: Stack, tmp_path: Path) -> Iterator[Path]:
    from app.main import create_app

    make_user("artist")
    with TestClient(create_app()) as client:
        headers = bearer(client, "artist")
        session = interviewed_case(client, headers, "CLI-EXPORT")
        path = tmp_path / "package.zip"
        path.write_bytes(export(client, headers, session["case_id"]))
        yield path


def test_intact_package_verifies_and_one_byte_fails(package: Path, sqlite_stack: Stack, tmp_path: Path) -> None:
    verified = sqlite_stack.run_cli("export", "verify", str(package), "--allow-unpinned")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["case"]["reference"] == "CLI-EXPORT"
    assert report["images"] == 4 and report["audit_events"] > 10 and report["errors"] == []

    original = package.read_bytes()
    image = next(name for name in members(original) if name.startswith("images/"))
    for member in (image, "manifest.json"):
        tampered = tmp_path / f"tampered-{member.replace('/', '_')}.zip"
        tampered.write_bytes(with_one_byte_changed(original, member))
        failed = sqlite_stack.run_cli("export", "verify", str(tampered), "--allow-unpinned")
        assert failed.returncode == 1, failed.stdout
        assert json.loads(failed.stdout)["ok"] is False
        failures = [line for line in failed.stderr.splitlines() if line.startswith("FAILED: ")]
        assert any(member in line for line in failures), failed.stderr


def test_pinned_key_must_have_signed(package: Path, sqlite_stack: Stack, tmp_path: Path) -> None:
    published = tmp_path / "published.pem"
    published.write_bytes(members(package.read_bytes())["public_key.pem"])
    assert sqlite_stack.run_cli("export", "verify", str(package), "--public-key", str(published)).returncode == 0

    other = sqlite_stack.run_cli("keys", "generate", "--path", str(tmp_path / "other.pem"))
    assert other.returncode == 0, other.stderr
    (tmp_path / "other.pub").write_text(other.stdout)
    failed = sqlite_stack.run_cli("export", "verify", str(package), "--public-key", str(tmp_path / "other.pub"))
    assert failed.returncode == 1 and "does not verify with the pinned public key" in failed.stderr


def test_unpinned_key_is_said_plainly_and_fails_unless_allowed(package: Path, sqlite_stack: Stack) -> None:
    from app.exports import signing

    fingerprint = signing.fingerprint(signing.load_public_key(members(package.read_bytes())["public_key.pem"]))
    unpinned = sqlite_stack.run_cli("export", "verify", str(package))
    assert unpinned.returncode == 3, unpinned.stdout + unpinned.stderr
    assert "NOT PINNED" in unpinned.stderr and fingerprint in unpinned.stderr
    allowed = sqlite_stack.run_cli("export", "verify", str(package), "--allow-unpinned")
    assert allowed.returncode == 0 and "NOT PINNED" in allowed.stderr and fingerprint in allowed.stderr


def test_keys_generate_writes_a_private_key_only_its_owner_reads(sqlite_stack: Stack) -> None:
    created = sqlite_stack.run_cli("keys", "generate")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    key = sqlite_stack.data_dir / "keys" / "export-signing.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    again = sqlite_stack.run_cli("keys", "generate")
    assert again.returncode == 1 and "already exists" in again.stderr
    audit = sqlite_stack.run_cli("audit", "verify")
    assert audit.returncode == 0 and json.loads(audit.stdout)["events"] == 1  # export.key_generate
