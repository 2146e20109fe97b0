"""Ports of the media helpers: URL signing, the derived-media bucket, render leases and the
preview renderer. Adapters implement them; services depend only on these."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from shared.domain.previews import PreviewSpec
from shared.domain.records import MediaType
from shared.domain.storyboards import StoryboardLayout, StoryboardSpec


class UrlSigner(ABC):
    """Signs GCS V4 URLs for GET. Production signs through IAM signBlob; locally a
    development key does."""

    @abstractmethod
    def sign_get(
        self, bucket: str, object_name: str, expires_in: int, generation: str | None = None
    ) -> str:
        """A V4 signed URL that allows exactly one GET of that object for ``expires_in`` s."""


@dataclass(frozen=True)
class DerivedObject:
    name: str
    generation: str
    size_bytes: int
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


class DerivedMediaStore(ABC):
    """The derived-media bucket. Objects are created once and never replaced: a name is made
    from the media's version and the parameters, so its content never changes."""

    bucket: str

    @abstractmethod
    def stat(self, name: str) -> DerivedObject | None: ...

    @abstractmethod
    def read(self, name: str) -> tuple[DerivedObject, bytes] | None: ...

    @abstractmethod
    def create(self, name: str, data: bytes, content_type: str, metadata: dict[str, str]) -> bool:
        """Store ``data`` in one request (all or nothing). False, and nothing changed, when an
        object of that name already exists."""

    @abstractmethod
    def delete(self, name: str) -> bool: ...


class RenderLeases(ABC):
    """Who is rendering what: identical concurrent requests, on any instance, render once."""

    @abstractmethod
    def acquire(self, key: str, holder: str, ttl_seconds: float) -> bool:
        """Take the lease on ``key`` if it is free or its holder's time ran out."""

    @abstractmethod
    def release(self, key: str, holder: str) -> None:
        """Give the lease back (only if ``holder`` still holds it)."""


@dataclass(frozen=True)
class RenderSource:
    """Where the renderer reads the media: an HTTP(S) URL that answers Range requests."""

    url: str
    media_type: MediaType
    fps: float | None = None  # lets a time pick the frame shown at that time
    key: str | None = None  # names the media's version: what a renderer may cache facts on


@dataclass(frozen=True)
class MediaFacts:
    duration_seconds: float | None
    fps: float | None


class PreviewRenderer(ABC):
    @abstractmethod
    def render(self, source: RenderSource, spec: PreviewSpec) -> bytes:
        """The preview's bytes. Raises ``ValidationFailed`` for media it cannot decode."""

    @abstractmethod
    def render_storyboard(
        self, source: RenderSource, spec: StoryboardSpec
    ) -> tuple[bytes, StoryboardLayout]:
        """The sprite and where its tiles are. Raises ``ValidationFailed`` for audio."""

    @abstractmethod
    def probe(self, source: RenderSource) -> MediaFacts:
        """Duration and frame rate, when the catalog does not know them yet."""
