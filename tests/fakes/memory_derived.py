"""In-memory derived-media store for unit tests; held to the same contract tests as GCS's."""

from __future__ import annotations

import itertools
import threading

from shared.domain.preview_ports import DerivedMediaStore, DerivedObject


class InMemoryDerivedMediaStore(DerivedMediaStore):
    def __init__(self, bucket: str = "derived") -> None:
        self.bucket = bucket
        self.objects: dict[str, tuple[DerivedObject, bytes]] = {}
        self._generations = itertools.count(1_700_000_000_000_000)
        self._lock = threading.Lock()

    def stat(self, name: str) -> DerivedObject | None:
        found = self.objects.get(name)
        return found[0] if found else None

    def read(self, name: str) -> tuple[DerivedObject, bytes] | None:
        return self.objects.get(name)

    def create(self, name: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        with self._lock:
            if name in self.objects:
                return False
            generation = str(next(self._generations))
            stored = DerivedObject(name, generation, len(data), content_type, dict(metadata))
            self.objects[name] = (stored, bytes(data))
            return True

    def delete(self, name: str) -> bool:
        with self._lock:
            return self.objects.pop(name, None) is not None
