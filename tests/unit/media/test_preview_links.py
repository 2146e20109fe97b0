"""Preview links in JSON responses: keyless, unforgeable, short-lived, stable for a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from shared.bootstrap import Container
from shared.config import Settings
from shared.domain.previews import GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.records import MediaType
from shared.errors import NotFound
from shared.secrets import MissingSecrets
from shared.services.preview_links import PreviewLinks
from shared.services.previews import fill_preview_urls
from tests.contracts.media_catalog import video
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.support.settings import settings_for_fakes

NOW = datetime(2026, 11, 25, 12, 0, 10, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def links(clock: Clock) -> PreviewLinks:
    return PreviewLinks(b"s" * 32, "http://api.test", ttl_seconds=3600, clock=clock)


def test_a_link_round_trips_to_its_ticket(links: PreviewLinks) -> None:
    spec = ThumbnailSpec(1500, 320, ImageFormat.WEBP)
    url = links.url("alice", "vid-1", spec)
    assert url.startswith("http://api.test/api/v2/previews/")
    ticket = links.verify(url.rsplit("/", 1)[1])
    assert (ticket.user_id, ticket.video_id, ticket.spec) == ("alice", "vid-1", spec)
    gif = GifSpec(2000, 250, 640, 30)
    assert links.verify(links.token("bob", "v", gif)).spec == gif


def test_links_are_stable_within_a_window_and_expire(links: PreviewLinks, clock: Clock) -> None:
    token = links.token("alice", "vid-1", GifSpec())
    clock.now = NOW + timedelta(minutes=30)
    assert links.token("alice", "vid-1", GifSpec()) == token  # the browser cache keeps working
    clock.now = NOW + timedelta(minutes=59)
    assert links.verify(token).video_id == "vid-1"
    clock.now = NOW + timedelta(hours=2)
    with pytest.raises(NotFound):
        links.verify(token)


def test_tampered_or_foreign_tokens_are_not_found(links: PreviewLinks, clock: Clock) -> None:
    token = links.token("alice", "vid-1", ThumbnailSpec(0))
    other = PreviewLinks(b"x" * 32, "http://api.test", clock=clock).token(
        "alice", "vid-1", ThumbnailSpec(0)
    )
    flipped = [
        token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        for i in range(0, len(token), 3)
    ]
    for bad in (
        "",
        ".",
        token + "x",
        token + token,
        token[:-1],
        token[1:],
        other,  # the same claims under another secret
        "a" * 2000,
        token + "=",
        token.replace("-", "+"),
        "é" + token[1:],
        *flipped,
    ):
        with pytest.raises(NotFound):
            links.verify(bad)


def test_tokens_are_opaque_and_stay_the_same_within_a_window(
    links: PreviewLinks, clock: Clock
) -> None:
    """Decision 013: no id can be read from a link; and a link is stable (cacheable)."""
    import base64

    token = links.token("alice-user-id", "video-id-1234", ThumbnailSpec(1500))
    assert links.token("alice-user-id", "video-id-1234", ThumbnailSpec(1500)) == token
    assert links.token("alice-user-id", "video-id-1234", ThumbnailSpec(1501)) != token
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for readable in (token.encode(), raw):
        for secret in (b"alice-user-id", b"video-id-1234", b'"u"', b"1500"):
            assert secret not in readable
    ticket = links.verify(token)
    assert (ticket.user_id, ticket.video_id) == ("alice-user-id", "video-id-1234")


def test_fill_sets_every_image_field(links: PreviewLinks) -> None:
    catalog = InMemoryMediaCatalog()
    catalog.put_video(video("alice", "aud-1", media_type=MediaType.AUDIO))
    catalog.put_video(video("bob", "bob-1"))
    source = Container(settings_for_fakes(), preview_links=links, catalog=catalog)
    videos: list[dict[str, Any]] = [
        {"video_id": "vid-1", "media_type": "video"},
        {"video_id": "img-1", "media_type": "image"},
    ]
    segments: list[dict[str, Any]] = [
        {"segment_id": "s1", "video_id": "vid-1", "start_time": 4.0, "end_time": 6.5},
        {"segment_id": "s2", "video_id": "aud-1", "start_time": 0.0, "end_time": 2.0},
        {"segment_id": "s3", "video_id": "bob-1", "start_time": 0.0, "end_time": 2.0},
    ]
    fill_preview_urls(source, "alice", videos, segments)

    def spec(url: str) -> Any:
        return links.verify(url.rsplit("/", 1)[1]).spec

    assert spec(videos[0]["first_thumbnail"]) == ThumbnailSpec(0, 320, ImageFormat.JPG)
    assert spec(videos[0]["gif_data"]) == GifSpec()
    assert videos[1]["gif_data"] is None and videos[1]["first_thumbnail"]
    assert spec(segments[0]["thumbnail_uri"]) == ThumbnailSpec(5250, 320, ImageFormat.JPG)
    assert spec(segments[0]["gif_uri"]) == GifSpec(4000, 2500)
    assert segments[0]["thumbnail_available"] and segments[0]["gif_available"]
    assert segments[1]["thumbnail_uri"] and "gif_uri" not in segments[1]  # audio: a waveform
    assert "thumbnail_uri" not in segments[2]  # another user's media gets nothing
    ticket = links.verify(segments[1]["thumbnail_uri"].rsplit("/", 1)[1])
    assert (ticket.user_id, ticket.video_id) == ("alice", "aud-1")


def test_container_builds_links_locally_without_a_secret() -> None:
    assert Container(settings_for_fakes()).preview_links.token("u", "v", GifSpec())
    # Production (an unset VV_ENVIRONMENT): no public secret.
    with pytest.raises(MissingSecrets, match="VV_PREVIEW_LINK_SECRET"):
        _ = Container(Settings(environment="production")).preview_links
    deployed = Settings(environment="production", preview_link_secret=SecretStr("s" * 32))
    assert Container(deployed).preview_links.token("u", "v", GifSpec())
