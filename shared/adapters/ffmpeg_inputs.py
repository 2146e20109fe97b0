"""How every ffmpeg run of ours opens its input and is kept on a leash.

An input is a media file, never a pointer to others: ffmpeg would otherwise follow an HLS
playlist or a concat list to any host it names (server-side request forgery). So every run
allows only the protocols its input needs (``-protocol_whitelist``), the probe only the
demuxers of plain media containers (``-format_whitelist``; playlists, concat lists and the
like are refused as not decodable), and the runs after the probe name the demuxer the probe
found (``-f``), never one guessed from the object's name.

A run also gets an address-space ceiling and a wall-time limit, so a runaway is a clean
failure of one request, not an instance out of memory; and nothing that carries a signed
URL (argv, ffmpeg's messages) reaches a log or an error text unredacted.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess

# Demuxers of self-contained media (ffmpeg's names). Deliberately absent: hls, dash, concat,
# ffconcat, sdp, rtsp, tee, data, lavfi and any other format that refers to other inputs.
# mov's external data references stay off (its enable_drefs option defaults to 0).
MEDIA_DEMUXERS = (
    "mov", "matroska", "webm", "avi", "mpegts", "mpeg", "flv", "asf", "ogg", "mp3", "flac",
    "wav", "aac", "aiff", "w64", "gif", "image2", "png_pipe", "jpeg_pipe", "webp_pipe",
    "bmp_pipe", "tiff_pipe",
)  # fmt: skip
NOT_A_MEDIA_FILE = (
    "not a media container we decode; playlists and files that refer to other files are refused"
)
_FORMAT_REFUSED = "Format not on whitelist"
_SIGNED_QUERY = re.compile(r"(https?://[^\s'\"?]*)\?[^\s'\"]*")


def protocols_for(source: str) -> str:
    """Only what reading this one input needs: the signed URL's scheme, or a local file."""
    if source.startswith("https://"):
        return "https,tls,tcp"
    if source.startswith("http://"):
        return "http,tcp"
    return "file"


def probe_input(source: str) -> list[str]:
    """Options before ``-i`` for a probe: any plain media container, nothing that refers on."""
    return [
        "-protocol_whitelist", protocols_for(source),
        "-format_whitelist", ",".join(MEDIA_DEMUXERS),
    ]  # fmt: skip


def known_input(source: str, container: str) -> list[str]:
    """Options before ``-i`` once probed: the demuxer the probe found, and no other."""
    return ["-protocol_whitelist", protocols_for(source), "-f", demuxer_of(container)]


def demuxer_of(container: str) -> str:
    """ffmpeg reports a demuxer by all its names (``mov,mp4,m4a,3gp,3g2,mj2``); ``-f`` takes
    one. Anything not on the list is refused, whatever the probe said."""
    names = container.split(",")
    for name in names:
        if name in MEDIA_DEMUXERS:
            return name
    raise ValueError(f"demuxer {container!r} is not allowed")


def refused_format(stderr: str) -> bool:
    return _FORMAT_REFUSED in stderr


def redact(text: str) -> str:
    """A URL's query (a V4 signature, its credential and expiry) replaced, wherever it is."""
    return _SIGNED_QUERY.sub(r"\1?<redacted>", text)


def child_env() -> dict[str, str]:
    """glibc reserves 64 MB of address space per malloc arena (up to 8 per core): two arenas
    keep ffmpeg's threads well inside the ceiling at no measured cost in time."""
    return {**os.environ, "MALLOC_ARENA_MAX": "2"}


class RunTimedOut(Exception):
    """ffmpeg ran past its wall time (and was killed); the text carries no URL."""


def run_limited(
    argv: list[str], seconds: float, memory_bytes: int
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with an address-space ceiling (allocation beyond it fails inside ffmpeg:
    an error exit, not an instance out of memory) and a wall time. The ceiling is set on the
    started child with prlimit, not in a ``preexec_fn``, which is unsafe in a threaded
    server; lowering it below what a process already holds is allowed, and ffmpeg holds a
    few MB in its first milliseconds."""
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env()
    ) as child:
        with contextlib.suppress(ProcessLookupError):  # already ended: nothing to limit
            resource.prlimit(child.pid, resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        try:
            out, err = child.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            # TimeoutExpired's text is the whole argv, signed URL included: never chain it.
            raise RunTimedOut(f"ffmpeg ran past its {seconds:g} s limit") from None
        return subprocess.CompletedProcess(argv, child.returncode, out, err)
