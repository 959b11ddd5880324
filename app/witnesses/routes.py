from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.security.ratelimit import check_preview
from app.sessions.exposure import exposure_cap, exposures, warning
from app.users.deps import CurrentActor, Db
from app.witnesses import service
from app.witnesses.models import Description, Witness
from app.witnesses.schemas import (
    DescriptionCreate,
    DescriptionOut,
    PromptPreviewIn,
    PromptPreviewOut,
    WitnessCreate,
    WitnessOut,
    WitnessUpdate,
)
from common.prompt import PROMPT_WINDOW, build, build_prompt, count_tokens
from common.working import Working

router = APIRouter(prefix="/api", tags=["witnesses"])


def description_out(description: Description) -> DescriptionOut:
    out = DescriptionOut.model_validate(description)
    out.prompt = build_prompt(description.text, description.attributes)
    out.token_count = count_tokens(out.prompt)
    return out


def witness_out(db: Session, witness: Witness) -> WitnessOut:
    count = exposures(db, witness.id)
    return WitnessOut(id=witness.id, case_id=witness.case_id, name=witness.name, contact=witness.contact,
                      created_at=witness.created_at, descriptions=[description_out(d) for d in witness.descriptions],
                      exposures=count, exposure_cap=exposure_cap(), warning=warning(count))


@router.post("/cases/{case_id}/witnesses", response_model=WitnessOut, status_code=201)
def add_witness(case_id: uuid.UUID, body: WitnessCreate, db: Db, actor: CurrentActor) -> WitnessOut:
    return witness_out(db, service.add_witness(db, actor, case_id, body))


@router.get("/witnesses/{witness_id}", response_model=WitnessOut)
def get_witness(witness_id: uuid.UUID, db: Db, actor: CurrentActor) -> WitnessOut:
    return witness_out(db, service.get_witness(db, actor, witness_id))


@router.patch("/witnesses/{witness_id}", response_model=WitnessOut)
def update_witness(witness_id: uuid.UUID, body: WitnessUpdate, db: Db, actor: CurrentActor) -> WitnessOut:
    return witness_out(db, service.update_witness(db, actor, witness_id, body))


@router.post("/witnesses/{witness_id}/descriptions", response_model=DescriptionOut, status_code=201)
def add_description(witness_id: uuid.UUID, body: DescriptionCreate, db: Db, actor: CurrentActor) -> DescriptionOut:
    return description_out(service.add_description(db, actor, witness_id, body))


@router.get("/descriptions/{description_id}", response_model=DescriptionOut)
def get_description(description_id: uuid.UUID, db: Db, actor: CurrentActor) -> DescriptionOut:
    return description_out(service.get_description(db, actor, description_id))


@router.post("/prompts/preview", response_model=PromptPreviewOut)
def preview_prompt(body: PromptPreviewIn, actor: CurrentActor) -> PromptPreviewOut:
    size = len(body.text) + (sum(len(c.text) for c in body.working.clauses) if body.working else 0)
    check_preview(str(actor.id), size)
    working = body.working or Working.from_description(body.text, body.attributes.stored())
    built = build(working)
    return PromptPreviewOut(prompt=built.prompt, negative_prompt=built.negative_prompt,
                            token_count=count_tokens(built.prompt), window=PROMPT_WINDOW, clauses=built.clauses)
