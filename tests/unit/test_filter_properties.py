"""Property-based tests of filter conditions and ``POST /api/v2/search/filter/playground``.

Any JSON body either parses or is refused in the envelope (never a 5xx); a parsed condition
holds exactly when the reference model of ``tests/support/filter_model.py`` says it does; and
the segments the endpoint returns, page after page, are exactly those the reference picks from
generated records, owners, indexes and runs (a differential test of parsing, the store's part
of the filter, the service's re-check, scope, tenancy and pagination together).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.filters import matches, parse_conditions
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.errors import ValidationFailed
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_search import InMemorySegmentSearchIndex
from tests.support.filter_model import conditions, holds, json_values, metadatas, probes
from tests.unit.conftest import Keys, function_client

URL = "/api/v2/search/filter/playground"
THROUGH_HTTP = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Row = tuple[str, str, str | None, str, dict[str, Any]]  # segment, owner, index, run, metadata


def seed(container: Container, rows: list[Row]) -> None:
    """A fresh in-memory catalog (and index over it) holding ``rows``."""
    catalog = InMemoryMediaCatalog()
    container.__dict__.update(catalog=catalog, search_index=InMemorySegmentSearchIndex(catalog))
    for service in ("catalog_service", "search_service"):  # built on the previous ports
        container.__dict__.pop(service, None)
    now = utcnow()
    for user in ("alice", "bob"):
        video = VideoRecord(
            f"vid-{user}", user, "t", f"gs://m/{user}.mp4", MediaType.VIDEO,
            VideoStatus.PROCESSED, now, now,
        )  # fmt: skip
        catalog.put_video(video)
    catalog.put_segments(
        [
            SegmentRecord(sid, f"vid-{user}", user, 0.0, 1.0, now, index, metadata=metadata,
                          from_run_id=run)
            for sid, user, index, run, metadata in rows
        ]
    )  # fmt: skip


@pytest.fixture
def client(container: Container) -> Iterator[FlaskClient]:
    seed(container, [])
    yield function_client("playground")


def post(client: FlaskClient, key: str, body: Any):  # type: ignore[no-untyped-def]
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", headers={"X-API-Key": key}
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(conditions(), json_values), max_size=5))
def test_any_condition_list_parses_or_raises_validation_failed(raw: list[Any]) -> None:
    try:
        parsed = parse_conditions(raw)
    except ValidationFailed as exc:
        indexes = [p["condition_index"] for p in exc.details["errors"]]
        assert indexes == sorted(set(indexes)) and all(0 <= i < len(raw) for i in indexes)
        return
    assert [c.as_dict() for c in parsed] == raw


@settings(max_examples=200, deadline=None)
@given(metadatas.flatmap(lambda m: st.tuples(st.just(m), probes(m), st.lists(conditions()))))
def test_a_parsed_condition_holds_exactly_when_the_reference_says(
    case: tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    metadata, aimed, anywhere = case
    for raw in aimed + anywhere:
        (parsed,) = parse_conditions([raw])
        assert matches(parsed, metadata) is holds(raw, metadata), raw


@THROUGH_HTTP
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"conditions": st.lists(st.one_of(conditions(), json_values), max_size=5)},
            optional={
                "page_size": json_values,
                "cursor": json_values,
                "run_ids": json_values,
                "index_ids": json_values,
            },
        ),
    )
)
def test_any_json_body_is_answered_or_refused_in_the_envelope(
    client: FlaskClient, keys: Keys, body: Any
) -> None:
    response = post(client, keys.alice_search, body)
    if response.status_code == 200:
        assert isinstance(body, dict) and 1 <= len(body["conditions"]) <= 4
        assert response.get_json()["data"] == []  # the library is empty
        return
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"] and error["request_id"]
    if response.status_code == 422:
        assert error["code"] == "validation_failed" and error["details"]["errors"]
    else:
        assert error["code"] in ("invalid_json", "invalid_cursor")


@st.composite
def searches(draw: st.DrawFn) -> tuple[list[Row], list[dict[str, Any]], list[str], list[str]]:
    """A library, conditions mostly aimed at one of its segments, and a scope that usually
    includes that segment."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["alice", "alice", "alice", "bob"]),
                st.sampled_from([None, None, "i1", "i2"]),
                st.sampled_from(["r1", "r2"]),
                metadatas,
            ),
            min_size=1,
            max_size=12,
        )
    )
    library: list[Row] = [(f"seg-{i:03d}", *row) for i, row in enumerate(rows)]
    at = draw(st.integers(0, len(library) - 1))
    sid, _, index, run, target = library[at]
    library[at] = (sid, "alice", index, run, target)
    aimed = draw(probes(target)) or [draw(conditions())]
    picked = draw(st.permutations(aimed))[: draw(st.integers(1, 2))]
    conds = picked + draw(st.lists(conditions(), max_size=1))
    index_ids = draw(st.lists(st.sampled_from(["i1", "i2", "i3"]), max_size=2, unique=True))
    run_ids = draw(st.lists(st.sampled_from(["r1", "r2", "r3"]), max_size=2, unique=True))
    if draw(st.booleans()):  # the target's own scope
        index_ids = [] if index is None else [index]
        run_ids = draw(st.sampled_from([[], [run]]))
    return library, conds, index_ids, run_ids


@THROUGH_HTTP
@given(searches(), st.integers(1, 5))
def test_filter_search_agrees_with_the_reference_model(
    client: FlaskClient,
    keys: Keys,
    container: Container,
    search: tuple[list[Row], list[dict[str, Any]], list[str], list[str]],
    page_size: int,
) -> None:
    rows, conds, index_ids, run_ids = search
    seed(container, rows)
    expected = [
        sid
        for sid, user, index, run, metadata in rows
        if user == "alice"
        and (index in index_ids if index_ids else index is None)
        and (not run_ids or run in run_ids)
        and all(holds(c, metadata) for c in conds)
    ]
    body: dict[str, Any] = {"conditions": conds, "page_size": page_size}
    body |= {"index_ids": index_ids, "run_ids": run_ids}
    seen: list[str] = []
    for _ in range(len(rows) + 2):
        response = post(client, keys.alice_search, body)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        assert len(page["data"]) <= page_size and page["total_shown"] == len(page["data"])
        seen += [r["segment_id"] for r in page["data"]]
        if not page["pagination"]["has_more"]:
            assert page["next_page_token"] is None
            break
        body["cursor"] = page["next_page_token"]
    assert seen == expected
