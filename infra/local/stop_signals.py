"""One stop path for every way ``make dev`` is asked to end (docs/decisions/051).

SIGINT (Ctrl-C), SIGTERM (``kill``, ``timeout``, an IDE's stop button, CI, make forwarding
its own) and SIGHUP (the terminal closed) all raise ``StopRequested`` once, in the main
thread; the caller's ``finally`` stops the stack. A signal that arrives while it is stopping
never aborts the clean-up: within ``ECHO_SECONDS`` of the first it is an echo (make forwards
the SIGTERM its group already got) and is ignored; later (an impatient second Ctrl-C) it
SIGKILLs what is still running, and the clean-up goes on to reap it.
SIGKILL cannot be caught: the watchdog (infra/local/watchdog.py) covers it.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

from infra.local.processes import kill_all_now

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
ECHO_SECONDS = 1.0


class StopRequested(BaseException):
    """Raised once, by the first stop signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    def __init__(self) -> None:
        self.stopping = False
        self.received: list[str] = []
        self._first_at: float | None = None

    def install(self) -> StopSignals:
        # Installed whatever the inherited disposition: a shell starts background jobs with
        # SIGINT ignored, and such a stack could not be stopped with kill -INT.
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._handle)
        return self

    def begin_stop(self) -> None:
        """From here on, signals hurry the stop instead of raising."""
        self.stopping = True
        if self._first_at is None:
            self._first_at = time.monotonic()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signal.Signals(signum).name)
        if self.stopping:
            if time.monotonic() - (self._first_at or 0.0) > ECHO_SECONDS:
                kill_all_now()
            return
        self.begin_stop()
        raise StopRequested(signum)
