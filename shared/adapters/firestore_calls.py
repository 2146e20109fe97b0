"""Deadlines for every Firestore call.

Without them the client keeps retrying an unreachable store for minutes and the request hangs;
with them a store outage becomes a prompt 503 (see firestore_errors.py).
"""

from __future__ import annotations

from typing import Any

from google.api_core.retry import Retry, if_transient_error

DEFAULT_TIMEOUT_SECONDS = 10.0


def call_options(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> dict[str, Any]:
    """``retry`` and ``timeout`` keyword arguments for reads, queries and commits."""
    retry = Retry(
        predicate=if_transient_error, initial=0.1, maximum=1.0, multiplier=2.0, timeout=timeout
    )
    return {"retry": retry, "timeout": timeout}
