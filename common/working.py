"""The working description: the artist's instrument for drawing, kept apart from the
witness's words (which stay verbatim on the description and each round).

It holds the structured attributes plus free clauses, each with its kind, where it
came from (the description, feedback, or the artist) and the round it came in. Each
round's prompt is built from it afresh (common.prompt.build), so it never grows by
itself: only an accepted edit changes it, and every change is kept as a diff.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from common.attributes import Attributes
from common.clauses import Kind, split_clauses

Source = Literal["description", "feedback", "artist"]
MAX_CLAUSES = 200


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    kind: Kind = "draw"
    source: Source = "artist"
    round: int | None = Field(default=None, ge=1, le=1000, description="the round it came from (1: the description)")
    promoted: bool = Field(default=False, description="an uncertain clause the artist chose to draw")

    def key(self) -> str:
        return " ".join(self.text.lower().split())


class Working(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attributes: Attributes = Field(default_factory=Attributes)
    clauses: list[Clause] = Field(default_factory=list, max_length=MAX_CLAUSES)

    @classmethod
    def from_description(cls, text: str, attributes: dict[str, Any]) -> Working:
        clauses = [Clause(text=p.text[:2000], kind=p.kind, source="description", round=1)
                   for p in split_clauses(text)][:MAX_CLAUSES]
        return cls(attributes=Attributes.model_validate(attributes), clauses=clauses)

    def stored(self) -> dict[str, Any]:
        return {"attributes": self.attributes.stored(),
                "clauses": [c.model_dump(exclude_defaults=False) for c in self.clauses]}

    def sha256(self) -> str:
        text = json.dumps(self.stored(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def with_clause(self, clause: Clause) -> Working:
        """Adds a clause unless one with the same words is there (then its kind is updated)."""
        kept = [c for c in self.clauses if c.key() != clause.key()]
        return self.model_copy(update={"clauses": [*kept, clause][-MAX_CLAUSES:]})


def _flat(attributes: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in attributes.items() if k != "hair"}
    flat.update({f"hair.{k}": v for k, v in (attributes.get("hair") or {}).items()})
    return flat


def diff(before: Working, after: Working) -> dict[str, Any]:
    """What the artist changed: attributes by field, clauses added, removed, re-kinded or promoted."""
    old, new = _flat(before.attributes.stored()), _flat(after.attributes.stored())
    fields = {k: {"from": old.get(k), "to": new.get(k)}
              for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
    was = {c.key(): c for c in before.clauses}
    now = {c.key(): c for c in after.clauses}
    changed = [{"text": c.text, "from": was[k].kind, "to": c.kind, "promoted": c.promoted}
               for k, c in now.items() if k in was and (was[k].kind, was[k].promoted) != (c.kind, c.promoted)]
    return {
        "attributes": fields,
        "added": [{"text": c.text, "kind": c.kind, "source": c.source} for k, c in now.items() if k not in was],
        "removed": [{"text": c.text, "kind": c.kind, "source": c.source} for k, c in was.items() if k not in now],
        "changed": changed,
    }


def diff_summary(change: dict[str, Any]) -> dict[str, Any]:
    """The diff without the words: field names and counts, fit for the audit trail."""
    changed = change["changed"]
    return {"attribute_fields": sorted(change["attributes"]), "clauses_added": len(change["added"]),
            "clauses_removed": len(change["removed"]), "kinds_changed": sum(c["from"] != c["to"] for c in changed),
            "promoted": sum(bool(c["promoted"]) for c in changed)}
