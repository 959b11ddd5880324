from __future__ import annotations

import time

from worker.phases import PhaseClock


def test_phases_add_up_per_name_and_calls_are_counted() -> None:
    clock = PhaseClock()
    with clock.phase("draw"):
        time.sleep(0.02)
    def report(step: int) -> int:
        time.sleep(0.01)
        return step

    step = clock.counted("progress", report)
    assert [step(1), step(2)] == [1, 2]
    ms = clock.milliseconds()
    assert list(ms) == ["draw", "progress"]
    assert 20 <= ms["draw"] < 200 and 20 <= ms["progress"] < 200
    assert clock.summary().startswith("draw ") and "progress" in clock.summary()


def test_a_phase_that_raises_is_still_counted() -> None:
    clock = PhaseClock()
    try:
        with clock.phase("store"):
            raise ValueError("boom")
    except ValueError:
        pass
    assert "store" in clock.milliseconds()
