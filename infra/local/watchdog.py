"""A watchdog for everything a process starts through ``ManagedProcess`` (docs/decisions/051).

The first child a process starts also starts one watchdog: a small process in a session of
its own (a signal to the terminal's or the caller's process group does not reach it) that
reads a pipe from its parent. Every child is started with ``VV_LOCAL_STACK_OWNER=<token>`` in
its environment, and its own children (gcloud's JVMs, ffmpeg) inherit it. When the pipe ends
(the parent exited, however: a clean exit, an unhandled SIGTERM, SIGKILL) the watchdog kills
every process that still carries the token, removes the files it was asked to, and exits.
A clean stop has already stopped everything, so it finds nothing to do.

Standard library only: ``python -m infra.local.watchdog <token> <log>``.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

from infra.local.proctable import kill_marked

OWNER_VARIABLE = "VV_LOCAL_STACK_OWNER"
ROOT = Path(__file__).resolve().parents[2]
PARENT_POLL_SECONDS = 1.0


class Watchdog:
    """The parent's side: the token its children carry, and the pipe the watchdog reads."""

    def __init__(self, log_path: Path) -> None:
        self.pid = os.getpid()
        self.token = f"{self.pid}-{uuid.uuid4().hex[:12]}"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local.watchdog", self.token],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                # Never a token of its own: the watchdog of whoever started this process
                # (a test run starting a stack) kills that process, never its watchdog,
                # which then cleans up after it.
                env={k: v for k, v in os.environ.items() if k != OWNER_VARIABLE},
                start_new_session=True,
            )
        assert self.process.stdin is not None
        self._pipe: IO[bytes] = self.process.stdin
        self._lock = threading.Lock()

    def remove_on_exit(self, path: Path) -> None:
        """Should this process end without removing ``path`` itself, the watchdog will."""
        self._send(f"remove {path}")

    def keep(self, path: Path) -> None:
        self._send(f"keep {path}")

    def _send(self, line: str) -> None:
        with self._lock, contextlib.suppress(OSError):  # a dead watchdog: nothing to tell
            self._pipe.write(line.encode() + b"\n")
            self._pipe.flush()


_current: Watchdog | None = None
_current_lock = threading.Lock()


def watchdog(log_path: Path) -> Watchdog:
    """This process's watchdog, started on first use (a forked child gets one of its own)."""
    global _current
    with _current_lock:
        if _current is None or _current.pid != os.getpid():
            _current = Watchdog(log_path)
        return _current


def _say(message: str) -> None:
    with contextlib.suppress(OSError):
        print(f"{time.strftime('%H:%M:%S')} watchdog {os.getpid()}: {message}", flush=True)


def main(token: str) -> None:
    parent = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def on_sigterm(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    files: set[str] = set()
    stdin = sys.stdin.buffer
    try:
        # A fork of the parent could hold the pipe open: a new parent pid also means it is gone.
        while os.getppid() == parent:
            ready, _, _ = select.select([stdin], [], [], PARENT_POLL_SECONDS)
            if not ready:
                continue
            line = stdin.readline()
            if not line:
                break
            command, _, argument = line.decode().strip().partition(" ")
            if command == "remove":
                files.add(argument)
            elif command == "keep":
                files.discard(argument)
    finally:
        killed = kill_marked(OWNER_VARIABLE, token)
        removed = []
        for name in sorted(files):
            with contextlib.suppress(OSError):
                os.unlink(name)
                removed.append(name)
        if killed or removed:
            _say(f"parent {parent} gone: killed {killed} processes, removed {removed}")


if __name__ == "__main__":
    main(sys.argv[1])
