"""GIFs, thumbnails and preview links through functions-framework, on in-memory ports."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from shared.domain.events import EventType
from shared.domain.previews import GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.records import MediaType
from shared.services.preview_cache import RecentPreviews
from shared.services.previews import fill_preview_urls
from tests.unit.media.conftest import MediaWorld

GIF = "/api/v2/videos/{}/gif"
THUMB = "/api/v2/videos/segments/{}/thumbnail"


def get(world: MediaWorld, path: str, key: str | None = None, **headers: str):  # type: ignore[no-untyped-def]
    if key:
        headers["X-API-Key"] = key
    return world.client.get(path, headers=headers)


def test_a_gif_is_rendered_once_stored_and_then_served_with_etag_and_304(
    media: MediaWorld,
) -> None:
    media.add_video("alice", "vid-1")
    first = get(media, GIF.format("vid-1") + "?width=200&fps=12&duration=1.5", media.alice)
    assert first.status_code == 200 and first.content_type == "image/gif"
    assert Image.open(io.BytesIO(first.data)).width == 200
    etag, cache = first.headers["ETag"], first.headers["Cache-Control"]
    assert etag.startswith('"') and "max-age" in cache
    again = get(media, GIF.format("vid-1") + "?fps=12&duration=1.5&width=200", media.alice)
    assert again.data == first.data and again.headers["ETag"] == etag
    assert len(media.renderer.renders) == 1
    (source, spec) = media.renderer.renders[0]
    assert spec == GifSpec(0, 1500, 200, 12) and "X-Goog-Signature=" in source.url
    cached = get(media, GIF.format("vid-1") + "?width=200&fps=12&duration=1.5", media.alice,
                 **{"If-None-Match": etag})  # fmt: skip
    assert cached.status_code == 304 and cached.data == b"" and cached.headers["ETag"] == etag
    stale = get(media, GIF.format("vid-1"), media.alice, **{"If-None-Match": etag})
    assert stale.status_code == 200 and stale.headers["ETag"] != etag
    events = [e for e in media.events.published if e.event_type is EventType.MEDIA_PREVIEW_READY]
    assert len(events) == 2 and events[0].video_id == "vid-1" and events[0].user_id == "alice"
    assert events[0].payload["gcs_uri"].startswith("gs://videovector-derived/previews/alice/vid-1/")


def test_a_new_media_version_gets_a_new_preview(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    etag = get(media, GIF.format("vid-1"), media.alice).headers["ETag"]
    media.add_video("alice", "vid-1", media_version="1700000000000002")
    again = get(media, GIF.format("vid-1"), media.alice, **{"If-None-Match": etag})
    assert again.status_code == 200 and len(media.renderer.renders) == 2


def test_gif_limits_are_422_naming_the_field(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    for query, field in [
        ("duration=0.2", "duration"),
        ("duration=10.5", "duration"),
        ("width=641", "width"),
        ("width=0", "width"),
        ("fps=31", "fps"),
        ("fps=0", "fps"),
        ("start_time=-1", "start_time"),
        ("start_time=nan", "start_time"),
        ("start_time=20", "start_time"),  # the media is 20 s long
        ("colour=red", "colour"),
    ]:
        response = get(media, GIF.format("vid-1") + "?" + query, media.alice)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["details"]["errors"][0]["field"] == field
    for query in ("duration=0.25", "duration=10", "width=640", "fps=30", "start_time=19.5"):
        assert get(media, GIF.format("vid-1") + "?" + query, media.alice).status_code == 200
    assert not media.derived.objects or all(o[1] for o in media.derived.objects.values())


def test_thumbnail_defaults_to_the_segment_midpoint_and_checks_bounds(
    media: MediaWorld,
) -> None:
    video = media.add_video("alice", "vid-1")
    media.add_segment(video, "seg-1", 4.0, 7.0)
    response = get(media, THUMB.format("seg-1"), media.alice)
    assert response.status_code == 200 and response.content_type == "image/jpeg"
    assert media.renderer.renders[-1][1] == ThumbnailSpec(5500, 640, ImageFormat.JPG)
    webp = get(media, THUMB.format("seg-1") + "?time=19.9&width=1920&format=webp", media.alice)
    assert webp.content_type == "image/webp"
    assert Image.open(io.BytesIO(webp.data)).width == 1920
    outside = get(media, THUMB.format("seg-1") + "?time=20.5", media.alice)
    assert outside.status_code == 422
    error = outside.get_json()["error"]
    assert "0 to 20 seconds" in error["message"]
    assert error["details"]["errors"][0]["limit"] == {"ge": 0, "le": 20.0}
    for query in ("width=1921", "format=gif", "time=-0.1"):
        assert get(media, THUMB.format("seg-1") + "?" + query, media.alice).status_code == 422


def test_images_are_resized_and_audio_gets_a_waveform_but_no_gif(media: MediaWorld) -> None:
    image = media.add_video("alice", "img-1", media_type=MediaType.IMAGE, duration_seconds=None)
    audio = media.add_video("alice", "aud-1", media_type=MediaType.AUDIO, duration_seconds=30.0)
    media.add_segment(image, "img-seg", 0.0, 0.0)
    media.add_segment(audio, "aud-seg", 10.0, 20.0)
    assert get(media, THUMB.format("img-seg") + "?time=3", media.alice).status_code == 200
    assert media.renderer.renders[-1][1].time_ms == 0  # type: ignore[union-attr]
    assert get(media, THUMB.format("aud-seg") + "?format=png", media.alice).status_code == 200
    assert media.renderer.renders[-1][0].media_type is MediaType.AUDIO
    no_gif = get(media, GIF.format("aud-1"), media.alice)
    assert no_gif.status_code == 422
    assert no_gif.get_json()["error"]["code"] == "preview_not_available"
    assert get(media, GIF.format("img-1"), media.alice).status_code == 200


def test_other_tenants_and_unknown_ids_are_404(media: MediaWorld) -> None:
    video = media.add_video("bob", "bob-1")
    media.add_segment(video, "bob-seg", 0.0, 2.0)
    media.add_video("alice", "gone", deleted=True)
    for path in (GIF.format("bob-1"), THUMB.format("bob-seg"), GIF.format("nope"),
                 GIF.format("gone"), GIF.format("..%2Fbob-1"), THUMB.format("a..b")):  # fmt: skip
        response = get(media, path, media.alice)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "resource_not_found"
    assert get(media, GIF.format("bob-1")).status_code == 401
    assert not media.renderer.renders


def test_concurrent_identical_requests_render_once(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    media.renderer.seconds = 0.3
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: get(media, GIF.format("vid-1"), media.alice), range(8)))
    assert {r.status_code for r in replies} == {200}
    assert len({r.data for r in replies}) == 1
    assert len(media.renderer.renders) == 1
    assert len(media.events.published) == 1


def test_a_failed_render_leaves_nothing_behind(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    media.renderer.fail_with = RuntimeError("ffmpeg crashed")
    assert get(media, GIF.format("vid-1"), media.alice).status_code == 500
    assert not media.derived.objects and not media.events.published
    assert not media.container.render_leases.leases  # type: ignore[attr-defined]
    media.renderer.fail_with = None
    assert get(media, GIF.format("vid-1"), media.alice).status_code == 200
    assert len(media.derived.objects) == 1


def test_preview_links_load_without_a_key(media: MediaWorld) -> None:
    video = media.add_video("alice", "vid-1")
    media.add_segment(video, "seg-1", 2.0, 4.0)
    videos = [{"video_id": "vid-1", "media_type": "video"}]
    segments = [{"segment_id": "seg-1", "video_id": "vid-1", "start_time": 2.0, "end_time": 4.0}]
    fill_preview_urls(media.container, "alice", videos, segments)
    for url in (videos[0]["gif_data"], videos[0]["first_thumbnail"], segments[0]["thumbnail_uri"]):
        assert isinstance(url, str) and url.startswith("http://api.test/api/v2/previews/")
        response = get(media, url.removeprefix("http://api.test"))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.content_type.startswith("image/")
        assert "private, max-age=" in response.headers["Cache-Control"]
        again = get(
            media,
            url.removeprefix("http://api.test"),
            **{"If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304
        # Pasted links gather cache busters and trackers: ignored here, not a 422.
        decorated = get(media, url.removeprefix("http://api.test") + "?utm_source=chat&v=2")
        assert decorated.status_code == 200 and decorated.get_data() == response.get_data()
    # the segment's link and the thumbnail endpoint share one stored object
    thumb = get(media, THUMB.format("seg-1") + "?width=320", media.alice)
    assert thumb.status_code == 200 and len(media.renderer.renders) == 3
    media.add_video("alice", "vid-1", deleted=True)
    gone = get(media, str(videos[0]["gif_data"]).removeprefix("http://api.test"))
    assert gone.status_code == 404
    forged = str(videos[0]["gif_data"]).removeprefix("http://api.test")[:-3] + "AAA"
    assert get(media, forged).status_code == 404


def test_recent_previews_stay_within_their_budget() -> None:
    memory = RecentPreviews(capacity_bytes=800)
    memory.put("big", b"x" * 101)  # more than an eighth of the budget: never kept
    for i in range(10):
        memory.put(f"p{i}", bytes(100))
    assert memory.get("big") is None and memory.get("p0") is None
    assert memory.get("p9") == bytes(100) and memory.get("p2") is not None


def test_a_hot_preview_is_served_from_memory_but_never_stale(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    first = get(media, GIF.format("vid-1"), media.alice)
    media.derived.objects.clear()  # e.g. a lifecycle rule removed it: the copy is still right
    assert get(media, GIF.format("vid-1"), media.alice).data == first.data
    media.add_video("alice", "vid-1", media_version="1700000000000009")  # a new version
    assert get(media, GIF.format("vid-1"), media.alice).headers["ETag"] != first.headers["ETag"]
    assert len(media.renderer.renders) == 2
