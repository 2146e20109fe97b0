from __future__ import annotations

from shared.adapters.memory_markers import InMemoryMarkerRepository
from shared.domain.markers import TargetType
from shared.services.marker_attachment import attach_markers
from tests.contracts.marker_repository import make_marker, store


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
    videos = [{"video_id": "v1"}, {"video_id": "v2"}]
    segments = [{"segment_id": "s1"}, {"segment_id": "s2"}]
    attach_markers(repo, "alice", videos, segments)
    assert videos[0]["marker"]["color"] == "red"
    assert videos[1]["marker"] == {
        "marker_id": None,
        "color": None,
        "note": None,
        "updated_at": None,
    }
    assert segments[0]["marker"]["color"] == "blue"
    assert segments[0]["metadata_markers"]["scene.mood"]["color"] == "gold"
    assert segments[1]["metadata_markers"] == {}
