"""The MediaAnalyzer on the ffmpeg of imageio-ffmpeg (video and audio) and Pillow (images).

One ffmpeg run decodes everything: the picture resampled to a few frames per second and
shrunk to a thumbnail (piped as raw RGB), the sound downmixed to mono float samples (written
to a temporary file). Decoding is most of the cost; the analysis itself is numpy on tiny arrays.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from shared.adapters.ffmpeg_inputs import known_input
from shared.adapters.ffmpeg_probe import probe_file, readable_reason
from shared.domain.media_analysis import DecodedMedia, MediaProbe
from shared.domain.ports import MediaAnalyzer
from shared.domain.records import MediaType
from shared.errors import UnprocessableMedia

ANALYSIS_FPS = 10.0
ANALYSIS_WIDTH = 64
AUDIO_RATE = 16_000


def ffmpeg_executable() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def analysis_size(width: int | None, height: int | None, target: int) -> tuple[int, int]:
    if not width or not height:
        return target, max(2, target * 9 // 16)
    return target, max(2, round(target * height / width / 2) * 2)


class FfmpegMediaAnalyzer(MediaAnalyzer):
    def __init__(
        self,
        ffmpeg: str | None = None,
        fps: float = ANALYSIS_FPS,
        width: int = ANALYSIS_WIDTH,
        threads: int = 0,
    ) -> None:
        self._ffmpeg = ffmpeg
        self.fps = fps
        self.width = width
        self.threads = threads

    @property
    def ffmpeg(self) -> str:
        if self._ffmpeg is None:
            self._ffmpeg = ffmpeg_executable()
        return self._ffmpeg

    def probe(self, source: Path) -> MediaProbe:
        probe = probe_file(self.ffmpeg, source)
        if probe.media_type is MediaType.IMAGE:
            from shared.adapters.pillow_images import image_size

            width, height = image_size(source)
            probe = MediaProbe(**{**probe.__dict__, "width": width, "height": height})
        return probe

    def decode(self, source: Path, probe: MediaProbe) -> DecodedMedia:
        if probe.media_type is MediaType.IMAGE:
            from shared.adapters.pillow_images import image_frame

            frame = image_frame(source, self.width)
            return DecodedMedia(
                np.zeros(1), frame[None, ...], np.zeros(0, np.float32), AUDIO_RATE, 0.0
            )
        with tempfile.TemporaryDirectory(prefix="vv-decode-") as folder:
            audio_path = Path(folder) / "audio.f32"
            width, height = analysis_size(probe.width, probe.height, self.width)
            argv = [self.ffmpeg, "-hide_banner", "-nostdin", "-v", "error"]
            try:  # the demuxer the probe found, never one guessed from the file's name
                opened = known_input(str(source), probe.container)
            except ValueError as exc:
                raise UnprocessableMedia(f"Not a readable media file: {exc}") from exc
            argv += ["-threads", str(self.threads), *opened, "-i", str(source)]
            if probe.has_video:
                argv += ["-map", "0:v:0", "-vf", f"fps={self.fps},scale={width}:{height}"]
                argv += ["-sws_flags", "area", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]
            if probe.has_audio:
                argv += ["-map", "0:a:0", "-ac", "1", "-ar", str(AUDIO_RATE), "-f", "f32le"]
                argv += [str(audio_path)]
            timeout = 120 + 4 * (probe.duration_seconds or 600)
            try:
                done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise UnprocessableMedia("Decoding the file took too long.") from exc
            frame_bytes = width * height * 3
            count = len(done.stdout) // frame_bytes
            frames = np.frombuffer(done.stdout[: count * frame_bytes], np.uint8)
            frames = frames.reshape(count, height, width, 3)
            audio = (
                np.fromfile(audio_path, np.float32)
                if audio_path.exists()
                else np.zeros(0, np.float32)
            )
        if count == 0 and audio.size == 0:
            reason = readable_reason(done.stderr.decode("utf-8", "replace"), source)
            raise UnprocessableMedia(f"Nothing could be decoded: {reason}")
        decoded_seconds = max(count / self.fps, audio.size / AUDIO_RATE)
        return DecodedMedia(
            frame_times=np.arange(count, dtype=np.float64) / self.fps,
            frames=frames,
            audio=audio,
            audio_rate=AUDIO_RATE,
            duration_seconds=round(decoded_seconds, 3),
        )
