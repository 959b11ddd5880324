"""Thin glue between the queue, the database and the engine: load the job, call the
engine, store the images, record progress, results and audit events."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta

from celery.signals import worker_process_init
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.service import record
from app.db import session_factory
from app.images.service import blob_store, store_image
from app.jobs import service as jobs
from app.jobs.models import Job
from app.sessions.models import Candidate, Round
from common.broker import GENERATE_TASK
from common.recipe import encode_png
from common.settings import get_settings
from common.spec import GenerationSpec, JobStatus
from worker.celery_app import celery_app
from worker.engine import EngineOutOfMemory, GeneratedImage, GenerationCancelled
from worker.runtime import engine, start_background, worker_name

log = logging.getLogger(__name__)


@worker_process_init.connect
def _load_in_child(**_: object) -> None:
    # The pool's child loads the pipelines once; the parent never touches torch.
    start_background(celery_app.send_task)


@celery_app.task(name=GENERATE_TASK)
def generate(job_id: str) -> None:
    run_job(uuid.UUID(job_id))


def run_job(job_id: uuid.UUID) -> None:
    settings = get_settings()
    lease = timedelta(seconds=settings.job_lease_s)
    me = worker_name()

    # 1. Claim the job (or learn that it is done, cancelled or someone else's).
    with session_factory()() as db:
        job = jobs.claim(db, job_id, me, settings.job_max_attempts, lease)
        if job is None:
            return
        spec = GenerationSpec.model_validate(job.spec)
    parent = _open(spec.parent_sha256) if spec.parent_sha256 else None

    # 2. Draw, reporting each step; the answer to a report says whether to go on.
    def on_step(step: int, total: int) -> bool:
        with session_factory()() as db:
            return jobs.report_step(db, job_id, me, step, total, lease)

    try:
        images = engine().generate(spec, parent, on_step)
    except GenerationCancelled:
        _end(job_id, me, JobStatus.CANCELLED, None)
        return
    except EngineOutOfMemory as exc:
        _end(job_id, me, JobStatus.FAILED, str(exc))
        return
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _end(job_id, me, JobStatus.FAILED, f"generation failed ({type(exc).__name__}: {exc}); "
                                          "check the worker log, then retry the round")
        return

    # 3. Store every candidate, then mark the job done, in one transaction.
    _store(job_id, me, images)


def _open(sha256: str) -> PILImage.Image:
    with PILImage.open(io.BytesIO(blob_store().get(sha256))) as image:
        return image.convert("RGB")


def _end(job_id: uuid.UUID, me: str, status: JobStatus, error: str | None) -> None:
    with session_factory()() as db:
        job = db.get(Job, job_id)
        if job is None or job.worker != me or job.status != JobStatus.RUNNING:
            return
        jobs.finish(db, job, status, error)
        db.commit()


def _store(job_id: uuid.UUID, me: str, images: list[GeneratedImage]) -> None:
    with session_factory()() as db:
        job = db.get(Job, job_id)
        round_ = db.scalar(select(Round).where(Round.job_id == job_id))
        if job is None or round_ is None or job.worker != me or job.status != JobStatus.RUNNING:
            return  # taken over by another worker meanwhile: theirs is the result
        for index, generated in enumerate(images):
            png = encode_png(generated.image, generated.recipe)
            image = store_image(db, job.case_id, "candidate", png, generated.image.width, generated.image.height,
                                generated.recipe)
            candidate = Candidate(round_id=round_.id, job_id=job.id, index=index, seed=generated.seed,
                                  image_id=image.id)
            db.add(candidate)
            db.flush()
            record(db, None, "candidate.generate", case_id=job.case_id, entity_type="candidate",
                   entity_id=candidate.id, details={"round_id": str(round_.id), "index": index,
                                                    "seed": generated.seed, "image_sha256": image.sha256})
        jobs.finish(db, job, JobStatus.SUCCEEDED)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()  # a duplicate delivery already stored them
