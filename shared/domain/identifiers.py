"""Shapes of identifiers that reach storage paths.

A Firestore document id containing ``/`` silently addresses a nested document, so every id a
client sends is checked against this pattern before any adapter sees it.
"""

from __future__ import annotations

import re

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,127}$"
MAX_ID_LENGTH = 128
_ID_RE = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.fullmatch(value)) and value not in {".", ".."} and ".." not in value
