"""Independent store calls of one request, run at the same time (decision 045).

A request's independent reads (a batch get and the ``in`` queries chunked at 30 ids) wait on
the network, not the CPU: run side by side they cost one round trip instead of one each. They
go to one process-wide pool of threads, bounded so that a busy instance does not grow a thread
per call. A waiting caller never blocks on a call no thread has started: it takes that call
back and runs it itself, so nested fan-outs (a request's parts, each fanning out its chunks)
cannot deadlock, and a saturated pool degrades to running in sequence, never to waiting.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, overload

T = TypeVar("T")
Item = TypeVar("Item")
# Enough for a few requests' worth of calls at once (a 100-id batch issues at most 9): a
# store call holds its thread for a round trip, so more threads buy nothing but memory.
MAX_THREADS = 32

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="store-fan-out")
        return _pool


def gather(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Each call's result, in order, the calls run concurrently. The first exception raised
    is raised here, after the calls already running have finished."""
    if len(calls) <= 1:
        return [call() for call in calls]
    pool = _shared_pool()
    # Each call runs in a copy of the caller's context: request ids reach the logs it writes.
    futures: list[Future[T]] = [
        pool.submit(contextvars.copy_context().run, call) for call in calls[1:]
    ]
    results: list[Any] = []
    failure: BaseException | None = None
    for call, future in [(calls[0], None), *zip(calls[1:], futures, strict=True)]:
        try:
            if future is None or future.cancel():  # not started anywhere: run it here
                results.append(call() if failure is None else None)
            else:
                results.append(future.result())
        except BaseException as exc:  # re-raised once the others are done
            failure = failure or exc
            results.append(None)
    if failure is not None:
        raise failure
    return results


def gather_each(call: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
    """``call(item)`` for each item, concurrently, results in order."""
    return gather([functools.partial(call, item) for item in items])


A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


@overload
def concurrently(first: Callable[[], A], second: Callable[[], B], /) -> tuple[A, B]: ...
@overload
def concurrently(
    first: Callable[[], A], second: Callable[[], B], third: Callable[[], C], /
) -> tuple[A, B, C]: ...
def concurrently(*calls: Callable[[], Any]) -> tuple[Any, ...]:
    """The results of a request's independent parts, run at the same time, as a tuple."""
    return tuple(gather(calls))
