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


def caused_by_transient_error(exc: BaseException) -> bool:
    """Whether ``exc`` or an error it was raised from or while handling is transient. The
    client sometimes wraps one: a transaction whose BeginTransaction timed out raises a
    ValueError from its rollback attempt ("no transaction ID"), with the timeout as context;
    contention past the retry limit is a ValueError from ``Aborted``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _TRANSIENT):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextlib.contextmanager
def translated_google_errors(what: str) -> Iterator[None]:
    """A store that is down or overloaded becomes a retryable 503, never a 500."""
    try:
        yield
    except Exception as exc:
        if not caused_by_transient_error(exc):
            raise
        raise ServiceUnavailable(f"{what} is temporarily unavailable; retry shortly.") from exc
