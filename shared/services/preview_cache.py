"""What a preview's name lets an instance skip: its bytes kept in memory (a name's content
never changes, so a copy is never stale) and its ETag (a digest of the name)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict


class RecentPreviews:
    """The instance's most recently served previews. A name's content never changes, so a
    copy in memory is never stale; it only saves the bucket read of a hot preview."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity = capacity_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, name: str) -> bytes | None:
        with self._lock:
            data = self._items.get(name)
            if data is not None:
                self._items.move_to_end(name)
            return data

    def put(self, name: str, data: bytes) -> None:
        if len(data) > self.capacity // 8:
            return
        with self._lock:
            if name in self._items:
                return
            self._items[name] = data
            self._size += len(data)
            while self._size > self.capacity:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


def etag_of(name: str) -> str:
    return '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags
