"""A living trainer keeps its run's lease between steps too: only a dead one lets it run out."""

from __future__ import annotations

import time

import pytest

from app.db import session_factory
from app.training import service as training
from tests.conftest import Stack, queued_training_run, reset_caches


def test_a_long_stretch_without_steps_does_not_fail_a_living_run(sqlite_stack: Stack,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from worker.training.tasks import _lease_kept

    monkeypatch.setenv("LIKENESS_TRAINING_LEASE_S", "0.6")
    reset_caches()
    run_id = queued_training_run()
    with session_factory()() as db:
        assert training.claim_run(db, run_id, "trainer") is not None

    with _lease_kept(run_id, "trainer"):
        time.sleep(1.5)  # loading a base model, say: no step reported for over two leases
        with session_factory()() as db:
            assert training.fail_abandoned_runs(db) == [], "a living trainer's run was failed"

    time.sleep(0.8)  # the trainer is gone: nobody renews the lease any more
    with session_factory()() as db:
        assert training.fail_abandoned_runs(db) == [run_id]
