"""Deadlines for every Firestore call.

Without them the client keeps retrying an unreachable store for minutes and the request hangs;
with them a store outage becomes a prompt 503 (see firestore_errors.py).
"""

from __future__ import annotations

from typing import Any

from google.api_core import gapic_v1
from google.api_core.retry import Retry, if_transient_error

DEFAULT_TIMEOUT_SECONDS = 10.0


def call_options(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> dict[str, Any]:
    """``retry`` and ``timeout`` keyword arguments for reads, queries and commits."""
    retry = Retry(
        predicate=if_transient_error, initial=0.1, maximum=1.0, multiplier=2.0, timeout=timeout
    )
    return {"retry": retry, "timeout": timeout}


class _DeadlineStub:
    """The client's RPC stub, giving our deadline and retry to every call made without them."""

    def __init__(self, stub: Any, timeout: float) -> None:
        self._stub = stub
        self._options = call_options(timeout)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._stub, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            # The stub's default retry runs for 60 s whatever the timeout: replace both.
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self._options["timeout"]
            if kwargs.get("retry", gapic_v1.method.DEFAULT) is gapic_v1.method.DEFAULT:
                kwargs["retry"] = self._options["retry"]
            return attr(*args, **kwargs)

        return call


def client_with_deadlines(project: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Any:
    """A Firestore client whose every RPC has a deadline, including the ones our adapters cannot
    pass options to: a transaction's BeginTransaction, Commit and Rollback go out without one
    (client 2.34; the stub's default is 60 s or more), so a store that stopped answering held
    a marker upsert through the whole outage instead of failing with a 503."""
    from google.cloud import firestore

    class DeadlineClient(firestore.Client):  # type: ignore[misc]
        @property
        def _firestore_api(self) -> Any:
            return _DeadlineStub(super()._firestore_api, timeout)

    return DeadlineClient(project=project)
