"""The relay's share of bench/store_counts.py: the relay app under uvicorn in a thread, streams
opened over HTTP with API keys, events ingested meanwhile and read by every stream, then an
idle window; what the relay's Firestore clients sent in each phase."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx

from bench.counting_clients import clear, ingest, per, push_body, recording_container, snapshot
from infra.local.processes import free_port
from shared.bootstrap import Container


class RelayServer:
    def __init__(self, container: Container) -> None:
        import uvicorn
        from events_relay_api.app import create_app

        self.port = free_port()
        app = create_app(container.settings, lambda: container)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RelayServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise SystemExit("the relay did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


async def follow(url: str, key: str, wanted: int, opened: asyncio.Event, got: list[int]) -> None:
    async with (
        httpx.AsyncClient(timeout=120) as client,
        client.stream("GET", url, headers={"X-API-Key": key}) as response,
    ):
        response.raise_for_status()
        opened.set()
        seen = 0
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                seen += 1
                if seen >= wanted:
                    break
        got.append(seen)


def count_relay(users: list[str], streams: int, events: int, idle_seconds: float) -> dict[str, Any]:
    from shared.services.api_keys import create_api_key

    relay = recording_container()
    feeder = recording_container()
    keys = {u: create_api_key(relay.api_keys, u, ["read"]) for u in users}
    result: dict[str, Any] = {"users": len(users), "streams_per_user": streams}
    with RelayServer(relay) as server:
        url = f"http://127.0.0.1:{server.port}/api/v2/processing/events/stream"

        async def scenario() -> None:
            clear(relay)
            got: list[int] = []
            opened = [asyncio.Event() for _ in users for _ in range(streams)]
            tasks = [
                asyncio.create_task(follow(url, keys[u], events, opened[i * streams + s], got))
                for i, u in enumerate(users)
                for s in range(streams)
            ]
            await asyncio.gather(*(o.wait() for o in opened))
            await asyncio.sleep(1.5)  # each stream caught up and joined its feed
            result["per_stream_opened"] = per(snapshot(relay), len(tasks))
            clear(relay)
            started = time.monotonic()
            bodies = [push_body(u, f"relay-{u}-{i}") for u in users for i in range(events)]
            await asyncio.to_thread(ingest, feeder, bodies)
            await asyncio.wait_for(asyncio.gather(*tasks), 120)
            elapsed = time.monotonic() - started
            delivered = sum(got)
            counts = snapshot(relay)
            result.update(
                delivered=delivered,
                delivery_seconds=round(elapsed, 2),
                relay_while_delivering=counts,
                relay_per_event_stored=per(counts, len(bodies)),
                relay_per_event_delivered=per(counts, delivered),
            )

        asyncio.run(scenario())

        async def idle() -> None:
            tasks = [
                asyncio.create_task(follow(url, keys[u], 10**9, asyncio.Event(), [])) for u in users
            ]
            await asyncio.sleep(1.5)
            clear(relay)
            await asyncio.sleep(idle_seconds)
            counts = snapshot(relay)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            result["idle_per_feed_per_second"] = per(counts, int(len(users) * idle_seconds))

        asyncio.run(idle())
    return result
