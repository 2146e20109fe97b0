"""Scan captured logs for secrets: API keys and signed-URL signatures must never be logged."""

from __future__ import annotations

import re
from pathlib import Path

SECRET_PATTERNS = {
    "api key": re.compile(r"sk_live_[0-9a-f]{48}"),
    "signed URL signature": re.compile(r"X-Goog-Signature=[0-9a-f]{16,}", re.IGNORECASE),
    "stream token": re.compile(r"st_[A-Za-z0-9_-]{32,}"),
    "bearer token (JWT)": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."),
}


def find_secrets(log_dir: Path) -> list[str]:
    """``file: kind`` for every log file that holds a secret."""
    found = []
    for path in sorted(log_dir.rglob("*.log")):
        text = path.read_text(errors="replace")
        found += [f"{path.name}: {kind}" for kind, rx in SECRET_PATTERNS.items() if rx.search(text)]
    return found


def total_log_bytes(log_dir: Path) -> int:
    return sum(p.stat().st_size for p in log_dir.rglob("*.log"))
