"""What a preview's name lets an instance skip: its bytes kept in memory (a name's content
never changes, so a copy is never stale) and its ETag (a digest of the name)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from shared.domain.storyboards import StoryboardLayout


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


class KnownLayouts:
    """Storyboard layouts this instance has seen, the most recent ``capacity`` (a few dozen
    bytes each): a name's layout never changes, so the VTT and JSON need no bucket read."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, StoryboardLayout] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str) -> StoryboardLayout | None:
        with self._lock:
            return self._items.get(name)

    def put(self, name: str, layout: StoryboardLayout) -> None:
        with self._lock:
            self._items[name] = layout
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


def etag_of(name: str) -> str:
    return '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags
