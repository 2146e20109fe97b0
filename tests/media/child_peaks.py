"""Peak memory of the ffmpeg children of this process, read from /proc while they run.

``VmHWM`` (peak resident) and ``VmPeak`` (peak address space) only grow, so the last
reading before a child ends is its peak up to a few milliseconds; the poll is every 10 ms.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
from pathlib import Path
from types import TracebackType


def _status_kb(pid: int) -> tuple[int, int] | None:
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        return int(fields["VmHWM"].split()[0]), int(fields["VmPeak"].split()[0])
    except (OSError, KeyError, ValueError):
        return None  # ended (or a zombie) between listing and reading


def _children(parent: int) -> dict[int, str]:
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == parent and b"ffmpeg" in cmdline:
            found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


class ChildPeaks:
    """``with ChildPeaks() as peaks: ...`` then ``peaks.resident_mb`` / ``address_mb``: the
    largest of any ffmpeg child started by this process meanwhile."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.resident_kb = 0
        self.address_kb = 0
        self.commands: dict[int, str] = {}  # pid -> command line of every child seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @property
    def resident_mb(self) -> float:
        return self.resident_kb / 1024

    @property
    def address_mb(self) -> float:
        return self.address_kb / 1024

    def _poll(self) -> None:
        parent = os.getpid()
        while not self._stop.is_set():
            for pid, command in _children(parent).items():
                if (kb := _status_kb(pid)) is not None:
                    self.commands[pid] = command
                    self.resident_kb = max(self.resident_kb, kb[0])
                    self.address_kb = max(self.address_kb, kb[1])
            self._stop.wait(self.interval)

    def __enter__(self) -> ChildPeaks:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()


def _own_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


class OwnPeak:
    """``with OwnPeak() as peak: ...`` then ``peak.grown_mb``: how far this process's resident
    memory rose above where it stood at the start (renders decoded in-process). The kernel's
    peak (``VmHWM``) is reset on entry (``clear_refs`` 5), so an earlier peak does not count."""

    def __init__(self) -> None:
        self.start_kb = 0
        self.peak_kb = 0

    @property
    def grown_mb(self) -> float:
        return max(self.peak_kb - self.start_kb, 0) / 1024

    def __enter__(self) -> OwnPeak:
        # Memory an earlier render freed stays resident in malloc's heap and would be reused
        # unseen: hand it back to the kernel first, so this render's growth is all counted.
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
        self.start_kb = _own_kb("VmRSS")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.peak_kb = _own_kb("VmHWM")
