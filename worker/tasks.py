"""Thin glue between the queue, the database and the engine: load the job, call the
engine, store the images, record progress, results and audit events."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from billiard.process import current_process
from celery.signals import worker_process_init
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.db import session_factory
from app.images.models import Image
from app.images.service import blob_store, store_image
from app.jobs import service as jobs
from app.jobs.models import Job
from app.sessions.models import Candidate, Round
from common.broker import GENERATE_TASK, VERIFY_TASK
from common.faces import face_check, identity_embedding
from common.phash import dhash
from common.photo import looks_photographic
from common.recipe import encode_png, read_recipe, sha256_hex
from common.settings import get_settings
from common.spec import GenerationSpec, JobStatus
from worker.celery_app import celery_app
from worker.engine import (
    EngineOutOfMemory,
    GeneratedImage,
    GenerationCancelled,
    should_restart_after,
    spec_from_recipe,
)
from worker.phases import PhaseClock
from worker.progress import StepReporter, preview_writer
from worker.runtime import background, engine, recent_images, recorder, start_background, worker_name

log = logging.getLogger(__name__)


@worker_process_init.connect
def _load_in_child(**_: object) -> None:
    # The pool's child loads the pipelines once; the parent never touches torch.
    # A child forked while the worker is already stopping (its first child was killed) skips the
    # warm-up round: it is about to be stopped, and a compile would hold up the shutdown for minutes.
    from celery.worker import state

    start_background(celery_app.send_task, warm=state.should_stop is None and state.should_terminate is None)


@celery_app.task(name=GENERATE_TASK)
def generate(job_id: str) -> None:
    run_job(uuid.UUID(job_id))


@celery_app.task(name=VERIFY_TASK)
def verify(job_id: str) -> None:
    run_verify(uuid.UUID(job_id))


def _lease() -> timedelta:
    return timedelta(seconds=get_settings().job_lease_s)


CLAIM_ATTEMPTS = 3


def _claim(job_id: uuid.UUID) -> Job | None:
    """A database that did not answer (SQLite's write lock held past its busy timeout, a dropped
    Postgres connection) is tried again: given up, the job would wait for the sweeper
    (`job_requeue_after_s`, 10 minutes by default) while the witness watches a spinner."""
    for attempt in range(1, CLAIM_ATTEMPTS):
        try:
            return _claim_once(job_id)
        except OperationalError as exc:
            log.warning("job %s: the database did not answer the claim (%s); trying again (%d of %d)",
                        job_id, exc.orig, attempt + 1, CLAIM_ATTEMPTS)
            time.sleep(attempt)
    return _claim_once(job_id)


def _claim_once(job_id: uuid.UUID) -> Job | None:
    with session_factory()() as db:
        return jobs.claim(db, job_id, worker_name(), get_settings().job_max_attempts, _lease())


def _draw(job_id: uuid.UUID, spec: GenerationSpec, parent: PILImage.Image | None,
          clock: PhaseClock | None = None) -> list[GeneratedImage] | None:
    """Runs the engine, reporting each step; ends the job itself if drawing did not succeed."""
    me, lease, clock = worker_name(), _lease(), clock or PhaseClock()

    def report(step: int, total: int) -> bool:
        # The answer says whether to go on: False after a cancel or a takeover.
        with session_factory()() as db, clock.phase("progress"):
            return jobs.report_step(db, job_id, me, step, total, lease)

    reporter = StepReporter(report)
    try:
        try:
            images = engine().generate(spec, parent, reporter,
                                       on_preview=clock.counted("previews", preview_writer(job_id)))
        finally:
            go_on = reporter.close()
        if not go_on:  # cancelled (or taken over) during the last step
            raise GenerationCancelled(spec.steps, spec.steps)
        return images
    except GenerationCancelled:
        _end(job_id, JobStatus.CANCELLED, None)
    except EngineOutOfMemory as exc:
        _end(job_id, JobStatus.FAILED, str(exc))
        if should_restart_after(exc):
            _leave_for_a_fresh_process()
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _end(job_id, JobStatus.FAILED, f"generation failed ({type(exc).__name__}: {exc}); "
                                       "check the worker log, then retry the round")
    return None


def _leave_for_a_fresh_process() -> None:
    """After a CUDA OOM the allocator can stay fragmented for the life of the process: with the job
    already recorded as failed, this pool child exits and prefork starts a fresh one (the message,
    redelivered under acks_late, finds the job final and does nothing). A worker without pool
    children (solo, threads, eager) has nobody to replace it, so it carries on."""
    if current_process().name == "MainProcess":
        return
    log.warning("CUDA out of memory: this worker process exits so that a fresh one takes its place")
    raise SystemExit(0)


def run_job(job_id: uuid.UUID) -> None:
    clock = PhaseClock()
    # 1. Claim the job (or learn that it is done, cancelled or someone else's).
    with clock.phase("claim"):
        job = _claim(job_id)
    if job is None:
        return
    spec = GenerationSpec.model_validate(job.spec)
    with clock.phase("parent"):
        parent = recent_images.open(spec.parent_sha256) if spec.parent_sha256 else None
    # 2. Draw, step by step (the per-step progress and previews are counted apart, inside it).
    with clock.phase("draw"):
        images = _draw(job_id, spec, parent, clock)
    if images is None:
        return
    # 3. Store every candidate and mark the job done, in one transaction.
    stored = _store(job_id, images, clock)
    log.info("job %s stored %d candidates: %s", job_id, len(stored), clock.summary())
    # 4. Face checks (a face? how far from the pick?) follow off the critical path: dlib
    #    runs on the CPU while the GPU takes the next job.
    if stored:
        follow_up(stored, [g.image for g in images], parent)


def follow_up(candidate_ids: list[uuid.UUID], images: list[PILImage.Image],
              parent: PILImage.Image | None) -> Future[None]:
    """Face checks on the niced background thread; their results are written by the recorder,
    taken here, at the job's priority, so that its thread starts at that priority (runtime.recorder)."""
    return background().submit(_check_faces, candidate_ids, images, parent, recorder())


def _check_faces(candidate_ids: list[uuid.UUID], images: list[PILImage.Image], parent: PILImage.Image | None,
                 writer: ThreadPoolExecutor) -> None:
    _yield_cpu()
    # The full detector, as the API's region check uses: the "no face" badge and the region check agree.
    reference = identity_embedding(parent) if parent is not None else None
    checks = [face_check(image, reference) for image in images]
    photographic = [looks_photographic(image) for image in images]
    # Written at normal priority; waiting here keeps "follow-up done" meaning "stored".
    writer.submit(_record_face_checks, candidate_ids, checks, photographic).result()


def _record_face_checks(candidate_ids: list[uuid.UUID], checks: list[dict[str, Any]], photographic: list[bool]) -> None:
    with session_factory()() as db:
        for candidate_id, check, photo in zip(candidate_ids, checks, photographic, strict=True):
            candidate = db.get(Candidate, candidate_id)
            if candidate is not None:
                candidate.face_found, candidate.identity_similarity = check["face_found"], check["identity_similarity"]
                candidate.photographic = photo
        db.commit()


def run_verify(job_id: uuid.UUID) -> None:
    """Redraws a stored image from its recipe and compares the PNG bytes."""
    job = _claim(job_id)
    if job is None:
        return
    with session_factory()() as db:
        image = db.get(Image, uuid.UUID(job.spec["image_id"]))
        assert image is not None
        stored_sha, recipe = image.sha256, dict(image.recipe)
    spec = spec_from_recipe(recipe)
    images = _draw(job_id, spec, recent_images.open(spec.parent_sha256) if spec.parent_sha256 else None)
    if images is None:
        return
    redrawn = images[recipe["batch_index"]]
    regenerated_sha = sha256_hex(encode_png(redrawn.image, redrawn.recipe))
    # The record, the PNG's sealed recipe and the redrawn one must all agree: name any field that does not.
    sealed = read_recipe(blob_store().get(stored_sha)) or {}
    differences = sorted(k for k in sealed.keys() | recipe.keys() | redrawn.recipe.keys()
                         if not sealed.get(k) == recipe.get(k) == redrawn.recipe.get(k))
    result: dict[str, Any] = {
        "identical": regenerated_sha == stored_sha and not differences, "sha256": stored_sha,
        "regenerated_sha256": regenerated_sha, "differences": differences,
    }
    with session_factory()() as db:
        job = db.get(Job, job_id)
        if job is None or job.worker != worker_name() or job.status != JobStatus.RUNNING:
            return
        job.result = result
        record(db, None, "image.verify", case_id=job.case_id, entity_type="image", entity_id=image.id,
               outcome="success" if result["identical"] else "mismatch", details=result)
        jobs.finish(db, job, JobStatus.SUCCEEDED)
        db.commit()


def _end(job_id: uuid.UUID, status: JobStatus, error: str | None) -> None:
    with session_factory()() as db:
        job = db.get(Job, job_id)
        if job is None or job.worker != worker_name() or job.status != JobStatus.RUNNING:
            return
        jobs.finish(db, job, status, error)
        db.commit()


def _yield_cpu() -> None:
    """Linux keeps a nice value per thread: the follow-up thread gives way to the next job's drawing."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _encode_pngs(images: list[GeneratedImage]) -> list[tuple[bytes, str, str]]:
    """Each candidate's PNG, perceptual hash and SHA-256, its bytes already in the blob store.
    Pillow's encoder, hashing and the disk writes release the GIL, so the candidates are done side
    by side; the perceptual hash is taken from the pixels in hand (the PNG is lossless, so decoding
    it again would give the same hash for a decode's cost)."""
    store = blob_store()

    def one(generated: GeneratedImage) -> tuple[bytes, str, str]:
        png = encode_png(generated.image, generated.recipe)
        return png, dhash(generated.image), store.put(png)

    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        return list(pool.map(one, images))


def _store(job_id: uuid.UUID, images: list[GeneratedImage], clock: PhaseClock) -> list[uuid.UUID]:
    """Stores the candidates and ends the job; returns their ids (none if another worker won).
    The job's row keeps the clock's figures up to its commit; the log line has the commit too."""
    with clock.phase("encode"):
        pngs = _encode_pngs(images)
    with session_factory()() as db:
        with clock.phase("rows"):
            job = db.get(Job, job_id)
            round_ = db.scalar(select(Round).where(Round.job_id == job_id))
            if job is None or round_ is None or job.worker != worker_name() or job.status != JobStatus.RUNNING:
                return []  # taken over by another worker meanwhile: theirs is the result
            stored = [_add_candidate(db, job, round_, index, generated, png, phash, sha256)
                      for index, (generated, (png, phash, sha256)) in enumerate(zip(images, pngs, strict=True))]
            jobs.finish(db, job, JobStatus.SUCCEEDED)
        job.result = {"timings_ms": clock.milliseconds()}
        try:
            with clock.phase("commit"):
                db.commit()
        except IntegrityError:
            db.rollback()  # a duplicate delivery already stored them
            return []
    for generated, (_, _, sha256) in zip(images, pngs, strict=True):
        recent_images.remember(sha256, generated.image)
    return stored


def _add_candidate(db: Session, job: Job, round_: Round, index: int, generated: GeneratedImage, png: bytes,
                   phash: str, sha256: str) -> uuid.UUID:
    image = store_image(db, job.case_id, "candidate", png, generated.image.width, generated.image.height,
                        generated.recipe, phash=phash, stored_as=sha256)
    candidate = Candidate(round_id=round_.id, job_id=job.id, index=index, seed=generated.seed, image_id=image.id)
    db.add(candidate)
    db.flush()
    record(db, None, "candidate.generate", case_id=job.case_id, entity_type="candidate", entity_id=candidate.id,
           details={"round_id": str(round_.id), "index": index, "seed": generated.seed,
                    "image_sha256": image.sha256})
    return candidate.id
