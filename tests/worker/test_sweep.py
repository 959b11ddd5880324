"""The workers' sweeper fails a training run whose trainer stopped answering: a trainer acknowledges
its message on receipt, so without the sweeper the run would show "running" for ever."""

from __future__ import annotations

from datetime import timedelta

from app.db import session_factory, utcnow
from app.training import service as training
from app.training.models import TrainingRun
from tests.conftest import Stack, queued_training_run


def test_the_sweeper_fails_a_training_run_that_lost_its_worker(sqlite_stack: Stack) -> None:
    from worker.runtime import sweep

    run_id = queued_training_run()
    with session_factory()() as db:
        assert training.claim_run(db, run_id, "trainer-that-was-killed") is not None
        run = db.get(TrainingRun, run_id)
        assert run is not None
        run.lease_until = utcnow() - timedelta(seconds=1)
        db.commit()

    published: list[object] = []
    sweep(lambda *args, **kwargs: published.append((args, kwargs)))

    with session_factory()() as db:
        run = db.get(TrainingRun, run_id)
        assert run is not None and run.status == "failed", run.status
    assert published == [], "a training run is not published again: it is failed, with its reason"
