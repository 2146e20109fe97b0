from __future__ import annotations

from shared.domain.markers import TargetType
from shared.domain.records import SegmentRecord
from shared.domain.resources.base import MarkerInfo
from shared.domain.resources.media import Segment, VideoWithDetails
from shared.domain.resources.search import SearchResult
from shared.services.marker_attachment import attach_markers
from tests.contracts.marker_repository import make_marker, store
from tests.contracts.media_catalog import video
from tests.fakes.memory_markers import InMemoryMarkerRepository


def test_markers_land_on_their_records_only() -> None:
    repo = InMemoryMarkerRepository()
    store(repo, make_marker("alice", "v1", color="red"))
    store(repo, make_marker("alice", "s1", target_type=TargetType.SEGMENT, color="blue"))
    store(
        repo,
        make_marker(
            "alice",
            "s1",
            target_type=TargetType.EXTRACTED_FIELD,
            field_path="scene.mood",
            color="gold",
        ),
    )
    store(repo, make_marker("bob", "v2", color="black"))
    v1, v2 = (video("alice", v) for v in ("v1", "v2"))
    videos = [VideoWithDetails.of(v1), VideoWithDetails.of(v2)]
    s1, s2 = (SegmentRecord(s, "v1", "alice", 0.0, 1.0, v1.created_at) for s in ("s1", "s2"))
    segments = [Segment.of(s1), Segment.of(s2)]
    results = [SearchResult.of(s1, v1), SearchResult.of(s2, v1)]
    attach_markers(repo, "alice", videos, segments, results)
    assert videos[0].marker.color == "red"
    assert videos[1].marker.model_dump() == {
        "marker_id": None,
        "color": None,
        "note": None,
        "updated_at": None,
    }
    assert segments[0].marker.color == "blue" == results[0].marker.color
    assert segments[0].metadata_markers["scene.mood"].color == "gold"
    assert results[0].extracted_metadata_markers["scene.mood"].color == "gold"
    assert segments[1].metadata_markers == {} == results[1].extracted_metadata_markers
    assert segments[1].marker == MarkerInfo() == results[1].marker
