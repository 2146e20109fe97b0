"""Deadlines for every Firestore call.

Without them the client keeps retrying an unreachable store for minutes and the request hangs;
with them a store outage becomes a prompt 503 (see firestore_errors.py).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from google.api_core import gapic_v1
from google.api_core.retry import Retry, if_transient_error

DEFAULT_TIMEOUT_SECONDS = 10.0
ROLLBACK_SECONDS = 60.0  # as long as an idle transaction keeps its locks in production
logger = logging.getLogger("videovector.firestore")


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
        if name == "rollback":
            return self._rollback_in_background(attr)
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

    @staticmethod
    def _rollback_in_background(rollback: Any) -> Any:
        """A transaction is rolled back only after something failed, often the store itself.
        Until its rollback arrives, the store keeps the transaction's locks, and every later
        write to those documents waits on them. So the rollback does not hold up the failing
        request; it goes on in the background until the store answers (``ROLLBACK_SECONDS``)."""

        def start(*args: Any, **kwargs: Any) -> None:
            options = call_options(ROLLBACK_SECONDS)

            def run() -> None:
                try:
                    rollback(*args, **{**kwargs, **options})
                except Exception as exc:  # committed or expired meanwhile: nothing to release
                    logger.info("transaction rollback not delivered", extra={"error": repr(exc)})

            threading.Thread(target=run, name="firestore-rollback", daemon=True).start()

        return start


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
