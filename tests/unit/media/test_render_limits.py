"""The render budget (pure) and the leash every ffmpeg run is on: allowed inputs, an
address-space ceiling, a wall time whose failure carries no signed URL."""

from __future__ import annotations

import logging
import sys

import pytest

from shared.adapters.ffmpeg_inputs import (
    RunTimedOut,
    demuxer_of,
    known_input,
    probe_input,
    protocols_for,
    redact,
    run_limited,
)
from shared.domain.render_limits import (
    MAX_GIF_PIXELS,
    MAX_RENDER_SECONDS,
    check_gif,
    check_image,
    check_source,
    fit_inside,
    gif_frames,
    render_seconds,
    upright_size,
)
from shared.errors import ValidationFailed
from shared.http.error_mapping import error_response_parts

SIGNED = (
    "http://127.0.0.1:9/media/o.mp4?X-Goog-Algorithm=GOOG4-RSA-SHA256"
    "&X-Goog-Credential=svc%40p.iam&X-Goog-Signature=deadbeefcafe"
)


@pytest.mark.parametrize(
    ("source", "box", "fitted"),
    [
        ((64, 1024), (640, 640), (40, 640)),  # tall: the height binds (was 640x10240)
        ((1024, 64), (640, 640), (640, 40)),
        ((1920, 1080), (640, 1920), (640, 360)),
        ((1080, 1920), (640, 1920), (640, 1138)),  # portrait thumbnails keep their width
        ((64, 1024), (1920, 1920), (120, 1920)),
        ((7, 5), (2, 2), (2, 2)),  # never below 2x2, always even
    ],
)
def test_both_output_dimensions_fit_inside_the_box(
    source: tuple[int, int], box: tuple[int, int], fitted: tuple[int, int]
) -> None:
    assert fit_inside(*source, *box) == fitted


@pytest.mark.parametrize(("rotation", "shown"), [(0, (640, 360)), (90, (360, 640)),
                                                 (-90, (360, 640)), (180, (640, 360)),
                                                 (270, (360, 640))])  # fmt: skip
def test_a_quarter_turn_swaps_the_shown_size(rotation: float, shown: tuple[int, int]) -> None:
    assert upright_size(640, 360, rotation) == shown


def test_the_gif_budget_allows_the_largest_landscape_gif_and_not_one_frame_more() -> None:
    check_gif(640, 360, gif_frames(10.0, 30))
    with pytest.raises(ValidationFailed) as caught:
        check_gif(640, 360, 301)
    assert f"{MAX_GIF_PIXELS:,} pixels" in caught.value.message
    assert caught.value.details["errors"][0]["limit"] == {"le": MAX_GIF_PIXELS}
    status, body, _ = error_response_parts(caught.value, "req-1")
    assert status == 422 and body["error"]["code"] == "validation_failed"


def test_source_and_image_budgets_name_their_limits() -> None:
    check_source(4096, 2160)
    with pytest.raises(ValidationFailed, match="4096x2160"):
        check_source(8192, 4320)
    check_image(7000, 7000)
    with pytest.raises(ValidationFailed, match="50,000,000 pixels"):
        check_image(7100, 7100)


def test_frames_and_wall_time_follow_the_work_asked() -> None:
    assert gif_frames(10.0, 30) == 300 and gif_frames(0.25, 1) == 1
    assert render_seconds(0.2) < render_seconds(69.0) <= MAX_RENDER_SECONDS
    assert render_seconds(1e6) == MAX_RENDER_SECONDS


def test_inputs_allow_only_what_the_source_needs() -> None:
    assert protocols_for("https://storage.googleapis.com/b/o?x") == "https,tls,tcp"
    assert protocols_for("http://127.0.0.1:9/b/o") == "http,tcp"
    assert protocols_for("/tmp/source.mp4") == "file"
    allowed = probe_input("/tmp/x")[probe_input("/tmp/x").index("-format_whitelist") + 1]
    assert "mov" in allowed.split(",") and not {"hls", "concat", "dash"} & set(allowed.split(","))
    assert demuxer_of("mov,mp4,m4a,3gp,3g2,mj2") == "mov"
    assert known_input("https://h/o", "matroska,webm") == [
        "-protocol_whitelist", "https,tls,tcp", "-f", "matroska",
    ]  # fmt: skip
    for refused in ("hls", "concat", "dash", "lavfi"):
        with pytest.raises(ValueError):
            demuxer_of(refused)


def test_redaction_removes_every_signed_query() -> None:
    text = f"Error opening input file {SIGNED}.\nCommand '['ffmpeg', '-i', '{SIGNED}']'"
    cleaned = redact(text)
    assert "deadbeef" not in cleaned and "X-Goog" not in cleaned
    assert "http://127.0.0.1:9/media/o.mp4?<redacted>" in cleaned


def test_a_run_past_its_time_is_killed_and_its_error_carries_no_argv() -> None:
    with pytest.raises(RunTimedOut) as caught:
        run_limited(["/bin/sh", "-c", "exec sleep 5", SIGNED], 0.3, 2**30)
    assert "deadbeef" not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_the_address_space_ceiling_fails_the_child_not_the_instance() -> None:
    grab = "b = bytearray(600 * 2**20); print(len(b))"
    done = run_limited([sys.executable, "-c", grab], 30, 256 * 2**20)
    assert done.returncode != 0 and b"MemoryError" in done.stderr
    assert run_limited([sys.executable, "-c", grab], 30, 2**30).returncode == 0


def test_a_timed_out_render_logs_no_signed_url(caplog: pytest.LogCaptureFixture) -> None:
    from shared.adapters.ffmpeg_previews import too_slow

    error = too_slow(24.0)
    with caplog.at_level(logging.WARNING):
        status, body, headers = error_response_parts(error, "req-1")
    assert status == 503 and headers["Retry-After"] == "1"
    assert "24 s" in body["error"]["message"]
    assert "X-Goog" not in caplog.text and "ffmpeg killed after 24 s" in caplog.text
