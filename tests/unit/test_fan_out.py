"""The request fan-out: results in order, calls at the same time, errors raised, and nested
fan-outs that finish even when every thread of the pool is busy."""

from __future__ import annotations

import threading
import time

import pytest

from shared import fan_out
from shared.fan_out import concurrently, gather, gather_each


def test_results_keep_the_order_of_the_calls() -> None:
    assert gather_each(lambda n: n * n, range(10)) == [n * n for n in range(10)]
    assert concurrently(lambda: "a", lambda: 2) == ("a", 2)
    assert gather([]) == []


def test_calls_run_at_the_same_time() -> None:
    started = time.monotonic()
    gather([lambda: time.sleep(0.2)] * 5)
    assert time.monotonic() - started < 0.6  # in sequence: 1.0 s


def test_the_first_error_is_raised_after_the_running_calls_finish() -> None:
    finished: list[int] = []

    def slow() -> None:
        time.sleep(0.1)
        finished.append(1)

    def fail() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError):
        gather([slow, fail])
    assert finished == [1]
    with pytest.raises(ValueError):
        gather([fail, slow, slow])  # the calls not started yet are not started at all


def test_nested_fan_outs_finish_when_the_pool_is_saturated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each outer call fans out again and waits: with a pool of 2 threads a plain pool would
    deadlock; here a waiting caller runs the calls no thread has started."""
    monkeypatch.setattr(fan_out, "_pool", None)
    monkeypatch.setattr(fan_out, "MAX_THREADS", 2)
    names: set[str] = set()

    def leaf(n: int) -> int:
        names.add(threading.current_thread().name)
        time.sleep(0.01)
        return n

    def outer(n: int) -> int:
        return sum(gather_each(leaf, [n] * 4))

    result: list[list[int]] = []
    worker = threading.Thread(target=lambda: result.append(gather_each(outer, range(6))))
    worker.start()
    worker.join(timeout=10)
    pool = fan_out._pool
    monkeypatch.setattr(fan_out, "_pool", None)
    if pool is not None:
        pool.shutdown()
    assert result == [[4 * n for n in range(6)]]
    assert any(name.startswith("store-fan-out") for name in names)
