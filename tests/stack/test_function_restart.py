"""A function that dies while ``make dev`` runs is started again, as Cloud Run starts a new
instance: a client of the event stream meets a short outage and resumes, not a 503 until the
stack is restarted (a new user killed the relay to try the README's "across relay restarts")."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from infra.local.proctable import command_line
from tests.stack.dev_runner import DevStack
from tests.stack.test_stop_paths import assert_left_nothing

STREAM = "/api/v2/processing/events/stream"
RESTART_SECONDS = 60.0


def _relay_pids(dev: DevStack) -> list[int]:
    return [pid for pid in dev.processes() if "uvicorn" in command_line(pid)]


def test_a_killed_relay_is_started_again(tmp_path: Path) -> None:
    dev = DevStack(tmp_path / "state").start()
    try:
        base_url = dev.wait_started()
        # Without a key the relay answers 401 itself: the function is up behind the gateway.
        assert httpx.get(base_url + STREAM, timeout=10).status_code == 401
        (relay, *_) = _relay_pids(dev)
        os.killpg(os.getpgid(relay), signal.SIGKILL)  # a crash: nothing flushed, no goodbye

        deadline = time.monotonic() + RESTART_SECONDS
        status = None
        while time.monotonic() < deadline:
            status = httpx.get(base_url + STREAM, timeout=10).status_code
            if status == 401 and "starting it again" in dev.text:
                break
            time.sleep(0.5)
        assert status == 401, f"the relay did not come back ({status}):\n{dev.text}"
        assert "events_relay exited" in dev.text, dev.text
        assert relay not in _relay_pids(dev)

        dev.signal_group(signal.SIGTERM)
        assert_left_nothing(dev)
    finally:
        dev.kill_leftovers()
