"""The step reporter: the drawing never waits on a report, and none is lost or overtaken.

Reports are gated by events, not timed by sleeps, so the tests mean the same on a loaded machine."""

from __future__ import annotations

import threading
import time

from worker.progress import StepReporter

WAIT_S = 10


class GatedReports:
    """Records the steps it is asked to report. While `gate` is clear, a report waits for it;
    `answered` is set after each report. Steps after `stop_after` answer "stop"."""

    def __init__(self, stop_after: int | None = None, open_gate: bool = True) -> None:
        self.stop_after = stop_after
        self.gate, self.answered = threading.Event(), threading.Event()
        if open_gate:
            self.gate.set()
        self.reported: list[int] = []
        self.threads: dict[int, str] = {}

    def __call__(self, step: int, total: int) -> bool:
        assert self.gate.wait(WAIT_S)
        self.reported.append(step)
        self.threads[step] = threading.current_thread().name
        self.answered.set()
        return self.stop_after is None or step < self.stop_after

    def wait_answered(self) -> None:
        assert self.answered.wait(WAIT_S)
        self.answered.clear()
        # The report has answered; give its thread the moment it needs to hand the answer back.
        time.sleep(0.05)


def test_the_drawing_does_not_wait_for_a_slow_report() -> None:
    reports = GatedReports(open_gate=False)
    reporter = StepReporter(reports)
    # Five steps while the first report is still being written: none of them waits for it.
    assert [reporter(step, 5) for step in range(1, 6)] == [True] * 5
    reports.gate.set()
    assert reporter.close()
    # Steps that came while a report was in flight folded into the last one, which close() wrote.
    assert reports.reported == [1, 5]
    # Reports during the drawing ran beside it; the last one, after the drawing, in the caller.
    assert reports.threads[1] != threading.current_thread().name


def test_every_step_is_reported_when_reports_keep_up() -> None:
    reports = GatedReports()
    reporter = StepReporter(reports)
    for step in range(1, 4):
        reporter(step, 3)
        reports.wait_answered()
    assert reporter.close()
    assert reports.reported == [1, 2, 3]


def test_a_cancel_is_heard_at_the_next_step() -> None:
    reports = GatedReports(stop_after=2)
    reporter = StepReporter(reports)
    assert reporter(1, 9)
    reports.wait_answered()
    assert reporter(2, 9)  # the answer to step 2 comes back beside step 3's drawing
    reports.wait_answered()
    assert reporter(3, 9) is False
    assert reporter.close() is False
    assert reports.reported == [1, 2]  # nothing more is reported once the job must stop


def test_a_cancel_during_the_last_step_is_heard_at_close() -> None:
    reports = GatedReports(stop_after=1, open_gate=False)
    reporter = StepReporter(reports)
    assert reporter(1, 2)
    assert reporter(2, 2)  # the answer to step 1 is still being written
    reports.gate.set()
    assert reporter.close() is False
    assert reports.reported == [1]  # told to stop: the folded last step is not written
