"""In-memory media bucket for unit tests; held to the same contract tests as GCS's."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from shared.clock import utcnow
from shared.domain.ports import MediaStore
from shared.domain.stored_objects import NO_HEADERS, ObjectAddress, ObjectHeaders, StoredObject
from shared.errors import NotFound


class InMemoryMediaStore(MediaStore):
    def __init__(self, bucket: str = "media") -> None:
        self.bucket = bucket
        self._objects: dict[str, tuple[StoredObject, bytes]] = {}
        self._generation = 1_000_000
        self._lock = threading.Lock()

    def upload(
        self, source: Path, object_name: str, headers: ObjectHeaders = NO_HEADERS
    ) -> StoredObject:
        data = source.read_bytes()
        with self._lock:
            self._generation += 1
            stored = StoredObject(
                address=ObjectAddress(self.bucket, object_name),
                generation=str(self._generation),
                size_bytes=len(data),
                content_type=headers.content_type,
                metadata=dict(headers.metadata),
                updated_at=utcnow(),
            )
            self._objects[object_name] = (stored, data)
        return replace(stored, metadata=dict(stored.metadata))

    def stat(self, uri: str) -> StoredObject | None:
        found = self._objects.get(self.address_of(uri).name)
        return found[0] if found else None

    def download(self, uri: str, destination: Path, generation: str | None = None) -> StoredObject:
        found = self._objects.get(self.address_of(uri).name)
        if found is None or (generation is not None and found[0].generation != generation):
            raise NotFound("No such media object.", details={"uri": uri})
        stored, data = found
        destination.write_bytes(data)
        return stored

    def delete(self, uri: str) -> bool:
        with self._lock:
            return self._objects.pop(self.address_of(uri).name, None) is not None
