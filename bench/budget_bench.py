"""What a per-key budget costs on the Firestore emulator: acquire and release of a slot
(the price of opening a stream or starting a render under a cap), free and at the cap.

    .venv/bin/python -m bench.budget_bench --rounds 100

Starts emulators of its own; prints p50/p99 per operation in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from infra.local.emulators import start_emulators
from shared.bootstrap import Container
from shared.config import Settings
from shared.errors import RateLimited
from shared.services.budgets import Cap, ConcurrencyBudget


def timed(rounds: int, step: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.99 * len(samples)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--cap", type=int, default=10)
    args = parser.parse_args()
    emulators = start_emulators(Path(tempfile.mkdtemp(prefix="budget-bench-")), "vv-bench")
    try:
        import os

        os.environ.update(emulators.env)
        container = Container(Settings())
        budget = ConcurrencyBudget(container.budget_slots, ttl_seconds=310, retry_after=10)
        key, user = uuid.uuid4().hex[:16], uuid.uuid4().hex[:10]
        # The relay's two stream caps (functions/events_relay: stream_caps), the key's at --cap.
        caps = [
            Cap(f"stream:{key}", args.cap, "open event streams for this key", "streams_per_key"),
            Cap(f"stream-user:{user}", 25, "open event streams", "streams_per_user"),
        ]
        timed(5, lambda: budget.release(budget.acquire(caps)))  # warm the client
        held = []
        print(f"operation (cap {args.cap} per key, 25 per user)  p50 ms  p99 ms")
        p50, p99 = timed(args.cap, lambda: held.append(budget.acquire(caps)))
        print(f"acquire, under the cap                     {p50:6.1f}  {p99:6.1f}")
        refused = 0

        def over() -> None:
            nonlocal refused
            try:
                budget.acquire(caps)
            except RateLimited:
                refused += 1

        p50, p99 = timed(args.rounds, over)
        assert refused == args.rounds
        print(f"acquire, at the cap (429)                  {p50:6.1f}  {p99:6.1f}")
        p50, p99 = timed(len(held), lambda: budget.release(held.pop()))
        print(f"release                                    {p50:6.1f}  {p99:6.1f}")
        p50, p99 = timed(args.rounds, lambda: budget.release(budget.acquire(caps)))
        print(f"acquire + release                          {p50:6.1f}  {p99:6.1f}")
    finally:
        emulators.stop()


if __name__ == "__main__":
    main()
