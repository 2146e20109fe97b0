"""Parsing ``ffmpeg -i`` output (there is no ffprobe in imageio-ffmpeg)."""
# ruff: noqa: E501 - verbatim ffmpeg output

from __future__ import annotations

from pathlib import Path

from shared.adapters.ffmpeg_probe import parse_probe, readable_reason
from shared.domain.records import MediaType

CLIP = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/x/source.mp4':
  Metadata:
    major_brand     : isom
  Duration: 00:01:02.50, start: 0.000000, bitrate: 89 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 6 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 69 kb/s (default)
At least one output file must be specified
"""
SONG = """Input #0, mp3, from 'song.mp3':
  Duration: 00:00:06.03, start: 0.025057, bitrate: 64 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, mono, fltp, 64 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300, 90k tbr, 90k tbn (attached pic)
"""
IMAGE = """Input #0, png_pipe, from 'poster.png':
  Duration: N/A, bitrate: N/A
  Stream #0:0: Video: png, rgb24(pc, gbr/unknown/unknown), 640x360 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 25 tbn
"""
GARBAGE = """[in#0 @ 0x5603c0947080] moov atom not found
[in#0 @ 0x5603c0946d00] Error opening input: Invalid data found when processing input
Error opening input file /tmp/x/source.mp4.
Error opening input files: Invalid data found when processing input
"""


def test_a_clip() -> None:
    probe = parse_probe(CLIP)
    assert probe is not None and probe.media_type is MediaType.VIDEO
    assert probe.duration_seconds == 62.5 and (probe.width, probe.height) == (1280, 720)
    assert probe.fps == 29.97 and probe.video_codec == "h264" and probe.audio_codec == "aac"
    assert (probe.audio_sample_rate, probe.audio_channels) == (48000, 2)


def test_cover_art_does_not_make_a_song_a_video() -> None:
    probe = parse_probe(SONG)
    assert probe is not None and probe.media_type is MediaType.AUDIO and not probe.has_video
    assert probe.duration_seconds == 6.03 and probe.audio_channels == 1


def test_an_image_has_no_duration_or_frame_rate() -> None:
    probe = parse_probe(IMAGE)
    assert probe is not None and probe.media_type is MediaType.IMAGE
    assert probe.duration_seconds is None and probe.fps is None and probe.width == 640


def test_unreadable_input() -> None:
    assert parse_probe(GARBAGE) is None
    reason = readable_reason(GARBAGE, Path("/tmp/x/source.mp4"))
    assert reason == "moov atom not found; Invalid data found when processing input"
    assert "/tmp" not in reason
