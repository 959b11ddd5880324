"""A dataset from the department's own approved composites, for training.

Only closed cases an admin flagged as releasable for training take part; each
approved session gives one pair: the description it was drawn from, verbatim, and
the composite the artist approved. The pairs go through the same all-or-nothing
import as any folder (validation, re-encoding, fixed-seed split, audit).
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.datasets.models import Dataset
from app.datasets.service import import_dataset
from app.errors import InvalidError
from app.images.service import blob_store
from app.sessions.models import Candidate, SketchSession
from app.users.actor import Actor
from app.witnesses.models import Description


class CompositeSource:
    """The approved composites, presented as a dataset folder would be: an index and images."""

    index_path = "index.jsonl"

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.name = "approved composites of releasable cases"
        self._index = "\n".join(json.dumps({"description": text, "sketch": f"{sha}.png"}) for text, sha in pairs)

    def _sha(self, path: str) -> str | None:
        sha = path.removesuffix(".png")
        return sha if path.endswith(".png") and blob_store().path_for(sha).is_file() else None

    def size(self, path: str) -> int | None:
        if path == self.index_path:
            return len(self._index.encode())
        sha = self._sha(path)
        return blob_store().path_for(sha).stat().st_size if sha else None

    def read(self, path: str) -> bytes:
        if path == self.index_path:
            return self._index.encode()
        sha = self._sha(path)
        if sha is None:
            raise FileNotFoundError(path)
        return blob_store().get(sha)


def approved_pairs(db: Session) -> list[tuple[str, str]]:
    """(verbatim description, approved composite SHA-256) of every approved session of a
    closed case flagged as releasable for training."""
    rows = db.execute(
        select(Description.text, Candidate.image_id)
        .select_from(SketchSession)
        .join(Case, Case.id == SketchSession.case_id)
        .join(Description, Description.id == SketchSession.description_id)
        .join(Candidate, Candidate.id == SketchSession.final_candidate_id)
        .where(Case.status == "closed", Case.releasable_for_training.is_(True), SketchSession.status == "approved")
        .order_by(SketchSession.approved_at)
    ).all()
    candidates = {c.image_id: c for c in db.scalars(select(Candidate).where(Candidate.image_id.in_(
        [image_id for _, image_id in rows])))}
    return [(text, candidates[image_id].image.sha256) for text, image_id in rows]


def dataset_from_cases(db: Session, actor: Actor, name: str) -> Dataset:
    pairs = approved_pairs(db)
    if not pairs:
        raise InvalidError("no approved composites of closed cases released for training yet; an admin "
                           "releases a case with releasable_for_training")
    return import_dataset(db, actor, name=name, source=CompositeSource(pairs))
