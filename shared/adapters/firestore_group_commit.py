"""Creates from concurrent requests of one instance committed together (group commit).

One commit is in flight at a time; creates that arrive meanwhile wait and go out together in
the next one, so under load an instance pays one round trip per batch instead of one per
event, and at low load nothing waits (a lone create commits at once). A batched write is
atomic: if any of its creates finds its document already there (a redelivery), the whole
commit fails; one read of the batch's documents then finds which were stored, those read
"already exists", and the rest are committed together again (docs/decisions/022).

Each create's ``Write`` is encoded by its own request thread before it queues
(``firestore_writes``), so the leader only sends: encoding every event of a batch in the
leader's thread had kept the next commit waiting for it.
"""

from __future__ import annotations

import threading
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from shared.adapters.firestore_writes import create_write

# A commit holds at most 500 writes and 10 MiB; an event document is at most ~70 KB (its
# payload is limited to 64 KiB), so 100 of them stay well under both.
MAX_BATCH = 100
# A failed batch is sifted (one read finds the creates already stored) and committed again at
# most this many times; one by one after that.
SIFT_ROUNDS = 3


class SharedCommitFailed(Exception):
    """The commit a create was part of failed; the cause is the store's error."""


class _Pending:
    __slots__ = ("data", "error", "finished", "ref", "result", "wake", "write")

    def __init__(self, ref: Any, data: dict[str, Any]) -> None:
        self.ref = ref
        self.data = data
        # Encoded here, in the request's thread: a value the store cannot hold fails this
        # create alone, before it joins a batch.
        self.write = create_write(ref._document_path, data)
        self.wake = threading.Event()
        self.finished = False
        self.result: Any = None  # the WriteResult; None when the document already existed
        self.error: BaseException | None = None

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.finished = result, error, True
        self.wake.set()


class GroupCommit:
    def __init__(self, client: firestore.Client, call: dict[str, Any]) -> None:
        self._client = client
        self._call = call
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._committing = False
        self.commits = 0
        self.lone_creates = 0  # creates committed one by one (what sifting keeps rare)

    def create(self, ref: Any, data: dict[str, Any]) -> Any:
        """The create's WriteResult, or None if the document already existed; raises what
        the commit raised."""
        pending = _Pending(ref, data)
        with self._lock:
            self._queue.append(pending)
            lead = not self._committing
            self._committing = True
        if not lead:
            pending.wake.wait()  # finished by a leader's commit, or woken to lead the next
        if not pending.finished:
            self._commit_next()
        if pending.error is not None:
            # Each waiter raises its own exception (one shared instance raised on many
            # threads would tangle its traceback), caused by the commit's.
            raise SharedCommitFailed("the commit this create was part of failed") from (
                pending.error
            )
        return pending.result

    def _commit_next(self) -> None:
        # The leader is first in the queue, so its own create is in this batch.
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            self._commit(batch)
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                self._committing = following is not None
            if following is not None:
                following.wake.set()  # it leads the next commit

    def _commit(self, batch: list[_Pending]) -> None:
        self.commits += 1
        # A commit cannot create one document twice: a redelivery that arrives while its first
        # delivery waits goes alone, after the batch (and reads "already exists").
        together: dict[str, _Pending] = {}
        again: list[_Pending] = []
        for pending in batch:
            if pending.ref.path in together:
                again.append(pending)
            else:
                together[pending.ref.path] = pending
        self._commit_together(list(together.values()))
        for pending in again:
            self._create_alone(pending)

    def _commit_together(self, batch: list[_Pending]) -> None:
        for _ in range(SIFT_ROUNDS):
            if len(batch) <= 1:
                break
            writes = self._client.batch()
            # What ``writes.create`` would add for each, already encoded (firestore_writes).
            writes._add_write_pbs([pending.write for pending in batch])
            try:
                results = writes.commit(**self._call)
            except gexc.Conflict:  # one of them was stored before: find which, in one read
                batch = self._without_stored(batch)
                continue
            except gexc.InvalidArgument:
                # One document the store refuses (a limit the edge did not know) must not fail
                # the others with it, delivery after delivery: each goes alone.
                break
            except Exception as exc:
                for pending in batch:
                    pending.finish(error=exc)
                return
            for pending, result in zip(batch, results, strict=True):
                pending.finish(result)
            return
        # A lone create, or redeliveries that kept landing between sift and commit.
        for pending in batch:
            self._create_alone(pending)

    def _without_stored(self, batch: list[_Pending]) -> list[_Pending]:
        """Finish the creates whose documents exist (each an earlier delivery's: "already
        exists", as it would read alone) and answer the rest, to be committed together again.
        A document stored between this read and that commit fails it once more."""
        try:
            stored = {
                snapshot.reference.path
                for snapshot in self._client.get_all(
                    [p.ref for p in batch], field_paths=[], **self._call
                )
                if snapshot.exists
            }
        except Exception:  # the read failed: each create finds out alone
            for pending in batch:
                self._create_alone(pending)
            return []
        for pending in batch:
            if pending.ref.path in stored:
                pending.finish(None)
        return [p for p in batch if p.ref.path not in stored]

    def _create_alone(self, pending: _Pending) -> None:
        self.lone_creates += 1
        try:
            pending.finish(pending.ref.create(pending.data, **self._call))
        except gexc.Conflict:
            pending.finish(None)
        except Exception as exc:
            pending.finish(error=exc)
