"""The one stack a checkout runs (``make dev``): its lock, what an earlier one left, its port.

``.local/dev.lock`` is held (flock) for as long as the stack runs and says who runs it: its
pid, gateway port and watchdog token. The kernel releases the lock however the stack ends,
so a lock that can be taken means no stack of this checkout is running: the processes that
still carry the recorded token are leftovers (only possible if the watchdog died with its
stack) and are killed, and ``dev.env`` is removed (its stack is gone).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from infra.local.processes import held_socket
from infra.local.proctable import command_line, env_value, kill_marked, listening_pids
from infra.local.watchdog import OWNER_VARIABLE

LOCK_FILE = "dev.lock"
ENV_FILE = "dev.env"
PORT_RELEASE_SECONDS = 5.0


class Refused(SystemExit):
    """The stack cannot start here; the message says what to do."""


@dataclass
class Claim:
    state_dir: Path
    lock: IO[str]
    gateway: socket.socket

    @property
    def env_file(self) -> Path:
        return self.state_dir / ENV_FILE

    def record(self, owner: str) -> None:
        port = self.gateway.getsockname()[1]
        self.lock.seek(0)
        self.lock.truncate()
        self.lock.write(json.dumps({"pid": os.getpid(), "port": port, "owner": owner}))
        self.lock.flush()

    def release(self) -> None:
        """A clean stop: nothing is left over, so nothing is recorded."""
        with contextlib.suppress(FileNotFoundError):
            self.env_file.unlink()
        self.lock.seek(0)
        self.lock.truncate()
        self.lock.close()
        self.gateway.close()


def claim(state_dir: Path, port: int, say: Any = print) -> Claim:
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = (state_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        running = _recorded(lock)
        lock.close()
        pid = running.get("pid", "?")
        raise Refused(
            f"A local stack of this checkout is already running (pid {pid}, "
            f"http://127.0.0.1:{running.get('port', '?')}). Stop it first: Ctrl-C in its "
            f"terminal, or `kill {pid}` (it stops everything it started); then run make dev "
            "again."
        ) from None
    try:
        _clear_leftovers(state_dir, _recorded(lock), say)
        return Claim(state_dir, lock, _hold_port(port))
    except BaseException:
        lock.close()
        raise


def _recorded(lock: IO[str]) -> dict[str, Any]:
    lock.seek(0)
    try:
        record = json.loads(lock.read() or "{}")
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _clear_leftovers(state_dir: Path, previous: dict[str, Any], say: Any) -> None:
    owner = previous.get("owner")
    if isinstance(owner, str) and owner:
        killed = kill_marked(OWNER_VARIABLE, owner)
        if killed:
            say(f"Stopped {killed} processes left by an earlier stack (pid {previous.get('pid')}).")
    with contextlib.suppress(FileNotFoundError):
        (state_dir / ENV_FILE).unlink()  # its stack is gone


def _hold_port(port: int) -> socket.socket:
    deadline = time.monotonic() + PORT_RELEASE_SECONDS
    while True:
        try:
            return held_socket(port)
        except OSError:
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)  # leftovers just killed release it within moments
    holders = sorted(listening_pids(port))
    raise Refused(
        f"Port {port} is already in use ({_holder_advice(holders)}), or use another "
        f"port: make dev PORT={port + 1}"
    )


def _holder_advice(holders: list[int]) -> str:
    """Who holds the port and how to stop it: a local stack (of another checkout or state
    directory) is named by its own pid, found in the token its children carry."""
    if not holders:
        return "not by a process of yours"
    pid = holders[0]
    owner = env_value(pid, OWNER_VARIABLE)
    if owner and owner.split("-", 1)[0].isdigit():
        stack = int(owner.split("-", 1)[0])
        where = f" in {_cwd(stack)}" if _cwd(stack) else ""
        return (
            f"by a local stack or test run, pid {stack}{where}: stop it with Ctrl-C in its "
            f"terminal or `kill {stack}`"
        )
    return f"by pid {pid}: {_describe(pid)}: stop it with `kill {pid}`"


def _cwd(pid: int) -> str:
    with contextlib.suppress(OSError):
        return os.readlink(f"/proc/{pid}/cwd")
    return ""


def _describe(pid: int) -> str:
    cwd = _cwd(pid)
    command = command_line(pid)[:160]
    return f"{command} (in {cwd})" if cwd else command
