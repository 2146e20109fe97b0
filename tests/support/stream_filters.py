"""The stream's filters as a client writes them: Hypothesis strategies for filter values and
for every spelling of them in a query string, the relay's own query parsing, and a reference
predicate written from the contract (an empty filter matches everything)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from events_relay_api.routes import STREAM_PATH, StreamQuery
from hypothesis import strategies as st
from starlette.requests import Request

from shared.domain.event_log import Position, StoredEvent
from shared.domain.events import EventType
from shared.http.asgi import AsgiContext

RUNS = ["r1", "r2", "run-3.a:b"]
INDEXES = ["i1", "i2"]
VIDEOS = ["v1", "v2", "V1", "vid_3"]
TYPES = [str(t) for t in EventType]


def parse_query(query_string: str) -> StreamQuery:
    """The relay's own parsing of a query string (``AsgiContext.query``)."""
    scope = {"type": "http", "method": "GET", "path": STREAM_PATH, "headers": []}
    request = Request({**scope, "query_string": query_string.encode()})
    return AsgiContext(request, None, "", None).query(StreamQuery)  # type: ignore[arg-type]


@st.composite
def spelled(draw: st.DrawFn, key: str, values: list[str]) -> list[tuple[str, str]]:
    """``values`` of a list parameter: one comma-separated value, repeated keys, or a mix,
    with stray empty parts."""
    if not values:
        return draw(st.sampled_from([[], [(key, "")], [(key, ",")]]))
    inner = (
        st.sets(st.integers(1, len(values) - 1), max_size=3) if len(values) > 1 else st.just(set())
    )
    cuts = sorted(draw(inner))
    chunks = [values[a:b] for a, b in zip([0, *cuts], [*cuts, len(values)], strict=True)]
    pad = draw(st.sampled_from(["", ",", ",,"]))
    return [(key, pad.join(["", *chunk]) if pad else ",".join(chunk)) for chunk in chunks]


filters = st.fixed_dictionaries(
    {
        "run_id": st.none() | st.sampled_from(RUNS),
        "index_id": st.none() | st.sampled_from(INDEXES),
        "video_ids": st.lists(st.sampled_from(VIDEOS), max_size=6),
        "event_types": st.lists(st.sampled_from(TYPES), max_size=6),
        "batch_size": st.none() | st.integers(1, 500),
    }
)
events = st.builds(
    lambda kind, run, index, video: StoredEvent(
        EventType(kind),
        "alice",
        "k",
        datetime.now(UTC),
        run,
        video,
        None,
        index,
        position=Position(1, "0" * 32),
    ),
    st.sampled_from(TYPES),
    st.none() | st.sampled_from(RUNS),
    st.none() | st.sampled_from(INDEXES),
    st.none() | st.sampled_from(VIDEOS),
)


@st.composite
def query_strings(draw: st.DrawFn, wanted: dict[str, Any]) -> str:
    pairs: list[tuple[str, str]] = []
    for key in ("run_id", "index_id", "batch_size"):
        if wanted[key] is not None:
            pairs.append((key, str(wanted[key])))
    for key in ("video_ids", "event_types"):
        pairs += draw(spelled(key, wanted[key]))
    return urlencode(draw(st.permutations(pairs)), quote_via=quote)


def reference(wanted: dict[str, Any], event: StoredEvent) -> bool:
    return (
        wanted["run_id"] in (None, event.run_id)
        and wanted["index_id"] in (None, event.index_id)
        and (not wanted["video_ids"] or event.video_id in wanted["video_ids"])
        and (not wanted["event_types"] or str(event.event_type) in wanted["event_types"])
    )
