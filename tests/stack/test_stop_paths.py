"""``make dev`` ends cleanly however it is stopped, and starts every time (issue #14).

Each test starts the real stack entry point (through ``make dev`` where make's own signal
handling matters), stops it one way, then requires that no process carrying the test's marker
is left (emulator JVMs included), that the gateway's port is free and that ``dev.env`` is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from infra.local.proctable import command_line, processes_with_env
from infra.local.watchdog import OWNER_VARIABLE, watchdog
from tests.stack.dev_runner import MARKER, ROOT, DevStack, port_is_free

STOP_SECONDS = 30.0


def ctrl_c(dev: DevStack) -> None:
    dev.signal_group(signal.SIGINT)  # what a terminal sends its foreground group


def sigterm_to_the_group(dev: DevStack) -> None:
    dev.signal_group(signal.SIGTERM)  # timeout, a process manager, CI; make forwards it again


def terminal_closed(dev: DevStack) -> None:
    dev.hang_up()


def sigkill_of_the_stack(dev: DevStack) -> None:
    os.kill(dev.stack_pid, signal.SIGKILL)


def second_signal_while_stopping(dev: DevStack) -> None:
    dev.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while "stopping" not in dev.text and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.2)  # past the echo window: an impatient user's second Ctrl-C
    dev.signal_group(signal.SIGINT)


# name: (through make, in a terminal, how it is stopped)
STOPS: dict[str, tuple[bool, bool, Callable[[DevStack], None]]] = {
    "ctrl-c": (False, False, ctrl_c),
    "sigterm-to-make-group": (True, False, sigterm_to_the_group),
    "terminal-closed": (True, True, terminal_closed),
    "sigkill-of-the-stack": (False, False, sigkill_of_the_stack),
    "second-signal-while-stopping": (False, False, second_signal_while_stopping),
}


def assert_left_nothing(dev: DevStack) -> None:
    left = dev.wait_gone(STOP_SECONDS)
    assert not left, "left running:\n" + "\n".join(left) + f"\n--- output:\n{dev.text}"
    assert port_is_free(dev.port), f"port {dev.port} still taken"
    assert not (dev.state_dir / "dev.env").exists(), "a stale dev.env outlived its stack"


@pytest.mark.parametrize("how", list(STOPS))
def test_every_way_of_stopping_leaves_nothing(how: str, tmp_path: Path) -> None:
    via_make, with_terminal, stop = STOPS[how]
    dev = DevStack(tmp_path / "state", via_make=via_make, with_terminal=with_terminal).start()
    try:
        base_url = dev.wait_started()
        assert httpx.get(f"{base_url}/api/v2/openapi.json", timeout=10).status_code == 200
        assert (dev.state_dir / "dev.env").exists()
        running = [command_line(pid) for pid in dev.processes()]
        assert sum("java" in c.split(" ", 1)[0] for c in running) == 2, running  # both JVMs
        stopped_at = time.monotonic()
        stop(dev)
        assert_left_nothing(dev)
        print(f"{how}: nothing left {time.monotonic() - stopped_at:.1f}s after the stop")
    finally:
        dev.kill_leftovers()


def sigkill_of_the_stack_and_its_watchdog(dev: DevStack) -> None:
    """Both gone at once (an OOM killer's sweep): the next start finds the leftovers by the
    token the lock recorded."""
    (watchdog,) = [p for p in dev.processes() if "infra.local.watchdog" in command_line(p)]
    os.kill(watchdog, signal.SIGKILL)
    os.kill(dev.stack_pid, signal.SIGKILL)


def second_start_is_refused(dev: DevStack, elsewhere: Path) -> None:
    """While it runs, a second start in the same checkout names it; so does one on its port
    from another checkout (by the token its gateway carries). Neither disturbs it."""
    same = DevStack(dev.state_dir).start()
    assert same.popen is not None and same.popen.wait(timeout=60) != 0
    assert f"already running (pid {dev.stack_pid}" in same.text, same.text
    other = DevStack(elsewhere, port=dev.port).start()
    assert other.popen is not None and other.popen.wait(timeout=60) != 0
    assert f"Port {dev.port} is already in use (by a local stack" in other.text, other.text
    assert f"`kill {dev.stack_pid}`" in other.text, other.text


def test_starts_every_time_on_the_same_port(tmp_path: Path) -> None:
    """Five starts in a row on one port and one state directory, each right after the
    previous stack was stopped (twice by SIGKILL, once with its watchdog): every start must
    succeed."""
    state, port = tmp_path / "state", 0
    stops = [
        sigkill_of_the_stack,
        ctrl_c,
        sigkill_of_the_stack_and_its_watchdog,
        sigterm_to_the_group,
        ctrl_c,
    ]
    started: list[DevStack] = []
    try:
        for index, stop in enumerate(stops):
            dev = DevStack(state, port=port).start()
            started.append(dev)
            base_url = dev.wait_started()
            port = dev.port
            assert httpx.get(f"{base_url}/api/v2/openapi.json", timeout=10).status_code == 200
            if index == 0:
                second_start_is_refused(dev, tmp_path / "elsewhere")
            if index > 0 and stops[index - 1] is sigkill_of_the_stack_and_its_watchdog:
                assert "processes left by an earlier stack" in dev.text, dev.text
            stop(dev)
            # Start again as soon as the command returns, as a user at a prompt would: no
            # waiting for its leftovers or its port.
            assert dev.popen is not None
            dev.popen.wait(timeout=STOP_SECONDS)
        for dev in started:
            assert_left_nothing(dev)
    finally:
        for dev in started:
            dev.kill_leftovers()


def test_a_test_run_killed_by_sigterm_leaves_no_emulator(tmp_path: Path) -> None:
    """What ``timeout`` or a cancelled CI job does to pytest: SIGTERM, which Python does not
    handle, so no fixture's teardown runs. The suite's emulators (started as the session
    fixture starts them) still go, JVMs included: the watchdog sees its owner gone."""
    marker = uuid.uuid4().hex
    script = (
        "import sys, time; from pathlib import Path;"
        "from infra.local.emulators import start_emulators;"
        "start_emulators(Path(sys.argv[1]), 'videovector-test'); print('up', flush=True);"
        "time.sleep(600)"
    )
    runner = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "logs")],
        cwd=ROOT,
        env={**os.environ, MARKER: marker, OWNER_VARIABLE: watchdog(tmp_path / "w.log").token},
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert runner.stdout is not None
        assert runner.stdout.readline() == b"up\n", "the emulators did not start"
        running = [command_line(pid) for pid in processes_with_env(MARKER, marker)]
        assert sum("java" in c.split(" ", 1)[0] for c in running) == 2, running
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=10)
        deadline = time.monotonic() + STOP_SECONDS
        while processes_with_env(MARKER, marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [command_line(pid) for pid in processes_with_env(MARKER, marker)]
        assert not left, left
    finally:
        for pid in processes_with_env(MARKER, marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
