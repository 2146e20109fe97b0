"""How many store round trips a batch waits for one after another (decision 045): each call
reaches the emulator after a simulated 100 ms round trip, and the recorder finds the longest
chain of calls each sent after the previous one was answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.bootstrap import Container
from shared.config import Settings
from shared.fan_out import gather
from shared.services import catalog as catalog_service
from tests.contracts.media_catalog import video
from tests.support.firestore_recorder import Recorded, RecordingClient
from tests.support.playground_media import RUN, Seeded, seed_playground

pytestmark = pytest.mark.emulator
ROUND_TRIP_SECONDS = 0.1


@pytest.fixture
def remote(cloud: Container) -> Iterator[Container]:
    """Adapters on a client whose every call takes a remote store's round trip."""
    settings = Settings()
    client = RecordingClient(project=settings.project_id, latency=ROUND_TRIP_SECONDS)
    yield Container(settings, firestore=client, embedder=cloud.embedder)
    client.close()


def recorded(container: Container) -> Recorded:
    return container.firestore.recorded  # type: ignore[attr-defined,no-any-return]


def test_batches_of_100_ids_wait_for_at_most_two_round_trips_in_sequence(
    cloud: Container, remote: Container, user_id: str
) -> None:
    library: Seeded = seed_playground(cloud.catalog, cloud.embedder, user_id)
    ids = [v.video_id for v in library.videos.values()]
    for i in range(100 - len(ids)):
        cloud.catalog.put_video(video(user_id, f"{user_id}-bulk-{i:03}"))
        ids.append(f"{user_id}-bulk-{i:03}")
    rec = recorded(remote)

    rec.clear()
    assert len(catalog_service.batch_videos(remote, user_id, ids)) == 100
    # the batch get, 4 run-snapshot queries and 4 marker queries, all at once
    assert (sum(rec.counts().values()), rec.depth()) == (9, 1)

    rec.clear()
    assert len(catalog_service.batch_statuses(remote, user_id, ids)) == 100
    assert (sum(rec.counts().values()), rec.depth()) == (5, 1)

    rec.clear()
    groups = catalog_service.batch_segments(remote, user_id, ids[:50])
    assert sum(len(g.segments) for g in groups) == 5
    # the batch get beside 2 segment queries, then the markers of the segments found
    assert (sum(rec.counts().values()), rec.depth()) == (4, 2)

    for targets in ([(v, None) for v in ids[:50]], [(v, RUN) for v in ids[:50]]):
        rec.clear()
        groups = catalog_service.batch_segments_for_targets(remote, user_id, targets)
        assert {g.run_id for g in groups[: len(library.videos)]} == {RUN}
        assert rec.depth() == 2


def test_the_depth_counts_calls_made_one_after_another(remote: Container, user_id: str) -> None:
    """The measure can fail: the same three reads, sequential then together."""
    reads = [lambda: remote.catalog.get_videos(user_id, ["a"])] * 3
    rec = recorded(remote)
    rec.clear()
    for read in reads:
        read()
    assert rec.depth() == 3
    rec.clear()
    gather(reads)
    assert rec.depth() == 1
