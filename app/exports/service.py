"""The disclosure package: one signed ZIP holding everything a court needs about a case.

Layout (every path below is listed in manifest.json with its SHA-256 and size):

    manifest.json            case, exporter, time, files, images, audit chain head, public key
    manifest.sig             Ed25519 signature (base64) over the exact bytes of manifest.json
    public_key.pem           the key that verifies manifest.sig
    images/<name>.png        every image of the case, the stored bytes unchanged (recipe inside)
    labelled/<name>.png      each composite with the notice band under it and in its text chunk
    recipes/<name>.json      each image's recipe as the database holds it
    audit.jsonl              the case's audit events, each with prev_hash and hash
    interview.json           descriptions, sessions, rounds, candidates, picks, ratings, feedback
    report.html              the same interview for people, showing the packaged images

Every export states its purpose (manifest, audit, report) and that the composites are not
for automated face-recognition search; that purpose itself needs an admin's recorded
consent for the case (POST /api/cases/{id}/face-recognition).

Every stored image is re-hashed on the way out: bytes that no longer match their
SHA-256 stop the export with an error naming the image, never a package that hides it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import heads
from app.audit.models import AuditEvent, AuditHead
from app.audit.service import event_content, record, verify_chain
from app.cases.models import Case
from app.cases.service import get_case
from app.db import utcnow
from app.errors import ConflictError, UnavailableError
from app.exports import signing
from app.exports.archive import ArchiveTooLargeError, StoredZipWriter
from app.exports.interview import collect_interview, image_paths
from app.exports.layout import AUDIT_EXTRACT, FORMAT, INTERVIEW, MANIFEST, PUBLIC_KEY, REPORT, SIGNATURE
from app.exports.purpose import add_labelled, check_purpose, export_use
from app.exports.report import render_report
from app.images.models import Image
from app.images.service import blob_store
from app.users.actor import Actor
from common.blobs import BlobNotFoundError
from common.recipe import canonical_json, read_recipe, sha256_hex
from common.settings import get_settings

log = logging.getLogger(__name__)
STALE_AFTER_S = 24 * 3600


class ExportIntegrityError(ConflictError):
    """The stored record does not match its own hashes: disclosing it as it is would mislead."""


@dataclass(frozen=True)
class ExportPackage:
    path: Path  # a temporary file; whoever sends it deletes it
    filename: str
    manifest_sha256: str
    size: int


@dataclass
class _Package:
    """Members go straight to the ZIP as they are made; only their hashes stay in memory."""

    writer: StoredZipWriter
    files: list[dict[str, Any]] = field(default_factory=list)

    def add(self, path: str, data: bytes) -> str:
        self.writer.add(path, data)
        digest = sha256_hex(data)
        self.files.append({"path": path, "sha256": digest, "size": len(data)})
        return digest


def export_case(db: Session, actor: Actor, case_id: uuid.UUID, purpose: str) -> ExportPackage:
    """Builds, signs and records the disclosure package of a case the actor may see."""
    case = get_case(db, actor, case_id)
    check_purpose(db, actor, case, purpose)
    key = _signing_key(db, actor)
    db.commit()  # end the reading transaction: the package is read from one snapshot below
    _snapshot(db)
    fd, name = tempfile.mkstemp(dir=_tmp_dir(), prefix="export-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            manifest_sha256 = sha256_hex(_write_package(db, actor, case, key, out, purpose))
        db.rollback()  # the snapshot only read; the record of the export is its own transaction
        # Recorded after the package is made, so its own extract cannot hold it: this event
        # (with the manifest's hash) is in every later export of the case.
        record(db, actor, "case.export", case_id=case.id, entity_type="case", entity_id=case.id,
               details={"manifest_sha256": manifest_sha256, "format": FORMAT, "purpose": purpose,
                        "public_key_sha256": signing.fingerprint(key), "bytes": path.stat().st_size})
        db.commit()
        heads.sign_now()  # every export leaves the chain head, its own event included, signed
    except BaseException:
        path.unlink(missing_ok=True)
        db.rollback()
        raise
    return ExportPackage(path=path, filename=_filename(case), manifest_sha256=manifest_sha256,
                         size=path.stat().st_size)


def _tmp_dir() -> Path:
    """Packages are built on the data volume (they can be large). One whose download was cut
    off before its cleanup ran is swept here a day later."""
    tmp_dir = get_settings().resolved_data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_AFTER_S
    for stale in tmp_dir.glob("export-*.zip"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    return tmp_dir


def _filename(case: Case) -> str:
    reference = re.sub(r"[^A-Za-z0-9._-]+", "_", case.reference).strip("._") or "case"
    return f"likeness-{reference}-{utcnow():%Y%m%dT%H%M%SZ}.zip"


def _snapshot(db: Session) -> None:
    """On Postgres, read the whole package from one snapshot, so the chain head, the events
    and the rows agree even while workers write. SQLite's transactions already serialise."""
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _signing_key(db: Session, actor: Actor) -> Ed25519PrivateKey:
    settings = get_settings()
    path = settings.resolved_signing_key_path
    try:
        if path.exists() or settings.signing_key_path is not None:
            # A key the admin configured that is not there is a mistake to report, not to paper over.
            return signing.load_private_key(path)
        try:
            key = signing.generate_key_file(path)
        except signing.SigningKeyError:  # another export created it a moment ago
            return signing.load_private_key(path)
    except signing.SigningKeyError as exc:
        raise UnavailableError(f"cannot sign the export: {exc} (LIKENESS_SIGNING_KEY; "
                               "`likeness keys generate` creates one)") from None
    record(db, actor, "export.key_generate", entity_type="signing_key", entity_id=signing.fingerprint(key),
           details={"public_key_sha256": signing.fingerprint(key), "path": str(path)})
    log.info("generated the export signing key %s", path)
    return key


def _write_package(db: Session, actor: Actor, case: Case, key: Ed25519PrivateKey, out: Any, purpose: str) -> bytes:
    """Writes every member, then the manifest and its signature; returns the manifest bytes."""
    package = _Package(StoredZipWriter(out))
    chain_head = _verified_chain_head(db)
    paths = image_paths(db, case.id)
    images = _add_images(db, package, case.id, paths)
    labelled = add_labelled(package, images)
    events = _add_audit_extract(db, package, case.id, chain_head["id"])
    interview = collect_interview(db, case, paths)
    use = export_use(purpose, case)
    interview["export"] = {**use, "labelled": {e["image_id"]: e["path"] for e in labelled}}
    package.add(INTERVIEW, (canonical_json(interview) + "\n").encode("utf-8"))
    created_at = utcnow().isoformat(timespec="seconds").replace("+00:00", "Z")
    package.add(REPORT, render_report(interview, exported_at=created_at, exporter=actor.username,
                                      chain_head=chain_head, key_fingerprint=signing.fingerprint(key)).encode())
    package.add(PUBLIC_KEY, signing.public_pem(key).encode("ascii"))
    manifest = {
        "format": FORMAT,
        "case": {"id": str(case.id), "reference": case.reference, "title": case.title},
        "created_at": created_at,
        "exporter": {"id": str(actor.id) if actor.id else None, "username": actor.username, "role": actor.role},
        "files": sorted(package.files, key=lambda f: f["path"]),
        "images": images,
        **use,
        "labelled_images": labelled,
        "audit": {"extract": AUDIT_EXTRACT, "events": events, "chain_head": chain_head},
        "signing": {"algorithm": signing.ALGORITHM, "public_key": signing.public_pem(key),
                    "public_key_sha256": signing.fingerprint(key), "signature": SIGNATURE},
    }
    manifest_bytes = canonical_json(manifest).encode("utf-8")
    try:
        package.writer.add(MANIFEST, manifest_bytes)
        package.writer.add(SIGNATURE, (signing.sign(key, manifest_bytes) + "\n").encode("ascii"))
        package.writer.close()
    except ArchiveTooLargeError as exc:
        raise ConflictError(f"cannot export case {case.reference}: {exc}") from None
    return manifest_bytes


def _verified_chain_head(db: Session) -> dict[str, Any]:
    """The whole chain must verify: a package vouching for a broken record would mislead."""
    report = verify_chain(db)
    if not report.ok:
        raise ExportIntegrityError(f"the audit chain is broken at event {report.first_bad}; export refused "
                                   "until an administrator has investigated (likeness audit verify)")
    head = db.get(AuditHead, 1)
    return {"id": head.seq if head else 0, "hash": head.hash if head else None, "verified_events": report.events}


def _add_images(db: Session, package: _Package, case_id: uuid.UUID, paths: dict[uuid.UUID, str]) -> list[Any]:
    entries = []
    for image in db.scalars(select(Image).where(Image.case_id == case_id).order_by(Image.created_at, Image.id)):
        png = _checked_bytes(image)
        path = paths[image.id]
        package.add(path, png)
        recipe_path = "recipes/" + path.removeprefix("images/").removesuffix(".png") + ".json"
        package.add(recipe_path, (canonical_json(image.recipe) + "\n").encode("utf-8"))
        entries.append({"path": path, "recipe": recipe_path, "image_id": str(image.id), "kind": image.kind,
                        "sha256": image.sha256, "recipe_in_png_matches": read_recipe(png) == image.recipe})
    return entries


def _checked_bytes(image: Image) -> bytes:
    """The stored PNG, re-hashed: the blob store's name for it is a claim to check, not trust."""
    try:
        png = blob_store().get(image.sha256)
    except BlobNotFoundError:
        log.error("export refused: image %s (sha256 %s) is missing from the blob store", image.id, image.sha256)
        raise ExportIntegrityError(f"image {image.id} (sha256 {image.sha256}) is missing from the blob store; "
                                   "export refused") from None
    actual = sha256_hex(png)
    if actual != image.sha256:
        log.error("export refused: image %s stored bytes hash to %s, not %s", image.id, actual, image.sha256)
        raise ExportIntegrityError(f"image {image.id}: its stored bytes no longer match their SHA-256 "
                                   f"(expected {image.sha256}, found {actual}); export refused; restore the "
                                   "blob from a backup")
    return png


def _add_audit_extract(db: Session, package: _Package, case_id: uuid.UUID, head_id: int) -> int:
    """The case's events with their hashes, one canonical JSON object per line."""
    query = (select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.id <= head_id)
             .order_by(AuditEvent.id))
    lines = [canonical_json({**event_content(event), "hash": event.hash}) for event in db.scalars(query)]
    package.add(AUDIT_EXTRACT, "".join(line + "\n" for line in lines).encode("utf-8"))
    return len(lines)
