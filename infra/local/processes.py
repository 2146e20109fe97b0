"""Child processes of the local stack: started in their own process group, logged to a file,
waited on until they answer, and stopped together (gcloud's emulators fork a JVM).

Every child carries its owner's watchdog token (infra/local/watchdog.py), so whatever ends
the owner, nothing it started outlives it. A child that loses a race for its port (a port
chosen by ``free_port`` and taken by someone else before the child binds it) is started
again on another port, a bounded number of times.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.local.proctable import carries_env, group_members, listening_pids
from infra.local.watchdog import OWNER_VARIABLE, watchdog

logger = logging.getLogger("videovector.local")
PORT = "{port}"  # stands for ``ManagedProcess.port`` in argv and ready_url
BIND_ATTEMPTS = 4
# What a server says when its port is taken: Java, Python, uvicorn, gunicorn.
BIND_FAILURES = ("address already in use", "connection in use")
_running: set[ManagedProcess] = set()


class PortTaken(RuntimeError):
    """The child could not have its port: someone else holds it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def held_socket(port: int) -> socket.socket:
    """A listening socket on ``port`` (0: any), to hand to a child with ``pass_fds``: the port
    is ours from this moment, with no window for anyone else to take it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass(eq=False)
class ManagedProcess:
    name: str
    argv: list[str]
    log_path: Path
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    inherit_env: bool = True  # False: ``env`` is the whole environment (a bundle booted alone)
    popen: subprocess.Popen[bytes] | None = None
    # Set: argv and ready_url say "{port}" and a bind failure moves the child to another port.
    port: int | None = None
    pass_fds: tuple[int, ...] = ()
    _log_offset: int = 0
    _owner: str = ""

    @property
    def url_port(self) -> int | None:
        return urllib.parse.urlsplit(self._expand(self.ready_url)).port

    def _expand(self, text: str) -> str:
        return text.replace(PORT, str(self.port)) if self.port is not None else text

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        owner = self._owner = watchdog(self.log_path.parent / "watchdog.log").token
        env = {**os.environ, **self.env} if self.inherit_env else dict(self.env)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            self.popen = subprocess.Popen(
                [self._expand(arg) for arg in self.argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**env, OWNER_VARIABLE: owner},
                cwd=self.cwd,
                start_new_session=True,
                pass_fds=self.pass_fds,
            )
        _running.add(self)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        url = self._expand(self.ready_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_bind()
            if self.popen is not None and self.popen.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.popen.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):
                    pass
            except urllib.error.HTTPError:
                pass  # it answered; any HTTP status means a server is up
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.2)
                continue
            if self._answered_by_us():
                return
            time.sleep(0.2)  # someone else answered: ours will fail to bind, or bind later
        raise TimeoutError(f"{self.name} did not answer {url} within {timeout:.0f}s")

    def _check_bind(self) -> None:
        with contextlib.suppress(OSError), self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            text = log.read().decode(errors="replace")
            for line in text.splitlines():
                if any(failure in line.lower() for failure in BIND_FAILURES):
                    raise PortTaken(f"{self.name}: {line.strip()[:200]}")

    def _answered_by_us(self) -> bool:
        """True when the listener on our port is one of our process group's (a port we lost
        to someone else can answer too). Without /proc, an answer is taken as ours."""
        port = self.url_port
        if port is None or self.popen is None or not os.path.isdir("/proc"):
            return True
        return bool(listening_pids(port, among=group_members(self.popen.pid)))

    def run(self, timeout: float = 60.0, attempts: int = BIND_ATTEMPTS) -> ManagedProcess:
        """Start (unless started) and wait until it answers; a child with a ``port`` that
        loses it is started again on another, at most ``attempts`` times in all."""
        if self.popen is None or self.popen.poll() is not None:
            self.start()
        for attempt in range(1, attempts + 1):
            try:
                self.wait_ready(timeout)
                return self
            except PortTaken as taken:
                if self.port is None or attempt == attempts:
                    self.stop()
                    raise
                self.kill()
                previous, self.port = self.port, free_port()
                logger.warning(
                    "%s lost port %d (%s); starting it again on port %d (attempt %d of %d)",
                    self.name,
                    previous,
                    taken,
                    self.port,
                    attempt + 1,
                    attempts,
                )
                self.start()
        return self

    def pause(self) -> None:
        """Freeze the whole process group (an outage that keeps its data), until resume()."""
        if self.popen is not None:
            os.killpg(self.popen.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.popen is not None:
            os.killpg(self.popen.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL the whole group at once (a crash: nothing is flushed), and reap it."""
        _running.discard(self)
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def terminate(self) -> None:
        """Ask the whole group to stop (SIGTERM), without waiting."""
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGCONT)  # a paused group cannot act on SIGTERM
            os.killpg(self.popen.pid, signal.SIGTERM)

    def finish(self, deadline: float) -> None:
        """Wait for a terminated group until ``deadline`` (monotonic), then SIGKILL it; the
        group is swept either way (gcloud's wrapper may exit before its JVM)."""
        _running.discard(self)
        if self.popen is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=max(deadline - time.monotonic(), 0.01))
        self._sweep()
        self.popen.wait(timeout=30)

    def _sweep(self) -> None:
        """SIGKILL what is left of the group: only members that carry our token, as the
        group's id may be someone else's by now (without /proc: the whole group)."""
        assert self.popen is not None
        if not os.path.isdir("/proc"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            return
        for pid in group_members(self.popen.pid):
            if carries_env(pid, OWNER_VARIABLE, self._owner):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self, grace: float = 5.0) -> None:
        self.terminate()
        self.finish(time.monotonic() + grace)


def stop_all(processes: list[ManagedProcess], grace: float = 5.0) -> None:
    """Stop them together: one grace period for all, not one each."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + grace
    for process in reversed(processes):
        process.finish(deadline)


def start_all(processes: list[ManagedProcess], timeout: float = 60.0) -> None:
    """Start them together, then wait for each (moving one to another port if it must)."""
    for process in processes:
        process.start()
    for process in processes:
        process.run(timeout)


def restart_exited(processes: list[ManagedProcess], say: Callable[[str], None]) -> None:
    """Start again each of ``processes`` that has exited (reaped, its group swept first)."""
    for process in processes:
        code = None if process.popen is None else process.popen.poll()
        if code is None:
            continue
        process.finish(time.monotonic())
        say(f"{process.name} exited ({code}); starting it again (log: {process.log_path})")
        try:
            process.run(timeout=60)
        except (RuntimeError, TimeoutError) as failed:
            say(f"{process.name} did not start again: {failed}")


def kill_all_now() -> None:
    """SIGKILL every group this process started and has not stopped yet (a second signal
    while stopping: stop now). Safe to call from a signal handler; the stop path reaps."""
    for process in list(_running):
        if process.popen is not None and process.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, signal.SIGKILL)
