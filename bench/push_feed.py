"""Pub/Sub push requests sent the way production's push sends them: many at a time, from a
client that costs next to nothing, so the figure measured is the ingest function's.

The bench's first client (httpx, 16 requests at a time from one asyncio process) spent 2.8 ms
of CPU per request: on the shared 2-core machine it took as much CPU as the function it fed.
This one writes prebuilt HTTP/1.1 requests on kept-alive sockets and reads only the status
line and the length of each answer (~0.1 ms per request), from several processes, each
paced at its share of the rate. Every 50th message is pushed a second time (a redelivery).
"""

from __future__ import annotations

import asyncio
import base64
import json
import multiprocessing
import time
from urllib.parse import urlsplit

REDELIVER_EVERY = 50


def push_request(host: str, path: str, subscription: str, seq: int, data: bytes) -> bytes:
    body = json.dumps(
        {
            "message": {"data": base64.b64encode(data).decode(), "messageId": f"m-{seq}"},
            "subscription": subscription,
        }
    ).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answer_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _push_share(
    url: str, requests: list[bytes], rate: float, concurrency: int, began: float
) -> int:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    failures = 0

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        while True:
            request = await queue.get()
            while True:
                try:
                    writer.write(request)
                    if await _answer_status(reader) < 300:
                        break
                except (OSError, asyncio.IncompleteReadError):  # a closed keep-alive socket
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                failures += 1  # Pub/Sub would redeliver it; so does this client
            queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    for i, request in enumerate(requests):
        await asyncio.sleep(max(0.0, began + i / rate - time.time()))
        queue.put_nowait(request)
        if i % REDELIVER_EVERY == REDELIVER_EVERY - 1:
            queue.put_nowait(request)
    await queue.join()
    for task in workers:
        task.cancel()
    return failures


def _run_share(args: tuple[str, list[bytes], float, int, float]) -> tuple[int, float]:
    started = time.process_time()  # after this process's imports
    failures = asyncio.run(_push_share(*args))
    return failures, time.process_time() - started


def push_all(
    url: str,
    subscription: str,
    messages: list[bytes],
    rate: float,
    processes: int = 4,
    concurrency: int = 64,
    began: float | None = None,
) -> tuple[int, float]:
    """Push every message to ``url`` at ``rate`` overall, ``concurrency`` requests in flight
    across ``processes`` processes, the first at ``began`` (epoch seconds; the processes take
    a moment to start); answers how many pushes failed (and were pushed again) and the CPU
    seconds the client spent pushing."""
    parts = urlsplit(url)
    host = parts.netloc
    path = parts.path or "/"
    requests = [
        push_request(host, path, subscription, seq, data) for seq, data in enumerate(messages)
    ]
    began = began or time.time() + 3.0  # every process paces from the same instant
    shares = [
        (url, requests[i::processes], rate / processes, max(1, concurrency // processes), began)
        for i in range(processes)
    ]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        answers = pool.map(_run_share, shares)
    return sum(a[0] for a in answers), sum(a[1] for a in answers)
