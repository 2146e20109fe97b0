"""The derived-media bucket in Cloud Storage (or the GCS emulator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from google.api_core import exceptions as gexc

from shared.adapters.firestore_errors import translated_google_errors
from shared.domain.preview_ports import DerivedMediaStore, DerivedObject

if TYPE_CHECKING:
    from google.cloud.storage import Blob
    from google.cloud.storage import Client as StorageClient

TIMEOUT_SECONDS = 30


def derived_object(blob: Blob) -> DerivedObject:
    return DerivedObject(
        name=blob.name,
        generation=str(blob.generation),
        size_bytes=int(blob.size or 0),
        content_type=blob.content_type or "application/octet-stream",
        metadata=dict(blob.metadata or {}),
    )


class GcsDerivedMediaStore(DerivedMediaStore):
    """``look_first``: read the object's metadata before creating it. Cloud Storage refuses a
    second create by itself (``ifGenerationMatch=0``); the GCS emulator ignores that
    precondition (decision 031), so against it the adapter looks first, and in production it
    does not (one round trip fewer on every cold render; decision 037)."""

    def __init__(self, client: StorageClient, bucket: str, look_first: bool = True) -> None:
        self._bucket = client.bucket(bucket)
        self.bucket = bucket
        self._look_first = look_first

    def stat(self, name: str) -> DerivedObject | None:
        with translated_google_errors("The derived-media bucket"):
            blob = self._bucket.get_blob(name, timeout=TIMEOUT_SECONDS)
        return derived_object(blob) if blob is not None else None

    def read(self, name: str) -> tuple[DerivedObject, bytes] | None:
        blob = self._bucket.blob(name)
        try:
            with translated_google_errors("The derived-media bucket"):
                # One request: the media comes with the object's generation and content type.
                data = blob.download_as_bytes(timeout=TIMEOUT_SECONDS)
        except gexc.NotFound:
            return None
        found = derived_object(blob)
        if found.size_bytes == 0:
            found = DerivedObject(
                found.name, found.generation, len(data), found.content_type, found.metadata
            )
        return found, data

    def create(self, name: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        if self._look_first and self.stat(name) is not None:
            return False
        blob = self._bucket.blob(name)
        blob.metadata = metadata
        try:
            with translated_google_errors("The derived-media bucket"):
                # A single-request upload is all or nothing; ifGenerationMatch=0 makes the
                # create lose, not overwrite, a race (the emulator ignores it: see decision 031).
                blob.upload_from_string(
                    data, content_type=content_type, if_generation_match=0, timeout=TIMEOUT_SECONDS
                )
        except gexc.PreconditionFailed:
            return False
        return True

    def delete(self, name: str) -> bool:
        try:
            with translated_google_errors("The derived-media bucket"):
                self._bucket.blob(name).delete(timeout=TIMEOUT_SECONDS)
        except gexc.NotFound:
            return False
        return True
