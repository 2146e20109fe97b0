"""Property-based tests of the event stream's query (``GET /api/v2/processing/events/stream``).

Filters written in any of the spellings the contract allows (comma-separated, repeated, mixed,
with empty parts, in any order) parse to a filter that matches an event exactly when a
reference predicate over the filter's values says so; any query string and any cursor either
opens the stream or is refused with a 4xx in the envelope before it starts; a cursor is
accepted only in its one canonical spelling (``Last-Event-ID`` header or ``last_event_id``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from events_relay_api.app import create_app
from events_relay_api.routes import STREAM_PATH
from events_relay_api.streams import parse_cursor
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from shared.bootstrap import Container
from shared.domain.event_log import StoredEvent
from shared.errors import InvalidRequest
from shared.services.api_keys import create_api_key
from tests.fakes.memory_api_keys import InMemoryApiKeyStore
from tests.fakes.memory_event_log import InMemoryEventLog
from tests.support.settings import settings_for_fakes
from tests.support.stream_filters import (
    INDEXES,
    RUNS,
    TYPES,
    VIDEOS,
    events,
    filters,
    parse_query,
    query_strings,
    reference,
)

CANONICAL_CURSOR = re.compile(r"[0-9]{17}-(?:[0-9a-f]{32})?")  # the reference: ASCII only
# The stream ends at once (max duration 0 s), so every answer, streamed or not, is complete.
ENDS_AT_ONCE = settings_for_fakes(max_stream_seconds=0, settle_ms=0, doorbell="poll")


@settings(max_examples=200, deadline=None)
@given(filters.flatmap(lambda f: st.tuples(st.just(f), query_strings(f))), st.lists(events))
def test_every_spelling_of_a_filter_matches_what_the_reference_matches(
    case: tuple[dict[str, Any], str], stream: list[StoredEvent]
) -> None:
    wanted, query_string = case
    query = parse_query(query_string)
    assert query.batch_size == (wanted["batch_size"] or 100)
    assert set(query.video_ids) == set(wanted["video_ids"])
    event_filter = query.event_filter()
    for event in stream:
        assert event_filter.matches(event) is reference(wanted, event), (query_string, event)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.text(alphabet="0123456789abcdef-", max_size=52),
        st.builds(
            lambda m, r: f"{m:017d}-{r}",
            st.integers(0, 10**17 - 1),
            st.text("0123456789abcdef", max_size=33),
        ),
        st.lists(st.characters(categories=["Nd"]), min_size=17, max_size=17).map(
            lambda digits: "".join(digits) + "-"
        ),
    )
)
def test_a_cursor_is_accepted_only_in_its_canonical_spelling(raw: str) -> None:
    try:
        position = parse_cursor(raw)
    except InvalidRequest as exc:
        assert exc.code == "invalid_cursor"
        assert not CANONICAL_CURSOR.fullmatch(raw)
        return
    assert CANONICAL_CURSOR.fullmatch(raw), raw
    assert position.event_id == raw and parse_cursor(position.event_id) == position


@pytest.fixture(scope="module")
def relay() -> Iterator[tuple[TestClient, str]]:
    log = InMemoryEventLog()
    container = Container(
        settings_for_fakes(),
        api_keys=InMemoryApiKeyStore(),
        event_log=log,
        event_reader=log,
    )
    key = create_api_key(container.api_keys, "alice", ["read"])
    with TestClient(create_app(ENDS_AT_ONCE, lambda: container)) as client:
        yield client, key


PARAMETERS = ["run_id", "index_id", "video_ids", "event_types", "batch_size", "last_event_id"]
parameter_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(RUNS + INDEXES + VIDEOS + TYPES + ["0", "1", "500", "501", "-1", "1e2"]),
    st.lists(st.sampled_from(VIDEOS + TYPES + [""]), max_size=4).map(",".join),
)
raw_queries = st.one_of(
    st.lists(
        st.tuples(st.sampled_from([*PARAMETERS, "stream_token", "x"]), parameter_values),
        max_size=5,
    ).map(lambda pairs: urlencode(pairs, quote_via=quote)),
    st.text(alphabet="&=,%0123456789abcdefxz_", max_size=40),
)


def check_answer(response: Any) -> None:
    """The stream opened (and, here, ended at once in-band), or a 4xx in the envelope."""
    if response.status_code == 200:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "event: processing.stream_error" in response.text
        return
    assert response.status_code in (400, 401, 422), response.text
    error = response.json()["error"]
    assert error["message"] and error["request_id"] == response.headers["X-Request-ID"]
    expected = {400: ("invalid_cursor",), 422: ("validation_failed",)}
    assert error["code"] in expected.get(response.status_code, (error["code"],))


@settings(max_examples=150, deadline=None)
@given(raw_queries)
def test_any_query_string_opens_the_stream_or_is_a_4xx(
    relay: tuple[TestClient, str], query_string: str
) -> None:
    client, key = relay
    response = client.get(f"{STREAM_PATH}?{query_string}", headers={"X-API-Key": key})
    check_answer(response)
    if response.status_code == 401:
        assert "stream_token" in query_string


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789abcdef-xX \t", max_size=52),
        st.builds(lambda m: f"{m:017d}-", st.integers(0, 10**17 - 1)),
        st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=30),
    ),
    st.booleans(),
)
def test_any_last_event_id_is_a_position_or_a_400_before_the_stream(
    relay: tuple[TestClient, str], cursor: str, as_header: bool
) -> None:
    client, key = relay
    if as_header:
        response = client.get(STREAM_PATH, headers={"X-API-Key": key, "Last-Event-ID": cursor})
    else:
        response = client.get(
            STREAM_PATH, params={"last_event_id": cursor}, headers={"X-API-Key": key}
        )
    check_answer(response)
    if not cursor:
        assert response.status_code == 200, (cursor, as_header)  # no cursor: from now
    elif response.status_code == 200:
        assert CANONICAL_CURSOR.fullmatch(cursor), (cursor, as_header)
        ending = [line for line in response.text.splitlines() if line.startswith("data:")][-1]
        assert json.loads(ending.removeprefix("data:"))["code"] in (
            "cursor_expired",
            "cursor_unknown",
            "stream_duration_limit",
        )
    else:
        assert not CANONICAL_CURSOR.fullmatch(cursor), (cursor, as_header)


def test_a_cursor_in_other_digits_is_malformed(relay: tuple[TestClient, str]) -> None:
    """Found by the canonical-spelling property: ``\\d`` took any script's digits and ``int``
    read them, so Arabic-Indic or full-width digits spelled the same position another way."""
    client, key = relay
    for digits in ("\u0660" * 17, "\uff10" * 17, "0" * 16 + "\u0660"):
        with pytest.raises(InvalidRequest):
            parse_cursor(f"{digits}-")
        response = client.get(
            STREAM_PATH, params={"last_event_id": f"{digits}-"}, headers={"X-API-Key": key}
        )
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


def test_an_empty_last_event_id_parameter_is_no_cursor(relay: tuple[TestClient, str]) -> None:
    """Found by the Last-Event-ID property: ``?last_event_id=`` was a 400 although an empty
    ``Last-Event-ID`` header (what EventSource sends first) means "from now"."""
    client, key = relay
    response = client.get(f"{STREAM_PATH}?last_event_id=", headers={"X-API-Key": key})
    assert response.status_code == 200 and "stream_duration_limit" in response.text
