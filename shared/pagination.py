"""Opaque list cursors and the page they belong to.

A cursor is URL-safe base64 of a small JSON object naming the list it came from and the last
position returned. It is opaque to clients: anything that does not decode to the expected
shape is a 400 ``invalid_cursor``, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.domain.identifiers import is_valid_id
from shared.domain.resources.base import PaginationInfo
from shared.errors import InvalidRequest

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 1024


class CursorId(str):
    """Marks a position field that names a record: it reaches a document path, so a tampered
    one (``a/b``, ``..``, a reserved ``__x__``) is an invalid cursor, never a store error."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    limit: int
    has_more: bool
    next_cursor: str | None


def encode_cursor(kind: str, position: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, "p": position}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, fields: dict[str, type]) -> dict[str, Any]:
    """Decode a cursor of ``kind`` whose position has exactly ``fields`` with those types
    (``CursorId``: a string that is a valid record id)."""
    invalid = InvalidRequest(
        "The cursor is malformed or belongs to another list.",
        code="invalid_cursor",
        details={"field": "cursor"},
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise invalid from exc
    if not isinstance(decoded, dict) or decoded.get("k") != kind:
        raise invalid
    position = decoded.get("p")
    if not isinstance(position, dict) or set(position) != set(fields):
        raise invalid
    for name, expected in fields.items():
        value = position[name]
        if expected is CursorId:
            if not isinstance(value, str) or not is_valid_id(value):
                raise invalid
        elif not isinstance(value, expected) or isinstance(value, bool):
            raise invalid
    return position


def paginate(
    fetched: Sequence[T], limit: int, kind: str, position_of: Callable[[T], dict[str, Any]]
) -> Page[T]:
    """Build a page from ``limit + 1`` fetched items: the extra one only says there is more."""
    items = list(fetched[:limit])
    has_more = len(fetched) > limit
    next_cursor = encode_cursor(kind, position_of(items[-1])) if has_more and items else None
    return Page(items=items, limit=limit, has_more=has_more, next_cursor=next_cursor)


def pagination_of(page: Page[Any]) -> PaginationInfo:
    """The contract's ``pagination`` object of a page."""
    return PaginationInfo(limit=page.limit, has_more=page.has_more, next_cursor=page.next_cursor)
