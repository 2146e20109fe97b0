"""How the ffmpeg renderer reads its child's end: a process ended by a signal is a transient
failure (503, retry), an ffmpeg that exits with an error is media it cannot read (422).

A stand-in ffmpeg (a shell script) plays each ending for real, as a child process."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import pytest

from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.domain.preview_ports import RenderSource
from shared.domain.previews import AnimationFormat, GifSpec
from shared.domain.records import MediaType
from shared.errors import ServiceUnavailable, ValidationFailed
from shared.http.error_mapping import error_response_parts

SOURCE = RenderSource("http://127.0.0.1:9/media.mp4", MediaType.VIDEO, 30.0)


# What ``ffmpeg -i`` says of a plain MP4: the renderer probes before every render.
PROBE = (
    'case "$*" in *format_whitelist*)\n'
    "  echo \"Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'media.mp4':\" >&2\n"
    "  echo '  Duration: 00:00:10.00, start: 0.000000, bitrate: 900 kb/s' >&2\n"
    "  echo '  Stream #0:0: Video: h264 (High), yuv420p, 640x360, 30 fps, 30 tbr' >&2\n"
    "  exit 1;;\n"
    "esac\n"
)


def stand_in(tmp_path: Path, body: str, probe: str = PROBE) -> FfmpegPreviewRenderer:
    script = tmp_path / "ffmpeg"
    script.write_text(f"#!/bin/sh\n{probe}{body}\n")
    script.chmod(0o755)
    return FfmpegPreviewRenderer(ffmpeg=str(script))


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGSEGV], ids=lambda s: signal.Signals(s).name
)
def test_a_renderer_ended_by_a_signal_is_503_with_retry_after(tmp_path: Path, sig: int) -> None:
    renderer = stand_in(tmp_path, f"printf 'GIF89a partial'; kill -{int(sig)} $$")
    with pytest.raises(ServiceUnavailable) as caught:
        renderer.render(SOURCE, GifSpec())
    assert not isinstance(caught.value, ValidationFailed)
    assert signal.Signals(sig).name in str(caught.value.__cause__)  # for the log only
    status, body, headers = error_response_parts(caught.value, "req-1")
    assert status == 503 and headers["Retry-After"] == "1"
    assert body["error"]["code"] == "service_unavailable"
    assert "SIG" not in body["error"]["message"]


def test_a_killed_probe_is_503_too(tmp_path: Path) -> None:
    renderer = stand_in(tmp_path, "kill -9 $$", probe="")
    with pytest.raises(ServiceUnavailable):
        renderer.probe(SOURCE)


def test_an_ffmpeg_error_exit_is_still_undecodable_media(tmp_path: Path) -> None:
    renderer = stand_in(tmp_path, "echo 'moov atom not found' >&2; exit 1")
    with pytest.raises(ValidationFailed) as caught:
        renderer.render(SOURCE, GifSpec())
    assert caught.value.code == "media_not_decodable"
    assert "moov atom not found" in caught.value.message


def test_a_render_killed_while_writing_a_temporary_file_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An MP4 is the one render through a file (its index is moved to the front after the
    encode): ffmpeg is killed after writing part of it, and the folder goes with the error."""
    renderer = stand_in(tmp_path, 'for last; do :; done; printf partial > "$last"; kill -9 $$')
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(ServiceUnavailable):
        renderer.render(SOURCE, GifSpec(format=AnimationFormat.MP4))
    assert list(scratch.iterdir()) == []


def test_ffmpeg_messages_naming_the_signed_url_are_redacted(tmp_path: Path) -> None:
    signed = RenderSource(
        "http://127.0.0.1:9/b/media.mp4?X-Goog-Credential=svc&X-Goog-Signature=deadbeef",
        MediaType.VIDEO,
        30.0,
    )
    renderer = stand_in(tmp_path, 'for last; do :; done; echo "Cannot open $last" >&2; exit 1')
    with pytest.raises(ValidationFailed) as caught:
        renderer.render(signed, GifSpec())
    assert "deadbeef" not in caught.value.message and "X-Goog" not in caught.value.message


def test_a_render_past_its_wall_time_is_503_without_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.adapters.ffmpeg_previews as previews

    monkeypatch.setattr(previews, "render_seconds", lambda *_: 0.3)
    renderer = stand_in(tmp_path, "exec sleep 5")
    signed = RenderSource("http://127.0.0.1:9/m.mp4?X-Goog-Signature=deadbeef", MediaType.VIDEO)
    with pytest.raises(ServiceUnavailable) as caught:
        renderer.render(signed, GifSpec())
    assert "0.3 s" in str(caught.value.__cause__) and "deadbeef" not in str(caught.value.__cause__)
