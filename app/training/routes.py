"""Admin routes for training runs: start one on the `train` queue, follow it, cancel it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app.training import service as training
from app.training.schemas import TrainingRunOut, TrainingStart
from app.users.deps import AdminActor, Db

router = APIRouter(tags=["training"])


@router.post("/api/training", response_model=TrainingRunOut, status_code=201)
def start_training(body: TrainingStart, db: Db, actor: AdminActor) -> TrainingRunOut:
    """Queue a training run for a training worker (`likeness train worker`)."""
    run = training.start_training(db, actor, kind=body.kind, dataset=body.dataset, config=body.config,
                                  name=body.name)
    return TrainingRunOut.model_validate(run)


@router.get("/api/training", response_model=list[TrainingRunOut])
def list_training(db: Db, _: AdminActor) -> list[TrainingRunOut]:
    return [TrainingRunOut.model_validate(r) for r in training.list_runs(db)]


@router.get("/api/training/{run_id}", response_model=TrainingRunOut)
def get_training(run_id: uuid.UUID, db: Db, _: AdminActor) -> TrainingRunOut:
    return TrainingRunOut.model_validate(training.get_run(db, run_id))


@router.post("/api/training/{run_id}/cancel", response_model=TrainingRunOut)
def cancel_training(run_id: uuid.UUID, db: Db, actor: AdminActor) -> TrainingRunOut:
    return TrainingRunOut.model_validate(training.request_cancel(db, actor, run_id))
