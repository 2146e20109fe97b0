"""The media bucket in Cloud Storage (or the GCS emulator)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from google.api_core import exceptions as gexc

from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.ports import MediaStore
from shared.domain.stored_objects import NO_HEADERS, ObjectAddress, ObjectHeaders, StoredObject
from shared.errors import NotFound

if TYPE_CHECKING:
    from google.cloud.storage import Blob
    from google.cloud.storage import Client as StorageClient

CHUNK_BYTES = 8 * 1024 * 1024  # resumable upload and download in chunks, never whole in memory
TIMEOUT_SECONDS = 120


def stored_object(blob: Blob) -> StoredObject:
    return StoredObject(
        address=ObjectAddress(blob.bucket.name, blob.name),
        generation=str(blob.generation),
        size_bytes=int(blob.size or 0),
        content_type=blob.content_type,
        metadata=dict(blob.metadata or {}),
        updated_at=blob.updated,
    )


class GcsMediaStore(MediaStore):
    def __init__(self, client: StorageClient, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def upload(
        self, source: Path, object_name: str, headers: ObjectHeaders = NO_HEADERS
    ) -> StoredObject:
        blob = self._client.bucket(self.bucket).blob(object_name, chunk_size=CHUNK_BYTES)
        blob.metadata = dict(headers.metadata)
        with translated_google_errors("The media bucket"):
            blob.upload_from_filename(
                str(source), content_type=headers.content_type, timeout=TIMEOUT_SECONDS
            )
            blob.reload()
        return stored_object(blob)

    def stat(self, uri: str) -> StoredObject | None:
        address = self.address_of(uri)
        with translated_google_errors("The media bucket"):
            blob = self._client.bucket(self.bucket).get_blob(address.name)
        return stored_object(blob) if blob is not None else None

    def download(self, uri: str, destination: Path, generation: str | None = None) -> StoredObject:
        address = self.address_of(uri)
        kwargs: dict[str, Any] = {"generation": int(generation)} if generation else {}
        bucket = self._client.bucket(self.bucket)
        try:
            with translated_google_errors("The media bucket"):
                blob = bucket.get_blob(address.name, **kwargs)
                if blob is None:
                    raise NotFound("No such media object.", details={"uri": uri})
                blob.chunk_size = CHUNK_BYTES
                blob.download_to_filename(str(destination), timeout=TIMEOUT_SECONDS)
        except gexc.NotFound as exc:
            raise NotFound("No such media object.", details={"uri": uri}) from exc
        return stored_object(blob)

    def delete(self, uri: str) -> bool:
        address = self.address_of(uri)
        try:
            with translated_google_errors("The media bucket"):
                self._client.bucket(self.bucket).blob(address.name).delete()
        except gexc.NotFound:
            return False
        return True
