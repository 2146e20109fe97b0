"""A server-sent events parser (the WHATWG event-stream format), line by line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SseFrame:
    """One dispatched block. ``id`` is None when the block set none; ``comment`` marks a
    block made only of comment lines (heartbeats)."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry_ms: int | None = None
    comment: bool = False


def parse_frames(lines: Iterable[str]) -> Iterator[SseFrame]:
    event, event_id, retry, comment = "", None, None, False
    data: list[str] = []
    for line in lines:
        if line == "":
            if data or event_id is not None or retry is not None or comment:
                yield SseFrame(event or "message", "\n".join(data), event_id, retry, comment)
            event, data, event_id, retry, comment = "", [], None, None, False
            continue
        if line.startswith(":"):
            comment = True
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isascii() and value.isdigit():  # WHATWG: ASCII digits
            retry = int(value)
