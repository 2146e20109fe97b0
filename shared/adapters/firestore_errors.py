"""Translate Google API exceptions into the project's errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc

from shared.errors import ServiceUnavailable

_TRANSIENT: tuple[type[BaseException], ...] = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.TooManyRequests,
    gexc.Aborted,
    gexc.RetryError,
    gexc.Unknown,
    auth_exc.TransportError,
    ConnectionError,
)


@contextlib.contextmanager
def translated_google_errors(what: str) -> Iterator[None]:
    """A store that is down or overloaded becomes a retryable 503, never a 500."""
    try:
        yield
    except _TRANSIENT as exc:
        raise ServiceUnavailable(f"{what} is temporarily unavailable; retry shortly.") from exc
