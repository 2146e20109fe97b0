"""What the media routes refuse, and how they say it: every float finite, enum values named
plainly, time bounds stated as they are checked, no route ignoring unknown parameters, and
audio thumbnails held to the video's rules (a time inside the media, a waveform's shape)."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image

from shared.clock import utcnow
from shared.domain.preview_fitting import fitted_spec, waveform_spec
from shared.domain.previews import FitMode, GifSpec, ImageFormat, ThumbnailSpec
from shared.domain.records import MediaType, VideoRecord, VideoStatus
from shared.errors import ValidationFailed
from tests.unit.media.conftest import MediaWorld

BASE = "/api/v2/videos/{}"
THUMB = "/api/v2/videos/segments/{}/thumbnail"


def refusal(media: MediaWorld, path: str) -> dict[str, Any]:
    response = media.client.get(path, headers={"X-API-Key": media.alice})
    assert response.status_code == 422, (path, response.status_code)
    error: dict[str, Any] = response.get_json()["error"]
    assert error["code"] == "validation_failed", error
    return error


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity"])
@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v2/videos/vid-1/gif?{}={}", "duration"),
        ("/api/v2/videos/vid-1/gif?{}={}", "start_time"),
        ("/api/v2/videos/segments/seg-1/thumbnail?{}={}", "time"),
    ],
)
def test_every_float_parameter_refuses_nan_and_infinity(
    media: MediaWorld, path: str, field: str, value: str
) -> None:
    media.add_segment(media.add_video("alice", "vid-1"), "seg-1", 0.0, 2.0)
    error = refusal(media, path.format(field, value))
    problem = error["details"]["errors"][0]
    assert problem["field"] == field
    assert problem["type"] == "finite_number"
    assert problem["message"] == "Input should be a finite number"
    assert not media.renderer.renders


def test_the_storyboard_format_is_refused_in_plain_values(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    for ext in ("json", "vtt"):
        error = refusal(media, BASE.format("vid-1") + f"/storyboard.{ext}?format=png")
        problem = error["details"]["errors"][0]
        assert problem["field"] == "format"
        assert problem["message"] == "Input should be 'jpg' or 'webp'"
        assert problem["limit"] == {"expected": "'jpg' or 'webp'"}
        assert "ImageFormat" not in str(error)
    ok = media.client.get(
        BASE.format("vid-1") + "/storyboard.json?format=webp", headers={"X-API-Key": media.alice}
    )
    assert ok.status_code == 200 and ok.get_json()["url"]


def test_a_clip_starting_at_the_end_is_refused_naming_the_open_bound(media: MediaWorld) -> None:
    media.add_video("alice", "vid-8", duration_seconds=8.0)
    error = refusal(media, BASE.format("vid-8") + "/gif?start_time=8")
    assert "from 0 up to, not including, 8 seconds" in error["message"]
    assert "0 to 8 seconds" not in error["message"]
    assert error["details"]["errors"] == [{"field": "start_time", "limit": {"ge": 0, "lt": 8.0}}]
    ok = media.client.get(
        BASE.format("vid-8") + "/gif?start_time=7.9&duration=0.25",
        headers={"X-API-Key": media.alice},
    )
    assert ok.status_code == 200


def test_a_thumbnail_at_the_end_is_allowed_and_past_it_refused_naming_the_closed_bound(
    media: MediaWorld,
) -> None:
    media.add_segment(media.add_video("alice", "vid-8", duration_seconds=8.0), "seg-8", 0.0, 8.0)
    at_end = media.client.get(THUMB.format("seg-8") + "?time=8", headers={"X-API-Key": media.alice})
    assert at_end.status_code == 200
    error = refusal(media, THUMB.format("seg-8") + "?time=8.5")
    assert "from 0 to 8 seconds (8 included)" in error["message"]
    assert error["details"]["errors"] == [{"field": "time", "limit": {"ge": 0, "le": 8.0}}]


@pytest.mark.parametrize("ext", ["jpg", "webp", "vtt", "json"])
@pytest.mark.parametrize(
    "query, kind",
    [
        ("foo=bar", "extra_forbidden"),
        ("width=99999", "extra_forbidden"),
        ("format=a&format=b", None),
    ],
)
def test_every_storyboard_route_refuses_unknown_and_repeated_parameters(
    media: MediaWorld, ext: str, query: str, kind: str | None
) -> None:
    media.add_video("alice", "vid-1")
    error = refusal(media, BASE.format("vid-1") + f"/storyboard.{ext}?{query}")
    problem = error["details"]["errors"][0]
    if kind is None:
        assert problem == {"field": "format", "message": "given more than once"}
    else:
        assert problem["type"] == kind and problem["field"] == query.split("=")[0]
    assert not media.renderer.renders


def test_the_storyboard_sprites_still_answer_without_parameters(media: MediaWorld) -> None:
    media.add_video("alice", "vid-1")
    for ext, content_type in (("jpg", "image/jpeg"), ("webp", "image/webp")):
        response = media.client.get(
            BASE.format("vid-1") + f"/storyboard.{ext}", headers={"X-API-Key": media.alice}
        )
        assert response.status_code == 200 and response.content_type == content_type


def test_an_audio_thumbnail_time_outside_the_media_is_refused(media: MediaWorld) -> None:
    audio = media.add_video("alice", "aud-8", media_type=MediaType.AUDIO, duration_seconds=8.0)
    media.add_segment(audio, "aud-seg", 0.0, 8.0)
    error = refusal(media, THUMB.format("aud-seg") + "?time=604800")
    assert "from 0 to 8 seconds" in error["message"]
    assert error["details"]["errors"] == [{"field": "time", "limit": {"ge": 0, "le": 8.0}}]
    inside = media.client.get(
        THUMB.format("aud-seg") + "?time=8", headers={"X-API-Key": media.alice}
    )
    assert inside.status_code == 200
    assert not [s for _, s in media.renderer.renders if s.time_ms != 0]  # type: ignore[union-attr]


def test_an_audio_thumbnail_keeps_the_waveform_shape_given_a_height_alone(
    media: MediaWorld,
) -> None:
    audio = media.add_video("alice", "aud-8", media_type=MediaType.AUDIO, duration_seconds=8.0)
    media.add_segment(audio, "aud-seg", 0.0, 8.0)
    by_width = media.client.get(
        THUMB.format("aud-seg") + "?width=200", headers={"X-API-Key": media.alice}
    )
    by_height = media.client.get(
        THUMB.format("aud-seg") + "?height=50", headers={"X-API-Key": media.alice}
    )
    assert by_width.status_code == by_height.status_code == 200
    # One picture, one stored object: the height alone gives the width alone's spec.
    assert by_height.headers["ETag"] == by_width.headers["ETag"]
    assert len(media.renderer.renders) == 1
    assert media.renderer.renders[0][1] == ThumbnailSpec(0, 200, ImageFormat.JPG)
    assert Image.open(io.BytesIO(by_height.data)).width == 200


AUDIO_SIZES = [
    # (width, height, fit) asked -> (width, height) of the spec the renderer gets
    ((100, None, FitMode.PRESERVE), (100, None)),  # 100x25, as always
    ((1920, 50, FitMode.PRESERVE), (200, None)),  # a height alone: 200x50
    ((1920, 1000, FitMode.PRESERVE), (1920, None)),  # too tall for 1920 wide: 1920x480
    ((640, 360, FitMode.PRESERVE), (640, None)),  # a box: the widest 4:1 inside, 640x160
    ((300, 50, FitMode.PRESERVE), (200, None)),  # a wide box: 200x50
    ((16, 100, FitMode.PRESERVE), (16, None)),  # the smallest: 16x16
    ((640, 360, FitMode.STRETCH), (640, 360)),  # the other modes: exactly that size
    ((200, 200, FitMode.CROP), (200, 200)),
]


@pytest.mark.parametrize("asked, given", AUDIO_SIZES)
def test_a_waveform_fits_its_shape_like_a_video_frame(
    asked: tuple[int, int | None, FitMode], given: tuple[int, int | None]
) -> None:
    width, height, fit = asked
    spec = waveform_spec(ThumbnailSpec(3000, width, ImageFormat.PNG, height, fit))
    assert (spec.width, spec.height, spec.time_ms) == (*given, 0)
    assert waveform_spec(spec) == spec  # a preview link's spec is fitted again: unchanged


def test_time_checks_state_the_range_they_check() -> None:
    now = utcnow()
    video = VideoRecord(
        "v", "u", "t", "gs://b/o", MediaType.VIDEO, VideoStatus.PROCESSED, now, now,
        duration_seconds=8.0,
    )  # fmt: skip
    assert fitted_spec(video, ThumbnailSpec(8000)) == ThumbnailSpec(8000)
    with pytest.raises(ValidationFailed, match=r"not including, 8 seconds"):
        fitted_spec(video, GifSpec(8000))
    with pytest.raises(ValidationFailed, match=r"from 0 to 8 seconds \(8 included\)"):
        fitted_spec(replace(video, media_type=MediaType.AUDIO), ThumbnailSpec(8001))
