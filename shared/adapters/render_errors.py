"""How a failed render reads to the client: media we cannot decode is a 422, a render that
was interrupted or ran out of time is a 503 (safe to retry). Shared by the ffmpeg command
renders and the in-process (PyAV) ones; no text here ever carries the signed URL."""

from __future__ import annotations

import signal

from shared.adapters.ffmpeg_inputs import redact
from shared.errors import ServiceUnavailable, ValidationFailed


def interrupted(returncode: int) -> ServiceUnavailable:
    """ffmpeg ended by a signal (killed, out of memory, the instance shutting down) says
    nothing about the media: a transient failure, safe to retry, never a 422."""
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    error = ServiceUnavailable("Rendering the preview was interrupted; retry shortly.")
    error.__cause__ = RuntimeError(f"ffmpeg ended by {name}")  # logged, not shown
    return error


def unreadable(what: str) -> ValidationFailed:
    return ValidationFailed(
        f"The media could not be decoded ({redact(what)}).",
        code="media_not_decodable",
        details={},
    )


def too_slow(seconds: float, stopped: str = "ffmpeg killed") -> ServiceUnavailable:
    error = ServiceUnavailable(
        f"Rendering the preview took longer than its {seconds:.3g} s limit; retry shortly."
    )
    error.__cause__ = RuntimeError(f"{stopped} after {seconds:g} s")  # no argv, no URL
    return error
