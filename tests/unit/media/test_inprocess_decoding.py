"""The in-process (PyAV) renders keep the command's failure semantics: a source that stalls
is a 503 within the render's limit, one that cannot be read is a 422, and neither text
carries the signed URL."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from shared.adapters import pyav_previews
from shared.domain.previews import ThumbnailSpec
from shared.errors import ServiceUnavailable, ValidationFailed

SIGNED = "?X-Goog-Credential=svc&X-Goog-Signature=deadbeef"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    yield server.getsockname()[1]
    server.close()


def thumbnail(url: str, seconds: float) -> bytes:
    spec = ThumbnailSpec(time_ms=0, width=64)
    return pyav_previews.thumbnail(url, "mov,mp4", spec, 30.0, (64, 36), 0.0, seconds)


def test_a_silent_source_is_503_within_the_limit_without_the_url(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        thumbnail(f"http://127.0.0.1:{silent_port}/m.mp4{SIGNED}", 0.5)
    assert time.monotonic() - started < 3
    assert not isinstance(caught.value, ValidationFailed)
    assert "deadbeef" not in str(caught.value) + str(caught.value.__cause__)


def test_an_unreachable_source_is_422_without_the_url() -> None:
    with pytest.raises(ValidationFailed) as caught:
        thumbnail(f"http://127.0.0.1:9/m.mp4{SIGNED}", 5)
    assert caught.value.code == "media_not_decodable"
    assert "deadbeef" not in caught.value.message and "X-Goog" not in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
