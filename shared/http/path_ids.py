"""Record ids taken from the path (``/markers/{marker_id}``)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.domain.identifiers import is_valid_id
from shared.errors import NotFound


def path_id(params: Mapping[str, str], name: str) -> str:
    """The path parameter ``name`` (``marker_id``), if it can be an id at all. Not a 422 when
    it cannot: a malformed id must answer exactly like an unknown one."""
    value = params[name]
    if not is_valid_id(value):
        raise NotFound(f"No {name.removesuffix('_id')} with this id.", details={name: value[:128]})
    return value
