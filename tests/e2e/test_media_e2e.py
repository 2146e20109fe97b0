"""Media helpers over HTTP through the gateway, as a client (and a browser) sees them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
import videovector
from PIL import Image

from infra.local.stack import LocalStack
from shared.bootstrap import Container
from shared.clock import utcnow
from shared.domain.records import MediaType, SegmentRecord, VideoRecord, VideoStatus
from shared.services.previews import fill_preview_urls
from tests.media.samples import frame_coded_clip, frame_number, tone

pytestmark = [pytest.mark.e2e, pytest.mark.emulator]


class StoredClip(NamedTuple):
    video_id: str
    segment_id: str
    uri: str
    path: Path


def stored_clip(cloud: Container, user_id: str, folder: Path, seconds: int) -> StoredClip:
    """A frame-coded 640x360 30 fps clip (a keyframe a second) stored as the user's processed
    video, with a segment over its second second."""
    clip = frame_coded_clip(
        folder / "clip.mp4", width=640, height=360, fps=30, seconds=seconds, keyframe_seconds=1
    )
    video_id = f"v-{uuid.uuid4().hex[:10]}"
    stored = cloud.media.upload(clip.path, f"uploads/{user_id}/{video_id}.mp4")
    now = utcnow()
    cloud.catalog.put_video(
        VideoRecord(
            video_id, user_id, "clip", stored.uri, MediaType.VIDEO, VideoStatus.PROCESSED,
            now, now, duration_seconds=float(seconds), fps=30.0, media_version=stored.generation,
        )
    )  # fmt: skip
    segment_id = f"{video_id}-s1"
    cloud.catalog.put_segments([SegmentRecord(segment_id, video_id, user_id, 1.0, 2.0, now)])
    return StoredClip(video_id, segment_id, stored.uri, clip.path)


def test_media_helpers_over_http(  # type: ignore[no-untyped-def]
    stack: LocalStack, http: httpx.Client, cloud: Container, new_key, user_id: str, tmp_path: Path
) -> None:
    clip = stored_clip(cloud, user_id, tmp_path, seconds=3)
    video_id, segment_id = clip.video_id, clip.segment_id
    key = new_key(user_id, "read")
    auth = {"X-API-Key": key}

    # signed-url through the public SDK, unchanged
    client = videovector.VideoVector(api_key=key, base_url=f"{stack.base_url}/api/v2")
    signed = client.videos.get_signed_url(clip.uri)
    assert signed.expires_at.endswith("Z")
    assert httpx.get(signed.signed_url, timeout=30).content == clip.path.read_bytes()
    with pytest.raises(videovector.NotFoundError):
        client.videos.get_signed_url(clip.uri.replace(user_id, "someone-else"))

    gif = http.get(f"/api/v2/videos/{video_id}/gif", params={"width": 160}, headers=auth)
    assert gif.status_code == 200 and gif.headers["content-type"] == "image/gif"
    again = http.get(
        f"/api/v2/videos/{video_id}/gif",
        params={"width": 160},
        headers={**auth, "If-None-Match": gif.headers["etag"]},
    )
    assert again.status_code == 304

    thumb = http.get(f"/api/v2/videos/segments/{segment_id}/thumbnail", headers=auth)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert frame_number(thumb.content) == 45  # the midpoint of 1.0-2.0 s at 30 fps
    outside = http.get(
        f"/api/v2/videos/segments/{segment_id}/thumbnail", params={"time": 9}, headers=auth
    )
    assert outside.status_code == 422

    # the image URLs a batch response carries load without the API key
    videos: list[dict[str, Any]] = [{"video_id": video_id, "media_type": "video"}]
    segments: list[dict[str, Any]] = [
        {"segment_id": segment_id, "video_id": video_id, "start_time": 1.0, "end_time": 2.0}
    ]
    fill_preview_urls(cloud, user_id, videos, segments)
    for url in (videos[0]["first_thumbnail"], segments[0]["thumbnail_uri"], videos[0]["gif_data"]):
        path = httpx.URL(url).raw_path.decode()
        image = http.get(path)  # no key
        assert image.status_code == 200, image.text
        assert Image.open(__import__("io").BytesIO(image.content)).width == 320


def test_storyboards_over_http(  # type: ignore[no-untyped-def]
    stack: LocalStack, http: httpx.Client, cloud: Container, new_key, user_id: str, tmp_path: Path
) -> None:
    """Animated WebP / MP4, fit modes and the storyboard's four forms through the gateway;
    the VTT's sprite link loads without a key and every cue lies inside the sprite."""
    video_id, segment_id, _, _ = stored_clip(cloud, user_id, tmp_path, seconds=6)
    auth = {"X-API-Key": new_key(user_id, "read")}
    base = f"/api/v2/videos/{video_id}"

    for image_format, content_type in (("webp", "image/webp"), ("mp4", "video/mp4")):
        moving = http.get(f"{base}/gif", params={"format": image_format}, headers=auth)
        assert moving.status_code == 200 and moving.headers["content-type"] == content_type
    cropped = http.get(
        f"/api/v2/videos/segments/{segment_id}/thumbnail",
        params={"width": 100, "height": 100, "fit_mode": "crop"},
        headers=auth,
    )
    assert cropped.status_code == 200
    assert Image.open(__import__("io").BytesIO(cropped.content)).size == (100, 100)

    vtt = http.get(f"{base}/storyboard.vtt", headers=auth)
    assert vtt.status_code == 200 and vtt.headers["content-type"].startswith("text/vtt")
    cues = [block.splitlines() for block in vtt.text.split("\n\n")[1:] if block.strip()]
    assert len(cues) == 6
    sprite_url, _ = cues[0][1].split("#xywh=")
    sprite = http.get(httpx.URL(sprite_url).raw_path.decode())  # no key
    assert sprite.status_code == 200 and sprite.headers["content-type"] == "image/jpeg"
    picture = Image.open(__import__("io").BytesIO(sprite.content))
    for _, target in cues:
        x, y, w, h = (int(v) for v in target.split("#xywh=")[1].split(","))
        assert x + w <= picture.width and y + h <= picture.height
    board = http.get(f"{base}/storyboard.json", params={"format": "webp"}, headers=auth)
    assert board.status_code == 200 and len(board.json()["tiles"]) == 6
    for ext, content_type in (("jpg", "image/jpeg"), ("webp", "image/webp")):
        image = http.get(f"{base}/storyboard.{ext}", headers=auth)
        assert image.status_code == 200 and image.headers["content-type"] == content_type
        again = http.get(
            f"{base}/storyboard.{ext}", headers={**auth, "If-None-Match": image.headers["etag"]}
        )
        assert again.status_code == 304


def test_media_query_checks_over_http(  # type: ignore[no-untyped-def]
    stack: LocalStack, http: httpx.Client, cloud: Container, new_key, user_id: str, tmp_path: Path
) -> None:
    """What a new user tried through the gateway: NaN and inf, a wrong sprite format, a clip
    at the media's end, stray parameters on the sprites, an audio time past its end and a
    waveform given only a height."""
    video_id, _, _, _ = stored_clip(cloud, user_id, tmp_path, seconds=3)
    auth = {"X-API-Key": new_key(user_id, "read")}
    base = f"/api/v2/videos/{video_id}"

    def refused(path: str, **params: str) -> dict[str, Any]:
        response = http.get(path, params=params, headers=auth)
        assert response.status_code == 422, (path, params, response.text)
        error: dict[str, Any] = response.json()["error"]
        return error

    for field in ("duration", "start_time"):
        for value in ("NaN", "inf"):
            problem = refused(f"{base}/gif", **{field: value})["details"]["errors"][0]
            assert (problem["field"], problem["message"]) == (
                field,
                "Input should be a finite number",
            )
    problem = refused(f"{base}/storyboard.json", format="png")["details"]["errors"][0]
    assert problem["message"] == "Input should be 'jpg' or 'webp'"
    assert problem["limit"] == {"expected": "'jpg' or 'webp'"}
    at_end = refused(f"{base}/gif", start_time="3")
    assert "from 0 up to, not including, 3 seconds" in at_end["message"]
    for ext in ("jpg", "webp"):
        stray = refused(f"{base}/storyboard.{ext}", foo="bar")["details"]["errors"][0]
        assert (stray["field"], stray["type"]) == ("foo", "extra_forbidden")
        repeated = http.get(f"{base}/storyboard.{ext}?format=a&format=b", headers=auth)
        assert repeated.status_code == 422
        assert "more than once" in repeated.json()["error"]["message"]

    audio = cloud.media.upload(tone(tmp_path / "tone.m4a"), f"uploads/{user_id}/a-tone.m4a")
    now = utcnow()
    audio_id = f"a-{uuid.uuid4().hex[:10]}"
    cloud.catalog.put_video(
        VideoRecord(
            audio_id, user_id, "tone", audio.uri, MediaType.AUDIO, VideoStatus.PROCESSED,
            now, now, duration_seconds=2.0, media_version=audio.generation,
        )
    )  # fmt: skip
    cloud.catalog.put_segments([SegmentRecord(f"{audio_id}-s0", audio_id, user_id, 0.0, 2.0, now)])
    thumbnail = f"/api/v2/videos/segments/{audio_id}-s0/thumbnail"
    assert "from 0 to 2 seconds" in refused(thumbnail, time="604800")["message"]
    by_height = http.get(thumbnail, params={"height": 50, "format": "png"}, headers=auth)
    assert by_height.status_code == 200, by_height.text
    assert Image.open(__import__("io").BytesIO(by_height.content)).size == (200, 50)
    by_width = http.get(thumbnail, params={"width": 200, "format": "png"}, headers=auth)
    assert by_width.headers["etag"] == by_height.headers["etag"]
