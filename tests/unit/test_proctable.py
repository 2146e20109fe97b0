"""What the watchdog and the stop path read from /proc: a process found by the marker it
inherited (never by name), the holder of a listening port, and killed by marker only."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from infra.local.proctable import (
    env_value,
    group_members,
    kill_marked,
    listening_pids,
    processes_with_env,
)

LISTENER = (
    "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
    "print(s.getsockname()[1], flush=True); time.sleep(60)"
)


def test_a_marked_listener_is_found_and_killed_by_its_marker_only() -> None:
    marker, other = uuid.uuid4().hex, uuid.uuid4().hex
    env = {**os.environ, "VV_TEST_MARKER": marker}
    ours = subprocess.Popen(
        [sys.executable, "-c", LISTENER], env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    bystander = subprocess.Popen(
        [sys.executable, "-c", LISTENER],
        env={**os.environ, "VV_TEST_MARKER": other},
        stdout=subprocess.PIPE,
    )
    try:
        assert ours.stdout is not None
        port = int(ours.stdout.readline())
        assert processes_with_env("VV_TEST_MARKER", marker) == [ours.pid]
        assert env_value(ours.pid, "VV_TEST_MARKER") == marker
        assert group_members(ours.pid) == [ours.pid]
        assert listening_pids(port) == {ours.pid}
        assert listening_pids(port, among=[bystander.pid]) == set()
        assert kill_marked("VV_TEST_MARKER", marker) == 1
        assert ours.wait(timeout=10) == -9
        assert bystander.poll() is None, "a process without the marker was killed"
    finally:
        ours.kill()
        bystander.kill()
        ours.wait()
        bystander.wait()
