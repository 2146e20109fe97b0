"""Scan captured logs for secrets: API keys, signed-URL signatures (also inside exception
texts, percent-encoded), stream tokens and preview-link tokens must never be logged."""

from __future__ import annotations

import re
from pathlib import Path

SECRET_PATTERNS = {
    "api key": re.compile(r"sk_live_[0-9a-f]{48}"),
    "signed URL signature": re.compile(r"X-Goog-Signature(=|%3D)[0-9a-f]{16,}", re.IGNORECASE),
    "stream token": re.compile(r"(?<![A-Za-z0-9_])st_[A-Za-z0-9_-]{32,}"),
    # A preview link's token is its last path segment: any 20+ characters there are one.
    "preview token": re.compile(r"/api/v2/previews/[A-Za-z0-9_.~%-]{20,}"),
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
