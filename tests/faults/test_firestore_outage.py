"""The Firestore emulator freezes under load: requests fail fast with 503 and the envelope,
then recover; every acknowledged write is readable and nothing is half-written."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from infra.local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]
OUTAGE_SECONDS = 10.0


def test_writes_survive_a_store_outage(stack: LocalStack, new_key, user_id: str) -> None:  # type: ignore[no-untyped-def]
    assert stack.emulators is not None
    firestore = next(p for p in stack.emulators.processes if p.name == "firestore-emulator")
    key = new_key(user_id)
    results: list[tuple[str, int, dict]] = []  # (target_id, status, body)
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker: int) -> None:
        with httpx.Client(base_url=stack.base_url, timeout=30) as client:
            i = 0
            while not stop.is_set():
                target = f"w{worker}-{i}"
                response = client.put(
                    "/api/v2/markers",
                    json={"target_type": "video", "target_id": target, "note": target},
                    headers={"X-API-Key": key, "Idempotency-Key": target},
                )
                with lock:
                    results.append((target, response.status_code, response.json()))
                i += 1

    with ThreadPoolExecutor(4) as pool:
        for worker in range(4):
            pool.submit(writer, worker)
        time.sleep(2)
        firestore.pause()
        try:
            time.sleep(OUTAGE_SECONDS)
        finally:
            firestore.resume()
        time.sleep(4)
        stop.set()

    statuses = {status for _, status, _ in results}
    assert statuses <= {201, 503}, statuses
    failed = [body for _, status, body in results if status == 503]
    assert failed, "the outage produced no 503"
    assert all(b["error"]["code"] == "service_unavailable" for b in failed)
    assert results[-1][1] == 201, "did not recover after the outage"

    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        auth = {"X-API-Key": key}
        for target, status, body in results:
            # Replaying each write under its Idempotency-Key tells whether it was stored:
            # a stored write replays its first answer; an unstored one is created now.
            again = client.put(
                "/api/v2/markers",
                json={"target_type": "video", "target_id": target, "note": target},
                headers={**auth, "Idempotency-Key": target},
            )
            assert again.status_code == 201, again.text
            if status == 201:
                assert again.headers.get("Idempotent-Replayed") == "true"
                assert again.json() == body
            marker = client.get(f"/api/v2/markers/{again.json()['marker_id']}", headers=auth)
            assert marker.status_code == 200 and marker.json()["note"] == target
