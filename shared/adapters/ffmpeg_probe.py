"""Container facts from ``ffmpeg -i`` (imageio-ffmpeg ships no ffprobe): its stderr, parsed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from shared.adapters.ffmpeg_inputs import NOT_A_MEDIA_FILE, probe_input, refused_format
from shared.domain.media_analysis import MediaProbe
from shared.domain.records import MediaType
from shared.errors import UnprocessableMedia

PROBE_TIMEOUT_SECONDS = 60
MAX_REASON_CHARS = 300
IMAGE_CONTAINERS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe")
IMAGE_CODECS = ("png", "mjpeg", "webp", "bmp", "tiff", "jpeg2000")

_LOG_PREFIX = re.compile(r"^\[[^\]]+\]\s*")
_INPUT = re.compile(r"^Input #0, (.+?), from ", re.M)
_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Video|Audio): (.+)$", re.M)
_SIZE = re.compile(r"(?:^|[ ,])(\d{1,5})x(\d{1,5})(?:[ ,]|$)")
_FPS = re.compile(r"([\d.]+)(k?) (?:fps|tbr)")
_RATE = re.compile(r"(\d+) Hz")
_BITRATE = re.compile(r"Duration: .*?, bitrate: (\d+) kb/s")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees", re.I)
_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


def readable_reason(stderr: str, source: Path) -> str:
    """ffmpeg's complaints in one line, without log prefixes or the temporary path."""
    reasons: list[str] = []
    for line in stderr.splitlines():
        text = _LOG_PREFIX.sub("", line.replace(str(source), source.name)).strip()
        text = re.sub(r"^Error opening input(?: files)?: ", "", text)
        skip = ("Error opening input file", "At least one output")
        if not text or line.startswith(" ") or text.startswith(skip):
            continue
        if text not in reasons:
            reasons.append(text)
    return "; ".join(reasons)[:MAX_REASON_CHARS] or "ffmpeg could not read the file"


def parse_probe(stderr: str) -> MediaProbe | None:
    """The probe described by ``ffmpeg -i`` output, or None when no input was recognised."""
    found = _INPUT.search(stderr)
    if not found:
        return None
    container = found.group(1)
    duration = None
    if m := _DURATION.search(stderr):
        duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    video = audio = None
    for kind, details in _STREAM.findall(stderr):
        if kind == "Video" and video is None and "(attached pic)" not in details:
            video = details
        elif kind == "Audio" and audio is None:
            audio = details
    fields: dict[str, object] = {"container": container, "duration_seconds": duration}
    if m := _BITRATE.search(stderr):
        fields["bitrate_kbps"] = int(m.group(1))
    if video is not None:
        fields["video_codec"] = video.split()[0].rstrip(",")
        if size := _SIZE.search(video):
            fields["width"], fields["height"] = int(size.group(1)), int(size.group(2))
        if fps := _FPS.search(video):
            fields["fps"] = float(fps.group(1)) * (1000 if fps.group(2) else 1)
        if rotation := _ROTATION.search(stderr):
            fields["rotation"] = float(rotation.group(1))
    if audio is not None:
        fields["audio_codec"] = audio.split()[0].rstrip(",")
        if rate := _RATE.search(audio):
            fields["audio_sample_rate"] = int(rate.group(1))
        layout = audio.split(", ")[2] if audio.count(", ") >= 2 else ""
        channels = re.match(r"(\d+) channels", layout)
        fields["audio_channels"] = int(channels.group(1)) if channels else _CHANNELS.get(layout)
    is_image = (
        video is not None
        and audio is None
        and (
            container in IMAGE_CONTAINERS
            or (fields["video_codec"] in IMAGE_CODECS and not duration)
        )
    )
    if is_image:
        fields.update(fps=None, duration_seconds=None)
        media_type = MediaType.IMAGE
    elif video is not None:
        media_type = MediaType.VIDEO
    elif audio is not None:
        media_type = MediaType.AUDIO
    else:
        return None
    return MediaProbe(media_type=media_type, **fields)  # type: ignore[arg-type]


def probe_command(ffmpeg: str, source: str) -> list[str]:
    """``ffmpeg -i`` restricted to plain media containers read by the source's own protocol:
    ffmpeg's probe opens a playlist's entries too, so it needs the same leash as a render."""
    return [ffmpeg, "-hide_banner", "-nostdin", *probe_input(source), "-i", source]


def probe_file(ffmpeg: str, source: Path) -> MediaProbe:
    try:
        done = subprocess.run(
            probe_command(ffmpeg, str(source)),
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise UnprocessableMedia("Reading the file's header took too long.") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    probe = parse_probe(stderr)
    if probe is None:
        if refused_format(stderr):
            raise UnprocessableMedia(f"Not a readable media file: {NOT_A_MEDIA_FILE}")
        if _INPUT.search(stderr):
            raise UnprocessableMedia("The file holds no video, audio or image stream.")
        raise UnprocessableMedia(
            f"Not a readable media file: {readable_reason(stderr, source)}",
            details={"reason": readable_reason(stderr, source)},
        )
    return probe
