"""Shapes of identifiers that reach storage paths.

A Firestore document id containing ``/`` silently addresses a nested document, so every id a
client sends is checked against this pattern before any adapter sees it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,127}$"
MAX_ID_LENGTH = 128
_ID_RE = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.fullmatch(value)) and value not in {".", ".."} and ".." not in value


def _safe_id(value: str) -> str:
    if not is_valid_id(value):
        raise ValueError("not a valid id")
    return value


# An id that may reach a storage path: the pattern, the length, and no ``..``. Request models
# and the event a publisher sends declare their ids with it.
RecordId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH),
    AfterValidator(_safe_id),
]
