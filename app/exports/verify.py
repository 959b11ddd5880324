"""Offline verification of a disclosure package: no database, no network, just the file.

Checks, each naming what failed: every member reads back (ZIP CRCs); the archive is
byte for byte the canonical one for its members (so no header or padding byte can
change unnoticed); every file the manifest lists is there with its SHA-256 and size,
and nothing else is; the signature over manifest.json verifies with the packaged key
(or a key the verifier pins); each image's bytes hash to its content address; each
audit event's hash recomputes from its content and belongs to this case.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.audit.service import content_hash
from app.exports import signing
from app.exports.archive import canonical_bytes
from app.exports.layout import FORMAT, MANIFEST, PUBLIC_KEY, SIGNATURE
from common.recipe import sha256_hex


@dataclass
class Verification:
    errors: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.summary, "errors": self.errors}


def verify_package(path: Path, pinned_public_key: str | None = None) -> Verification:
    result = Verification(summary={"file": str(path)})
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result.errors.append(f"{path}: cannot read ({exc.strerror or exc})")
        return result
    members = _read_members(raw, result)
    if members is None:
        return result
    manifest = _manifest(members, result)
    if manifest is None:
        return result
    _check_signature(members, manifest, pinned_public_key, result)
    _check_files(members, manifest, result)
    _check_images(members, manifest, result)
    _check_audit(members, manifest, result)
    return result


def _read_members(raw: bytes, result: Verification) -> dict[str, bytes] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        result.errors.append(f"not a readable ZIP archive: {exc}")
        return None
    members: list[tuple[str, bytes]] = []
    with archive:
        for info in archive.infolist():
            try:
                members.append((info.filename, archive.read(info)))
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                # A changed byte inside a member usually shows first as a CRC mismatch.
                result.errors.append(f"{info.filename}: unreadable or corrupted in the archive ({exc})")
    if result.errors:
        return None
    names = [name for name, _ in members]
    if len(set(names)) != len(names):
        result.errors.append("the archive holds the same file name twice")
        return None
    if canonical_bytes(members) != raw:
        result.errors.append("ZIP container: bytes outside the file contents (headers, directory or padding) differ "
                             "from the canonical archive for these files; the archive was altered")
    return dict(members)


def _manifest(members: dict[str, bytes], result: Verification) -> dict[str, Any] | None:
    for required in (MANIFEST, SIGNATURE):
        if required not in members:
            result.errors.append(f"{required}: missing from the package")
    if result.errors and MANIFEST not in members:
        return None
    try:
        manifest = json.loads(members[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.errors.append(f"{MANIFEST}: not valid JSON ({exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        result.errors.append(f"{MANIFEST}: not a {FORMAT} manifest")
        return None
    result.summary.update(case=manifest.get("case"), created_at=manifest.get("created_at"),
                          exporter=manifest.get("exporter"), manifest_sha256=sha256_hex(members[MANIFEST]))
    return manifest


def _check_signature(members: dict[str, bytes], manifest: dict[str, Any], pinned: str | None,
                     result: Verification) -> None:
    signed = manifest.get("signing") or {}
    try:
        key = signing.load_public_key(pinned or signed.get("public_key", ""))
    except signing.SigningKeyError as exc:
        result.errors.append(f"{MANIFEST}: signing key unusable ({exc})")
        return
    result.summary["public_key_sha256"] = signing.fingerprint(key)
    result.summary["key_pinned"] = pinned is not None
    if pinned is None and signed.get("public_key_sha256") != signing.fingerprint(key):
        result.errors.append(f"{MANIFEST}: public_key_sha256 does not match the public key it carries")
    if PUBLIC_KEY in members and members[PUBLIC_KEY].decode("ascii", "replace") != signed.get("public_key"):
        result.errors.append(f"{PUBLIC_KEY}: differs from the public key in {MANIFEST}")
    signature = members.get(SIGNATURE, b"").decode("ascii", "replace")
    if not signing.signature_valid(key, signature, members[MANIFEST]):
        who = "the pinned public key" if pinned else "the packaged public key"
        # Either file may be the changed one; the signature cannot tell which.
        result.errors.append(f"{MANIFEST}, {SIGNATURE}: the signature does not verify with {who}; the manifest "
                             "or its signature was changed, or another key signed it")


def _check_files(members: dict[str, bytes], manifest: dict[str, Any], result: Verification) -> None:
    listed = {str(f.get("path")): f for f in manifest.get("files", []) if isinstance(f, dict)}
    for path, entry in sorted(listed.items()):
        data = members.get(path)
        if data is None:
            result.errors.append(f"{path}: listed in {MANIFEST} but missing from the package")
        elif sha256_hex(data) != entry.get("sha256") or len(data) != entry.get("size"):
            result.errors.append(f"{path}: SHA-256 {sha256_hex(data)} ({len(data)} bytes) does not match "
                                 f"{MANIFEST} ({entry.get('sha256')}, {entry.get('size')} bytes)")
    for extra in sorted(set(members) - set(listed) - {MANIFEST, SIGNATURE}):
        result.errors.append(f"{extra}: in the package but not listed in {MANIFEST}")
    result.summary["files"] = len(listed)


def _check_images(members: dict[str, bytes], manifest: dict[str, Any], result: Verification) -> None:
    images = manifest.get("images", [])
    for image in images:
        data = members.get(image.get("path", ""))
        if data is not None and sha256_hex(data) != image.get("sha256"):
            result.errors.append(f"{image.get('path')}: bytes do not hash to the image's content address "
                                 f"{image.get('sha256')}")
    result.summary["images"] = len(images)


def _check_audit(members: dict[str, bytes], manifest: dict[str, Any], result: Verification) -> None:
    audit = manifest.get("audit") or {}
    name = audit.get("extract", "")
    head = audit.get("chain_head") or {}
    case_id = (manifest.get("case") or {}).get("id")
    events = [line for line in members.get(name, b"").decode("utf-8", "replace").splitlines() if line]
    last_id = 0
    for number, line in enumerate(events, start=1):
        problem = _event_problem(line, case_id, last_id, head)
        if problem:
            result.errors.append(f"{name} line {number}: {problem}")
            return
        last_id = json.loads(line)["id"]
    if len(events) != audit.get("events"):
        result.errors.append(f"{name}: {len(events)} events, but {MANIFEST} says {audit.get('events')}")
    result.summary["audit_events"] = len(events)
    result.summary["chain_head"] = head


def _event_problem(line: str, case_id: str | None, last_id: int, head: dict[str, Any]) -> str | None:
    try:
        event = json.loads(line)
        content = {k: v for k, v in event.items() if k != "hash"}
        event_id = int(event["id"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return "not an audit event"
    if content_hash(content) != event.get("hash"):
        return f"event {event_id}: its hash does not recompute from its content"
    if event.get("case_id") != case_id:
        return f"event {event_id}: belongs to another case"
    if event_id <= last_id or event_id > int(head.get("id") or 0):
        return f"event {event_id}: out of order or past the chain head"
    if event_id == head.get("id") and event["hash"] != head.get("hash"):
        return f"event {event_id}: is the chain head but its hash differs from the manifest's"
    return None
