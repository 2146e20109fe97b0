"""Follow ``GET /api/v2/processing/events/stream`` with automatic resume.

    client = EventStreamClient(base_url, api_key, run_id="run-1")
    for event in client.events():
        print(event.event_id, event.event_type, event.data["payload"])

The client remembers the last id the server sent and reconnects with it (``Last-Event-ID``)
whenever the connection drops or the server ends the stream with a retryable
``processing.stream_error``, so it sees every matching event exactly once, in order. A
non-retryable end (an expired or unknown cursor) raises ``StreamEnded``; a refused request
(4xx) raises ``StreamRefused``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.clients.sse import parse_frames
from shared.domain.events import STREAM_ERROR_EVENT, STREAM_PATH


@dataclass(frozen=True)
class StreamEvent:
    event_id: str
    event_type: str
    data: dict[str, Any]


class StreamEnded(Exception):
    """The server ended the stream for a reason a reconnect cannot fix."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info.get("message", "the stream ended"))
        self.code = str(info.get("code", ""))
        self.info = info


class StreamRefused(Exception):
    """The request was refused before streaming (bad filter, bad cursor, bad key)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code', '')}: {error.get('message', '')}")
        self.status = status
        self.code = error.get("code", "")
        self.body = body


@dataclass
class EventStreamClient:
    base_url: str
    api_key: str
    run_id: str | None = None
    index_id: str | None = None
    video_ids: Sequence[str] = ()
    event_types: Sequence[str] = ()
    batch_size: int | None = None
    last_event_id: str | None = None
    read_timeout: float = 60.0
    max_reconnect_delay: float = 5.0
    reconnects: int = 0
    stream_errors: list[dict[str, Any]] = field(default_factory=list)
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Stop following: ``events()`` returns instead of reconnecting (safe from any thread)."""
        self._closed = True

    def _params(self) -> dict[str, str]:
        params = {
            "run_id": self.run_id,
            "index_id": self.index_id,
            "video_ids": ",".join(self.video_ids) or None,
            "event_types": ",".join(self.event_types) or None,
            "batch_size": str(self.batch_size) if self.batch_size else None,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _headers(self) -> dict[str, str]:
        headers = {"X-API-Key": self.api_key, "Accept": "text/event-stream"}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        return headers

    def events(self) -> Iterator[StreamEvent]:
        """Every matching event, following the stream forever (break out to stop)."""
        delay = retry = 0.1
        timeout = httpx.Timeout(10.0, read=self.read_timeout)
        with httpx.Client(base_url=self.base_url, timeout=timeout) as http:
            while not self._closed:
                try:
                    for event in self._one_connection(http):
                        delay = retry
                        yield event
                        if self._closed:
                            return
                except (httpx.TransportError, _Retry):
                    pass
                if self._closed:
                    return
                self.reconnects += 1
                time.sleep(delay)
                delay = min(delay * 2, self.max_reconnect_delay)

    def _one_connection(self, http: httpx.Client) -> Iterator[StreamEvent]:
        with http.stream(
            "GET", STREAM_PATH, params=self._params(), headers=self._headers()
        ) as response:
            if response.status_code != 200:
                response.read()
                if response.status_code in (429,) or response.status_code >= 500:
                    raise _Retry()
                raise StreamRefused(response.status_code, _json_or_empty(response))
            for frame in parse_frames(response.iter_lines()):
                if frame.id is not None:
                    self.last_event_id = frame.id
                if frame.event == STREAM_ERROR_EVENT:
                    info = json.loads(frame.data)
                    self.stream_errors.append(info)
                    if not info.get("retryable"):
                        raise StreamEnded(info)
                    raise _Retry()
                if frame.data:
                    yield StreamEvent(frame.id or "", frame.event, json.loads(frame.data))
        raise _Retry()  # the server closed the stream without saying why: resume


class _Retry(Exception):
    pass


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
