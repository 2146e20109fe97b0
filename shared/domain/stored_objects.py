"""Objects in a bucket, as the domain sees them: an address (``gs://bucket/name``), a
generation (the version a derived file is keyed on), a size and the object's own metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

GS_SCHEME = "gs://"


@dataclass(frozen=True)
class ObjectAddress:
    bucket: str
    name: str

    @property
    def uri(self) -> str:
        return f"{GS_SCHEME}{self.bucket}/{self.name}"

    @classmethod
    def parse(cls, uri: str) -> ObjectAddress:
        """``gs://bucket/name`` → address; anything else is a ``ValueError``."""
        if not uri.startswith(GS_SCHEME):
            raise ValueError(f"not a gs:// uri: {uri!r}")
        bucket, _, name = uri[len(GS_SCHEME) :].partition("/")
        if not bucket or not name:
            raise ValueError(f"a gs:// uri needs a bucket and an object name: {uri!r}")
        return cls(bucket, name)


@dataclass(frozen=True)
class ObjectHeaders:
    """What an upload declares beside the bytes: the content type and the custom metadata
    (in Cloud Storage both travel as headers of the upload and come back on every read)."""

    content_type: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


NO_HEADERS = ObjectHeaders()


@dataclass(frozen=True)
class StoredObject:
    address: ObjectAddress
    generation: str
    size_bytes: int
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None

    @property
    def uri(self) -> str:
        return self.address.uri
