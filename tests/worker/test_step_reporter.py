"""The step reporter: the drawing never waits on a report, and none is lost or overtaken."""

from __future__ import annotations

import threading
import time

from worker.progress import StepReporter


class SlowReports:
    """Records the steps it is asked to report; each report takes `seconds`."""

    def __init__(self, seconds: float = 0.0, stop_after: int | None = None) -> None:
        self.seconds, self.stop_after = seconds, stop_after
        self.reported: list[int] = []
        self.threads: dict[int, str] = {}

    def __call__(self, step: int, total: int) -> bool:
        time.sleep(self.seconds)
        self.reported.append(step)
        self.threads[step] = threading.current_thread().name
        return self.stop_after is None or step < self.stop_after


def test_the_drawing_does_not_wait_for_a_slow_report() -> None:
    reports = SlowReports(seconds=0.2)
    reporter = StepReporter(reports)
    started = time.perf_counter()
    answers = [reporter(step, 5) for step in range(1, 6)]
    assert time.perf_counter() - started < 0.1  # five steps while the first report is still writing
    assert answers == [True] * 5
    assert reporter.close()
    # Steps that came while a report was in flight folded into the last one, which close() wrote.
    assert reports.reported == [1, 5]
    # Reports during the drawing ran beside it; the last one, after the drawing, in the caller.
    assert reports.threads[1] != threading.current_thread().name


def test_every_step_is_reported_when_reports_keep_up() -> None:
    reports = SlowReports()
    reporter = StepReporter(reports)
    for step in range(1, 4):
        reporter(step, 3)
        time.sleep(0.05)
    assert reporter.close()
    assert reports.reported == [1, 2, 3]


def test_a_cancel_is_heard_at_the_next_step() -> None:
    reports = SlowReports(stop_after=2)
    reporter = StepReporter(reports)
    assert reporter(1, 9)
    time.sleep(0.05)
    assert reporter(2, 9)  # the answer to step 2 is still being written
    time.sleep(0.05)
    assert reporter(3, 9) is False
    assert reporter.close() is False
    assert reports.reported == [1, 2]  # nothing more is reported once the job must stop


def test_a_cancel_during_the_last_step_is_heard_at_close() -> None:
    reports = SlowReports(stop_after=1)
    reporter = StepReporter(reports)
    assert reporter(1, 2)
    assert reporter(2, 2)
    assert reporter.close() is False
