"""What Linux's /proc says about processes: which carry an environment marker, which hold a
listening socket on a port. Standard library only: the watchdog imports it too.

On a system without /proc every answer is empty (nothing found, nothing killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def _pids() -> list[int]:
    try:
        return [int(entry) for entry in os.listdir(PROC) if entry.isdigit()]
    except OSError:
        return []


def env_value(pid: int, name: str) -> str | None:
    """``name`` in the process's environment as it was at exec, if readable and set."""
    with contextlib.suppress(OSError):
        for entry in (PROC / str(pid) / "environ").read_bytes().split(b"\0"):
            key, _, value = entry.partition(b"=")
            if key.decode(errors="replace") == name:
                return value.decode(errors="replace")
    return None


def carries_env(pid: int, name: str, value: str) -> bool:
    """Whether the process's environment (as it was at exec) holds ``name=value``. Processes
    of other users cannot be read and never match; nor do zombies (they have none)."""
    with contextlib.suppress(OSError):
        environ = (PROC / str(pid) / "environ").read_bytes()
        return f"{name}={value}".encode() in environ.split(b"\0")
    return False


def processes_with_env(name: str, value: str) -> list[int]:
    return [pid for pid in _pids() if carries_env(pid, name, value)]


def process_group(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = (PROC / str(pid) / "stat").read_text()
        # Fields after the parenthesised command name: state, ppid, pgrp, ...
        return int(stat.rsplit(")", 1)[1].split()[2])
    return None


def group_members(pgid: int) -> list[int]:
    return [pid for pid in _pids() if process_group(pid) == pgid]


def command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = (PROC / str(pid) / "cmdline").read_bytes()
        return raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return ""


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def listening_pids(port: int, among: list[int] | None = None) -> set[int]:
    """The processes (of those we may inspect; ``among`` narrows the search) holding a
    listening TCP socket on ``port``."""
    inodes = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    holders: set[int] = set()
    if not inodes:
        return holders
    for pid in _pids() if among is None else among:
        with contextlib.suppress(OSError):
            for fd in os.listdir(PROC / str(pid) / "fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(PROC / str(pid) / "fd" / fd) in inodes:
                        holders.add(pid)
                        break
    return holders


def kill_marked(name: str, value: str, rounds: int = 20) -> int:
    """SIGKILL every process carrying ``name=value`` in its environment, until none is left
    (a process is identified by the marker it inherited, never by its name). Returns how
    many were killed."""
    killed: set[int] = set()
    for _ in range(rounds):
        found = [pid for pid in processes_with_env(name, value) if pid != os.getpid()]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.05)  # a killed process stays readable for a moment
    return len(killed)
