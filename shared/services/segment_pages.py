"""A bound on the segments one ``POST /videos/batch/segments`` answer carries, and the
per-target cursor that continues a cut-off target (decision 012).

Fifty hour-long videos were one unbounded answer (every segment, with its markers and preview
links). The answer now holds at most ``MAX_BATCH_SEGMENTS``, filled target by target in the
order asked; a target cut short says ``truncated: true`` and carries a ``next_cursor`` to send
back as that target's ``cursor``. Both fields are extra to the SDK's ``VideoSegments``, which
ignores them, so the SDK works unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import InvalidRequest
from shared.pagination import CursorId, decode_cursor, encode_cursor

MAX_BATCH_SEGMENTS = 1000
SEGMENTS_CURSOR = "batch_segments"
_FIELDS: dict[str, type] = {"v": CursorId, "r": str, "s": float, "id": str}
_START = (-1.0, "")  # before every segment: start times are never negative

Target = tuple[str, str | None]


def page_segments(
    answer: list[dict[str, Any]], cursors: Mapping[Target, str], budget: int
) -> list[dict[str, Any]]:
    """Cut each entry's ``segments`` (ordered by start time, then id) after its target's
    cursor and to what is left of ``budget``; mark every entry ``truncated`` with its
    ``next_cursor``. Returns the segment bodies kept."""
    left = budget
    kept: list[dict[str, Any]] = []
    for entry in answer:
        target: Target = (entry["video_id"], entry["run_id"])
        after = _position(target, cursors[target]) if cursors.get(target) else _START
        rest = [s for s in entry["segments"] if (float(s["start_time"]), s["segment_id"]) > after]
        taken = rest[: max(left, 0)]
        left -= len(taken)
        truncated = len(taken) < len(rest)
        last = (float(taken[-1]["start_time"]), taken[-1]["segment_id"]) if taken else after
        entry["segments"] = taken
        entry["truncated"] = truncated
        entry["next_cursor"] = _cursor(target, last) if truncated else None
        kept.extend(taken)
    return kept


def _cursor(target: Target, after: tuple[float, str]) -> str:
    video_id, run_id = target
    return encode_cursor(
        SEGMENTS_CURSOR, {"v": video_id, "r": run_id or "", "s": after[0], "id": after[1]}
    )


def _position(target: Target, cursor: str) -> tuple[float, str]:
    position = decode_cursor(SEGMENTS_CURSOR, cursor, _FIELDS)
    if (position["v"], position["r"] or None) != target:
        raise InvalidRequest(
            "The cursor belongs to another target; send it with the video and run it came with.",
            code="invalid_cursor",
            details={"field": "cursor"},
        )
    return float(position["s"]), str(position["id"])
