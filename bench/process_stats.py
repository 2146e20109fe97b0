"""What the benches read of processes and samples: resident memory and CPU from Linux
``/proc``, a process's children, and percentiles."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def rss_kib(pids: list[int]) -> int:
    lines = (line for pid in pids for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return sum(int(line.split()[1]) for line in lines if line.startswith("VmRSS:"))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU used so far by the live ones of ``pids``."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def percentile(values: list[float], q: float, empty: float = float("nan")) -> float:
    """The nearest-rank ``q`` quantile; ``empty`` when there are no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else empty
