"""Frames decoded in-process with PyAV (the same libavformat/libavcodec as the ffmpeg command,
linked into the worker): no process start, no second open of the source (decision 036).

The input keeps the command's leash (shared/adapters/ffmpeg_inputs.py): the demuxer the probe
found, named, never guessed; only the protocols the signed URL needs; bounded Range requests.
What the command's address-space ceiling did is done here by bounds: the decoded stream's
frame size checked before decoding (the probe's, and the stream's own), libavcodec's
``max_pixels`` on every frame decoded (a stream that grows mid-file fails, 422, instead of
allocating), one frame out, a fixed decoder thread count, and a deadline checked between
packets, with a read timeout on the source.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import av
from av import VideoFrame
from av.container import InputContainer
from av.stream import Disposition
from av.video.stream import VideoStream

from shared.adapters.ffmpeg_inputs import demuxer_of, protocols_for, redact
from shared.domain.render_limits import MAX_SOURCE_PIXELS

# ffmpeg's -rw_timeout of the command: a source that sends nothing for this long is given up.
READ_TIMEOUT_SECONDS = 30.0
# Two renders share a 2-core instance (notes/media.md): each decoder gets two threads.
DECODER_THREADS = 2
# A frame's time at or after the wanted one: float times of frames 1/fps apart, compared
# with far less than a frame's slack.
EPSILON = 1e-4
# Where a seek landed after the wanted time (demuxers that seek by decode time), the seek is
# retried this much earlier, then twice as much.
SEEK_BACK_SECONDS = 2.0


class DecodeFailed(Exception):
    """The source could not be opened or decoded; the text carries no signed URL."""


class DecodeTimedOut(Exception):
    """The render ran past its wall time; the text carries no URL."""


@contextlib.contextmanager
def opened(
    url: str, container: str, request_bytes: int, seconds: float
) -> Iterator[tuple[InputContainer, VideoStream, float]]:
    """The source's first video stream and the render's deadline (monotonic)."""
    options = {"protocol_whitelist": protocols_for(url)}
    if url.startswith("http"):
        options["request_size"] = str(request_bytes)
    deadline = time.monotonic() + seconds
    read = min(READ_TIMEOUT_SECONDS, seconds)
    try:
        box = av.open(
            url, format=demuxer_of(container), container_options=options, timeout=(read, read)
        )
    except av.ExitError:  # the source sent nothing within the read timeout
        raise DecodeTimedOut(f"the source was silent for {read:g} s") from None
    except av.FFmpegError as exc:
        raise DecodeFailed(redact(str(exc))) from None  # its args hold the signed URL
    try:
        yield box, _picture_stream(box), deadline
    except av.FFmpegError as exc:
        if isinstance(exc, av.ExitError) or time.monotonic() > deadline:
            raise DecodeTimedOut(f"decoding ran past its {seconds:g} s limit") from None
        raise DecodeFailed(redact(str(exc))) from None
    finally:
        box.close()


def _picture_stream(box: InputContainer) -> VideoStream:
    """The first video stream that is not cover art (the probe's choice too), bounded: its
    declared size checked, and ``max_pixels`` on its decoder so no frame of it may be larger,
    whatever the stream declares later (a transport stream can change size mid-file)."""
    for stream in box.streams.video:
        if stream.disposition & Disposition.attached_pic:
            continue
        context = stream.codec_context
        if context.width * context.height > MAX_SOURCE_PIXELS:
            raise DecodeFailed(f"the video stream is larger than {MAX_SOURCE_PIXELS:,} pixels")
        context.options = {**context.options, "max_pixels": str(MAX_SOURCE_PIXELS)}
        return stream
    raise DecodeFailed("no video stream")


def _in_time(deadline: float, seconds: float) -> None:
    if time.monotonic() > deadline:
        raise DecodeTimedOut(f"decoding ran past its {seconds:g} s limit")


def frame_at(
    box: InputContainer, stream: VideoStream, at: float, deadline: float, seconds: float
) -> VideoFrame:
    """The frame shown at ``at`` seconds (ffmpeg's ``-ss T -i``: the first frame at or after
    T, decoded from the keyframe before it), or the last frame when T is in the last frame's
    interval or past the end."""
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = DECODER_THREADS
    target = (box.start_time or 0) / av.time_base + at
    back = 0.0
    for _ in range(3):
        seek_to = max(target - back, 0.0)
        box.seek(int(seek_to * av.time_base), backward=True)
        last: VideoFrame | None = None
        landed_late = False
        # Packet by packet, so the deadline holds even while packets decode to no frame.
        for packet in box.demux(stream):
            _in_time(deadline, seconds)
            for frame in packet.decode():
                if frame.time is None:
                    continue
                if frame.time >= target - EPSILON:
                    if last is None and frame.time > target + EPSILON and seek_to > 0:
                        landed_late = True  # the seek landed after the time: go back further
                        break
                    return frame
                last = frame
            if landed_late:
                break
        else:
            if last is not None:
                return last
        back = back * 2 or SEEK_BACK_SECONDS
    raise DecodeFailed("no frame at that time")


def keyframes_at(
    box: InputContainer,
    stream: VideoStream,
    times: list[float],
    deadline: float,
    seconds: float,
) -> Iterator[VideoFrame]:
    """For each time, the keyframe at or before it: one seek and one packet decoded per time,
    nothing else read but the index (once) and that packet's bytes. The loop filter is
    skipped: invisible at a tile's size, a fifth of a keyframe's decoding."""
    context = stream.codec_context
    context.thread_count = 1  # one packet at a time: frame threads would only add latency
    context.options = {**context.options, "skip_loop_filter": "all"}
    offset = (box.start_time or 0) / av.time_base
    for at in times:
        _in_time(deadline, seconds)
        box.seek(int((offset + at) * av.time_base), backward=True)
        frame = None
        for packet in box.demux(stream):
            _in_time(deadline, seconds)
            if packet.is_keyframe and packet.size:
                frames = [*context.decode(packet), *context.decode(None)]
                frame = frames[0] if frames else None
                break
        if frame is None:
            raise DecodeFailed("no keyframe at that time")
        yield frame
