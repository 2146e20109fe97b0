"""A bound on the segments one ``POST /videos/batch/segments`` answer carries, and the
per-target cursor that continues a cut-off target (decision 012).

Fifty hour-long videos were one unbounded answer (every segment, with its markers and preview
links). The answer now holds at most ``MAX_BATCH_SEGMENTS``, filled target by target in the
order asked; a target cut short says ``truncated: true`` and carries a ``next_cursor`` to send
back as that target's ``cursor``. Both fields are extra to the SDK's ``VideoSegments``, which
ignores them, so the SDK works unchanged.

The cursor pins what the first page chose: the run a target without ``run_id`` resolved to
(decision 042), or every run for the ``video_ids`` form (``*``), so the pages of one target
never mix runs even when a newer run completes between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.domain.resources.media import VideoSegments
from shared.errors import InvalidRequest
from shared.pagination import CursorId, decode_cursor, encode_cursor

MAX_BATCH_SEGMENTS = 1000
SEGMENTS_CURSOR = "batch_segments"
EVERY_RUN = "*"
_FIELDS: dict[str, type] = {"v": CursorId, "r": str, "s": float, "id": str}
_START = (-1.0, "")  # before every segment: start times are never negative

Target = tuple[str, str | None]


@dataclass(frozen=True)
class SegmentPosition:
    """Where a target's next page starts: after ``after``, in ``run_id`` (None: every run)."""

    run_id: str | None
    after: tuple[float, str]


def read_position(target: Target, cursor: str) -> SegmentPosition:
    """The position a target's cursor names; 400 ``invalid_cursor`` when it is another's."""
    position = decode_cursor(SEGMENTS_CURSOR, cursor, _FIELDS)
    video_id, run_id = target
    run = None if position["r"] == EVERY_RUN else str(position["r"]) or None
    if position["v"] != video_id or (run_id is not None and run != run_id):
        raise InvalidRequest(
            "The cursor belongs to another target; send it with the video and run it came with.",
            code="invalid_cursor",
            details={"field": "cursor"},
        )
    return SegmentPosition(run, (float(position["s"]), str(position["id"])))


def page_segments(
    groups: Sequence[VideoSegments],
    positions: Mapping[int, SegmentPosition],
    budget: int,
) -> None:
    """Cut each group's segments (ordered by start time, then id) after its position (by the
    group's index) and to what is left of ``budget``; a group cut short is marked
    ``truncated`` with its ``next_cursor``."""
    left = budget
    for index, group in enumerate(groups):
        position = positions.get(index)
        after = position.after if position else _START
        rest = [s for s in group.segments if (s.start_time, s.segment_id) > after]
        taken = rest[: max(left, 0)]
        left -= len(taken)
        group.segments = taken
        if len(taken) < len(rest):
            last = (taken[-1].start_time, taken[-1].segment_id) if taken else after
            group.truncated = True
            group.next_cursor = encode_cursor(
                SEGMENTS_CURSOR,
                {"v": group.video_id, "r": group.run_id or EVERY_RUN, "s": last[0], "id": last[1]},
            )
