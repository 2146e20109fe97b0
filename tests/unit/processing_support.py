"""Helpers for the processing tests on fakes: recipes uploaded as "media", ports wired."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.adapters.e5_embedder import E5SmallEmbedder
from shared.adapters.scripted_analyzer import ScriptedMediaAnalyzer
from shared.domain.media_layout import MediaObjectName
from shared.domain.media_recipes import MediaRecipe
from shared.domain.ports import MediaAnalyzer, TextEmbedder
from shared.domain.stored_objects import ObjectHeaders
from shared.services.processing import ProcessingPorts
from shared.services.processing_records import MediaUpload
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_events import InMemoryEventPublisher
from tests.fakes.memory_media import InMemoryMediaStore

_EMBEDDER = E5SmallEmbedder()  # loads once per test process


class TickingClock:
    def __init__(self) -> None:
        self._ticks = itertools.count()

    def __call__(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(milliseconds=next(self._ticks))


@dataclass
class Fakes:
    tmp_path: Path
    media: InMemoryMediaStore = field(default_factory=InMemoryMediaStore)
    catalog: InMemoryMediaCatalog = field(default_factory=InMemoryMediaCatalog)
    events: InMemoryEventPublisher = field(default_factory=InMemoryEventPublisher)
    analyzer: MediaAnalyzer = field(default_factory=ScriptedMediaAnalyzer)
    embedder: TextEmbedder = _EMBEDDER

    @property
    def ports(self) -> ProcessingPorts:
        return ProcessingPorts(
            self.media, self.analyzer, self.catalog, self.events, self.embedder, TickingClock()
        )

    def upload_bytes(
        self, data: bytes, file_name: str, user: str = "alice", video: str = "vid-1", **meta: str
    ) -> MediaUpload:
        source = self.tmp_path / file_name
        source.write_bytes(data)
        name = MediaObjectName.build(user, video, file_name)
        stored = self.media.upload(source, str(name), ObjectHeaders(metadata=meta))
        return MediaUpload(
            uri=stored.uri,
            generation=stored.generation,
            user_id=user,
            video_id=video,
            file_name=name.file_name,
            size_bytes=stored.size_bytes,
            title=meta.get("title"),
            index_id=meta.get("index_id"),
        )

    def upload(self, recipe: MediaRecipe, **kw: str) -> MediaUpload:
        return self.upload_bytes(recipe.to_json().encode(), recipe.name, **kw)

    def event_types(self) -> list[str]:
        return [e.event_type.value for e in self.events.published]
