"""The subscriber harness of the events bench: SSE streams read by several processes.

One Python process reading 1,000 sockets fell behind both servers at 200 events/s (nchan's
publish-to-client went from 5 ms to 98 ms and it lost deliveries), so what it measured was
partly its own receive backlog. The subscribers are now split across ``readers`` processes,
the same harness for nchan and the relay; each counts every delivery and times the probes'
(the first ``PROBES`` subscribers overall) on arrival.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

T_RE = re.compile(rb'"t":([0-9.]+)')
COMMIT_RE = re.compile(rb'"event_id":"([0-9]{17})-')
PROBES = 50


@dataclass(frozen=True)
class ReaderControl:
    """Shared with every reader process (manager proxies, so it pickles): each reader puts
    its stream count on ``ready`` once all its streams answered; ``stop`` ends them all."""

    ready: queue.Queue[int]
    stop: threading.Event


@dataclass
class Subscriber:
    probe: bool
    count: int = 0
    last: float = 0.0
    latencies: list[float] = field(default_factory=list)
    after_commit: list[float] = field(default_factory=list)
    buffer: bytes = b""
    error: str | None = None


async def subscribe(
    port: int, request: bytes, sub: Subscriber, ready: asyncio.Event, stop: asyncio.Event
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            sub.error = head.decode(errors="replace")
            return
    except OSError as exc:
        sub.error = repr(exc)
        return
    finally:
        ready.set()  # connected, or failed with its reason
    try:
        while not stop.is_set():
            chunk = await reader.read(65536)
            if not chunk:
                return
            data = sub.buffer + chunk
            end = data.rfind(b"\n\n")
            if end < 0:
                sub.buffer = data
                continue
            done, sub.buffer = data[: end + 2], data[end + 2 :]
            arrived = time.time()
            delivered = done.count(b"\ndata: ") + done.startswith(b"data: ")
            if delivered:
                sub.count += delivered
                sub.last = arrived
                if sub.probe:
                    sub.latencies.extend(arrived - float(m.group(1)) for m in T_RE.finditer(done))
                    sub.after_commit.extend(
                        arrived - int(m.group(1)) / 1e6 for m in COMMIT_RE.finditer(done)
                    )
    finally:
        writer.close()


async def _read_group(
    port: int, requests: list[bytes], probes: int, total: int, control: ReaderControl
) -> dict[str, Any]:
    stop = asyncio.Event()
    subs = [Subscriber(probe=i < probes) for i in range(len(requests))]
    tasks = []
    for start in range(0, len(subs), 100):
        batch = []
        group = zip(subs[start : start + 100], requests[start : start + 100], strict=True)
        for sub, request in group:
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(subscribe(port, request, sub, ready, stop)))
            batch.append(ready.wait())
        await asyncio.wait_for(asyncio.gather(*batch), 120)
    failed = [s.error for s in subs if s.error]
    if failed:
        raise RuntimeError(f"{len(failed)} streams refused: {failed[0]}")
    control.ready.put(len(subs))
    loop = asyncio.get_running_loop()
    # Ends when every stream has every event, or when the bench says so (its deadline).
    while not all(s.count >= total for s in subs):
        if await loop.run_in_executor(None, control.stop.wait, 0.5):
            break
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "delivered": sum(s.count for s in subs),
        "complete": sum(1 for s in subs if s.count >= total),
        "last": max((s.last for s in subs), default=0.0),
        "latencies": [x for s in subs for x in s.latencies],
        "after_commit": [x for s in subs for x in s.after_commit],
    }


def _reader(
    args: tuple[int, list[bytes], int, int, ReaderControl, queue.Queue[dict[str, Any]]],
) -> None:
    port, requests, probes, total, control, answers = args
    answers.put(asyncio.run(_read_group(port, requests, probes, total, control)))


class StreamReaders:
    """``len(requests)`` streams opened by ``readers`` processes; ``wait_connected`` returns
    once every stream answered 200, ``finish`` once every stream has ``total`` events or the
    deadline passed, with the harness's figures merged."""

    def __init__(self, port: int, requests: list[bytes], total: int, readers: int) -> None:
        context = multiprocessing.get_context("spawn")
        manager = context.Manager()
        self._manager = manager
        self._control = ReaderControl(ready=manager.Queue(), stop=manager.Event())
        self._answers: queue.Queue[dict[str, Any]] = manager.Queue()
        self._readers = readers
        probes = [min(PROBES // readers, len(requests[i::readers])) for i in range(readers)]
        control = self._control
        self._processes = [
            context.Process(
                target=_reader,
                args=((port, requests[i::readers], probes[i], total, control, self._answers),),
            )
            for i in range(readers)
        ]
        for process in self._processes:
            process.start()

    def wait_connected(self, timeout: float = 180) -> None:
        for _ in range(self._readers):
            self._control.ready.get(timeout=timeout)

    def finish(self, deadline: float) -> dict[str, Any]:
        answers: list[dict[str, Any]] = []
        while len(answers) < self._readers:
            try:
                answers.append(self._answers.get(timeout=0.5))
            except Exception:  # queue.Empty through the manager's proxy
                if time.monotonic() > deadline:
                    self._control.stop.set()
        for process in self._processes:
            process.join(10)
        self._manager.shutdown()
        return {
            "delivered": sum(a["delivered"] for a in answers),
            "last": max(a["last"] for a in answers),
            "latencies": [x for a in answers for x in a["latencies"]],
            "after_commit": [x for a in answers for x in a["after_commit"]],
        }
