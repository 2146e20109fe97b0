"""The response models carry every field of the SDK's models, with the SDK's names, and what
they send parses as the SDK's types (decision 043)."""

from __future__ import annotations

import pytest
import videovector._types as sdk
from pydantic import BaseModel

from shared.clock import utcnow
from shared.domain.records import (
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
)
from shared.domain.resources.base import MarkerInfo, PaginationInfo
from shared.domain.resources.credentials import SignedUrlResponse
from shared.domain.resources.media import (
    RunSnapshot,
    Segment,
    SegmentRunProcessingStatus,
    VideoLevelProcessingStatus,
    VideoSegments,
    VideoStatus,
    VideoWithDetails,
)
from shared.domain.resources.search import FilterSearchResponse, MatchedFieldInstance, SearchResult
from tests.contracts.media_catalog import video

COUNTERPARTS: list[tuple[type[BaseModel], type[BaseModel]]] = [
    (VideoWithDetails, sdk.VideoWithDetails),
    (VideoStatus, sdk.VideoStatus),
    (RunSnapshot, sdk.PromptRunProcessingStatus),
    (SegmentRunProcessingStatus, sdk.SegmentRunProcessingStatus),
    (VideoLevelProcessingStatus, sdk.VideoLevelProcessingStatus),
    (Segment, sdk.Segment),
    (VideoSegments, sdk.VideoSegments),
    (SearchResult, sdk.SearchResult),
    (MatchedFieldInstance, sdk.MatchedFieldInstance),
    (FilterSearchResponse, sdk.FilterSearchResponse),
    (MarkerInfo, sdk.MarkerInfo),
    (PaginationInfo, sdk.PaginationMeta),
    (SignedUrlResponse, sdk.SignedUrl),
]


@pytest.mark.parametrize(("ours", "theirs"), COUNTERPARTS, ids=lambda m: m.__name__)
def test_every_sdk_field_is_a_field_of_ours(ours: type[BaseModel], theirs: type[BaseModel]) -> None:
    missing = set(theirs.model_fields) - set(ours.model_fields)
    assert not missing, f"{ours.__name__} lacks the SDK's {sorted(missing)}"


def test_what_we_send_parses_as_the_sdks_models() -> None:
    now = utcnow()
    media = video("alice", "v1")
    segment = SegmentRecord(
        "s1",
        "v1",
        "alice",
        0.0,
        2.5,
        now,
        metadata={"a": 1},
        metadata_text="a",
        segment_status=SegmentStatus.COMPLETED,
        from_run_id="r1",
    )
    run = RunVideoStatus(
        "r1",
        "v1",
        "alice",
        RunStatus.COMPLETED,
        now,
        now,
        segments=[SegmentRunStatus("s1", SegmentStatus.COMPLETED, 0.0, 2.5, now, now)],
    )
    result = SearchResult.of(segment, media, 0.5)
    pagination = PaginationInfo(limit=1, has_more=False, next_cursor=None)
    sent: list[tuple[BaseModel, type[BaseModel]]] = [
        (VideoWithDetails.of(media, [run]), sdk.VideoWithDetails),
        (VideoWithDetails.of(media), sdk.Video),
        (VideoStatus.of(media, [run]), sdk.VideoStatus),
        (
            VideoSegments(video_id="v1", run_id="r1", segments=[Segment.of(segment)]),
            sdk.VideoSegments,
        ),
        (result, sdk.SearchResult),
        (
            FilterSearchResponse(
                results=[result],
                next_page_token=None,
                total_shown=1,
                data=[result],
                pagination=pagination,
            ),
            sdk.FilterSearchResponse,
        ),
    ]
    for body, theirs in sent:
        wire = body.model_dump(mode="json")
        parsed = theirs.model_validate(wire).model_dump(mode="json")
        shared = {k: v for k, v in wire.items() if k in parsed}
        assert {k: parsed[k] for k in shared} == shared, theirs.__name__
