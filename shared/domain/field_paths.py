"""Field paths into segment metadata: dotted names, ``[]`` after a name for arrays.

Example: ``scene.people[].emotion``. Shared by markers on extracted fields and filter search.
"""

from __future__ import annotations

import re

MAX_FIELD_PATH_LENGTH = 256
MAX_FIELD_PATH_DEPTH = 16
_PART = r"[A-Za-z_][A-Za-z0-9_]{0,63}(?:\[\])?"
FIELD_PATH_RE = re.compile(rf"^{_PART}(?:\.{_PART})*$")


def is_valid_field_path(path: str) -> bool:
    return (
        len(path) <= MAX_FIELD_PATH_LENGTH
        and FIELD_PATH_RE.fullmatch(path) is not None
        and path.count(".") < MAX_FIELD_PATH_DEPTH
    )


def parts(path: str) -> list[tuple[str, bool]]:
    """``a.b[].c`` → ``[("a", False), ("b", True), ("c", False)]`` (name, is array)."""
    return [(p[:-2], True) if p.endswith("[]") else (p, False) for p in path.split(".")]
