"""Witnesses and their descriptions. Descriptions are append-only versions."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.cases.service import can_see, get_case
from app.errors import NotFoundError
from app.users.actor import Actor
from app.validation import apply_changes
from app.witnesses.models import Description, Witness
from app.witnesses.schemas import DescriptionCreate, WitnessCreate, WitnessUpdate
from common.recipe import sha256_hex


def get_witness(db: Session, actor: Actor, witness_id: uuid.UUID) -> Witness:
    witness = db.get(Witness, witness_id)
    if witness is None or not can_see(db, actor, witness.case_id):
        raise NotFoundError(f"witness {witness_id} not found")
    return witness


def list_witnesses(db: Session, case_id: uuid.UUID) -> list[Witness]:
    return list(db.scalars(select(Witness).where(Witness.case_id == case_id).order_by(Witness.created_at)))


def count_witnesses(db: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = db.execute(
        select(Witness.case_id, func.count()).where(Witness.case_id.in_(case_ids)).group_by(Witness.case_id)
    )
    return {case_id: n for case_id, n in rows}


def add_witness(db: Session, actor: Actor, case_id: uuid.UUID, data: WitnessCreate) -> Witness:
    case = get_case(db, actor, case_id)
    witness = Witness(case_id=case.id, name=data.name, contact=data.contact)
    db.add(witness)
    db.flush()
    # The audit stores ids only: a witness's name and contact are personal data.
    record(db, actor, "witness.create", case_id=case.id, entity_type="witness", entity_id=witness.id)
    db.commit()
    return witness


def update_witness(db: Session, actor: Actor, witness_id: uuid.UUID, data: WitnessUpdate) -> Witness:
    witness = get_witness(db, actor, witness_id)
    fields = apply_changes(witness, data)
    # Which fields changed, not their values: they are personal data.
    record(db, actor, "witness.update", case_id=witness.case_id, entity_type="witness", entity_id=witness.id,
           details={"fields": fields})
    db.commit()
    return witness


def get_description(db: Session, actor: Actor, description_id: uuid.UUID) -> Description:
    description = db.get(Description, description_id)
    if description is None or not can_see(db, actor, description.witness.case_id):
        raise NotFoundError(f"description {description_id} not found")
    return description


def add_description(db: Session, actor: Actor, witness_id: uuid.UUID, data: DescriptionCreate) -> Description:
    """Records the next version; the first is the witness's first account, kept as said."""
    witness = get_witness(db, actor, witness_id)
    latest = db.scalar(
        select(Description).where(Description.witness_id == witness.id).order_by(Description.version.desc())
    )
    description = Description(
        witness_id=witness.id,
        version=(latest.version + 1) if latest else 1,
        supersedes_id=latest.id if latest else None,
        text=data.text,
        attributes=data.attributes.stored(),
        created_by=actor.id,
    )
    db.add(description)
    db.flush()
    record(db, actor, "description.create", case_id=witness.case_id, entity_type="description",
           entity_id=description.id,
           details={"witness_id": str(witness.id), "version": description.version,
                    "supersedes_id": str(latest.id) if latest else None,
                    "text_sha256": sha256_hex(data.text.encode("utf-8")), "characters": len(data.text)})
    db.commit()
    return description
