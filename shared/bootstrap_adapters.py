"""The composition root's clients and the adapters built on them, one per port (``Container``'s
base: ``shared/bootstrap.py`` adds the services and the recipes that choose between adapters).
Each member is built lazily, on first use, from the settings."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from shared.config import Settings

if TYPE_CHECKING:
    from google.cloud.firestore import AsyncClient as AsyncFirestoreClient
    from google.cloud.firestore import Client as FirestoreClient
    from google.cloud.pubsub_v1 import PublisherClient
    from google.cloud.storage import Client as StorageClient

    from shared.domain.budget_ports import SlotLeases
    from shared.domain.ports import (
        DeadLetters,
        Doorbell,
        EventLog,
        EventPublisher,
        EventReader,
        MarkerRepository,
        MediaAnalyzer,
        MediaCatalog,
        MediaStore,
        SegmentSearchIndex,
    )
    from shared.domain.preview_ports import DerivedMediaStore, PreviewRenderer, RenderLeases


class Adapters:
    """Clients (Firestore, GCS, Pub/Sub) and one adapter per port on them. ``buildable`` sees
    the members of ``Container`` too."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        # A misspelt override would silently leave the real client in place (a unit test
        # talking to Firestore): only the names this class builds can be replaced.
        unknown = sorted(set(overrides) - self.buildable())
        if unknown:
            raise TypeError(f"Container has nothing named {', '.join(map(repr, unknown))}")
        self.settings = settings
        # cached_property stores in __dict__, so an override is simply a pre-filled entry.
        self.__dict__.update(overrides)

    @classmethod
    def buildable(cls) -> set[str]:
        """The names a test may override: everything the container builds."""
        return {
            name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if isinstance(value, cached_property)
        }

    @cached_property
    def firestore(self) -> FirestoreClient:
        from shared.adapters.firestore_calls import client_with_deadlines

        client: FirestoreClient = client_with_deadlines(
            self.settings.project_id, self.settings.store_timeout_seconds
        )
        return client

    @cached_property
    def firestore_async(self) -> AsyncFirestoreClient:
        """For asynchronous services (the relay); bound to the event loop that first uses it."""
        from google.cloud import firestore

        return firestore.AsyncClient(project=self.settings.project_id)

    @cached_property
    def storage(self) -> StorageClient:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        if "STORAGE_EMULATOR_HOST" in self.settings.emulator_hosts:
            return storage.Client(
                project=self.settings.project_id, credentials=AnonymousCredentials()
            )
        return storage.Client(project=self.settings.project_id)

    @cached_property
    def publisher(self) -> PublisherClient:
        from shared.adapters.pubsub_client import publisher_client

        return publisher_client()

    @cached_property
    def catalog(self) -> MediaCatalog:
        from shared.adapters.firestore_catalog import FirestoreMediaCatalog

        return FirestoreMediaCatalog(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def markers(self) -> MarkerRepository:
        from shared.adapters.firestore_markers import FirestoreMarkerRepository

        return FirestoreMarkerRepository(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def search_index(self) -> SegmentSearchIndex:
        from shared.adapters.firestore_search import FirestoreSegmentSearchIndex

        return FirestoreSegmentSearchIndex(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def budget_slots(self) -> SlotLeases:
        from shared.adapters.firestore_slot_leases import FirestoreSlotLeases

        return FirestoreSlotLeases(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def render_leases(self) -> RenderLeases:
        from shared.adapters.firestore_render_leases import FirestoreRenderLeases

        return FirestoreRenderLeases(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def event_log(self) -> EventLog:
        from shared.adapters.firestore_event_log import FirestoreEventLog

        return FirestoreEventLog(self.firestore, self.settings.store_timeout_seconds)

    @cached_property
    def event_reader(self) -> EventReader:
        from shared.adapters.firestore_event_log import FirestoreEventReader

        return FirestoreEventReader(self.firestore_async, self.settings.store_timeout_seconds)

    @cached_property
    def events(self) -> EventPublisher:
        from shared.adapters.pubsub_events import PubSubEventPublisher

        return PubSubEventPublisher(
            self.publisher, self.settings.project_id, self.settings.events_topic
        )

    @cached_property
    def doorbell(self) -> Doorbell:
        from shared.adapters.pubsub_doorbell import PubSubDoorbell

        return PubSubDoorbell(
            self.publisher, self.settings.project_id, self.settings.events_doorbell_topic
        )

    @cached_property
    def dead_letters(self) -> DeadLetters:
        from shared.adapters.pubsub_dead_letters import PubSubDeadLetters

        return PubSubDeadLetters(
            self.publisher, self.settings.project_id, self.settings.dead_letter_topic
        )

    @cached_property
    def media(self) -> MediaStore:
        from shared.adapters.gcs_media import GcsMediaStore

        return GcsMediaStore(self.storage, self.settings.media_bucket)

    @cached_property
    def derived_media(self) -> DerivedMediaStore:
        from shared.adapters.gcs_derived import GcsDerivedMediaStore

        emulated = "STORAGE_EMULATOR_HOST" in self.settings.emulator_hosts
        return GcsDerivedMediaStore(self.storage, self.settings.derived_bucket, emulated)

    @cached_property
    def preview_renderer(self) -> PreviewRenderer:
        from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer

        return FfmpegPreviewRenderer()

    @cached_property
    def analyzer(self) -> MediaAnalyzer:
        from shared.adapters.ffmpeg_analyzer import FfmpegMediaAnalyzer

        return FfmpegMediaAnalyzer()
