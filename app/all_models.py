"""Imports every table, so the metadata (Alembic, tests) sees the whole schema."""

from app.audit.models import AuditEvent, AuditHead, SignedHead
from app.cases.models import Case, CaseShare
from app.datasets.models import Dataset
from app.db import Base
from app.images.models import Image
from app.jobs.models import Job, WorkerHeartbeat
from app.registry.models import Adapter
from app.sessions.models import Candidate, Round, SketchSession, SubmitKey
from app.training.models import TrainingRun
from app.users.models import AuthSession, User
from app.witness_view.models import WitnessLink
from app.witnesses.models import Description, Witness

__all__ = [
    "Adapter",
    "AuditEvent",
    "AuditHead",
    "AuthSession",
    "Base",
    "Candidate",
    "Case",
    "CaseShare",
    "Dataset",
    "Description",
    "Image",
    "Job",
    "Round",
    "SignedHead",
    "SketchSession",
    "SubmitKey",
    "TrainingRun",
    "User",
    "Witness",
    "WitnessLink",
    "WorkerHeartbeat",
]
