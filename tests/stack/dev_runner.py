"""``make dev`` (or ``python -m infra.local.stack``) started for real by a test, in a session of
its own, and the means to end it as a user, a terminal or a process manager would.

Every process of the stack inherits ``VV_TEST_STACK_MARKER=<uuid>`` from the environment this
runner gives it: that, and nothing else, is how a test finds what is left of its own stack
(other stacks on the same machine are never looked at, let alone killed).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from infra.local.proctable import command_line, processes_with_env
from infra.local.watchdog import OWNER_VARIABLE, watchdog

ROOT = Path(__file__).resolve().parents[2]
MARKER = "VV_TEST_STACK_MARKER"
START_SECONDS = 180.0


def _clean_environment() -> dict[str, str]:
    """This test process's environment without what the suite's own stack put in it (nor the
    outer make's flags, when the suite runs under ``make test``)."""
    leaked = (
        "VV_", "FIRESTORE_", "PUBSUB_", "STORAGE_", "GOOGLE_CLOUD_PROJECT", "PYTHONPATH",
        "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
    )  # fmt: skip
    return {k: v for k, v in os.environ.items() if not k.startswith(leaked)}


def _terminal_session() -> None:
    """In the shell's child, before it runs: what a terminal window gives its shell."""
    # A test run started under nohup ignores SIGHUP, and an ignored signal stays ignored
    # across exec: the shell would never hear the hang-up (a user's shell in a window does).
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    # The pty becomes the session's controlling terminal: closing it is a hang-up.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass
class DevStack:
    state_dir: Path
    via_make: bool = False
    with_terminal: bool = False  # a pty as controlling terminal, closed to send SIGHUP
    port: int = 0
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    popen: subprocess.Popen[bytes] | None = None
    output: bytearray = field(default_factory=bytearray)
    _terminal: int | None = None
    _hang_up: threading.Event = field(default_factory=threading.Event)

    def argv(self) -> list[str]:
        options = f"--state-dir {self.state_dir} --no-demo-media"
        if self.via_make:
            return [
                "make",
                "--no-print-directory",
                "dev",
                f"PORT={self.port}",
                f"DEV_ARGS={options}",
            ]
        return [
            sys.executable,
            "-m",
            "infra.local.stack",
            "--port",
            str(self.port),
            *options.split(),
        ]

    def start(self) -> DevStack:
        # The test run's own watchdog token: should the run die, its watchdog kills the
        # stack, whose own watchdog then stops the rest.
        owner = watchdog(self.state_dir.parent / "watchdog.log").token
        env = {
            **_clean_environment(),
            MARKER: self.marker,
            OWNER_VARIABLE: owner,
            "OMP_NUM_THREADS": "1",
        }
        if self.with_terminal:
            master, slave = os.openpty()
            self._terminal = master
            # A shell leads the session, as in a terminal window: on hang-up the kernel
            # signals the session leader, and the shell's exit hangs up its foreground group.
            # (``; exit`` keeps the shell from replacing itself with the command.)
            self.popen = subprocess.Popen(
                ["bash", "-c", shlex.join(self.argv()) + "; exit $?"],
                cwd=ROOT,
                env=env,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
                preexec_fn=_terminal_session,
            )
            os.close(slave)
            threading.Thread(target=self._read_terminal, daemon=True).start()
        else:
            self.popen = subprocess.Popen(
                self.argv(),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            threading.Thread(target=self._read_pipe, daemon=True).start()
        return self

    def _read_terminal(self) -> None:
        # The reader closes the terminal itself when asked: a descriptor closed by another
        # thread while this one is blocked reading it stays open until the read returns.
        assert self._terminal is not None
        fd = self._terminal
        while not self._hang_up.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                self.output.extend(chunk)
        os.close(fd)
        self._terminal = None

    def _read_pipe(self) -> None:
        assert self.popen is not None and self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        for chunk in iter(lambda: os.read(fd, 4096), b""):
            self.output.extend(chunk)

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")

    def wait_started(self) -> str:
        """The gateway's base URL, once the stack says it is up."""
        assert self.popen is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            found = re.search(r"VV_BASE_URL=(http://127\.0\.0\.1:(\d+))", self.text)
            if found:
                self.port = int(found.group(2))
                return found.group(1)
            if self.popen.poll() is not None:
                raise AssertionError(f"the stack exited with {self.popen.returncode}:\n{self.text}")
            time.sleep(0.2)
        raise AssertionError(f"the stack did not start within {START_SECONDS:.0f}s:\n{self.text}")

    @property
    def stack_pid(self) -> int:
        """The stack's own Python process (make's child when started through make)."""
        assert self.popen is not None
        if not self.via_make:
            return self.popen.pid
        for pid in self.processes():
            if command_line(pid).split()[1:3] == ["-m", "infra.local.stack"]:
                return pid
        raise AssertionError("no stack process under make")

    def processes(self) -> list[int]:
        return processes_with_env(MARKER, self.marker)

    def signal_group(self, signum: signal.Signals) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signum)

    def hang_up(self) -> None:
        """Close the terminal, as a user closing its window does."""
        self._hang_up.set()

    def wait_gone(self, timeout: float = 30.0) -> list[str]:
        """What is still running of this stack after ``timeout`` (empty: nothing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = self.processes()
            if not left:
                break
            time.sleep(0.2)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=1)
        return [f"{pid}: {command_line(pid)[:150]}" for pid in self.processes()]

    def kill_leftovers(self) -> None:
        """The test's own clean-up (after a failure): only processes carrying its marker."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._hang_up.set()


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
