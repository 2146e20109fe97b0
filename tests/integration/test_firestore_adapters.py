"""The Firestore adapters, against the real emulator, pass the same contracts as the fakes."""

from __future__ import annotations

import pytest

from shared.adapters.firestore_event_log import FirestoreEventLog, FirestoreEventReader
from shared.adapters.firestore_rate_limits import FirestoreRateLimitStore
from shared.adapters.firestore_slot_leases import FirestoreSlotLeases
from shared.bootstrap import Container
from shared.domain.ports import ApiKeyStore, MarkerRepository, MediaCatalog
from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.contracts.event_log import EventLogContract, ReaderFactory
from tests.contracts.marker_repository import MarkerRepositoryContract
from tests.contracts.media_catalog import MediaCatalogContract
from tests.contracts.rate_limit_store import RateLimitStoreContract
from tests.contracts.slot_leases import SlotLeasesContract

pytestmark = pytest.mark.emulator


class TestFirestoreMarkerRepository(MarkerRepositoryContract):
    @pytest.fixture
    def repo(self, cloud: Container) -> MarkerRepository:
        return cloud.markers


class TestFirestoreApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> ApiKeyStore:
        return cloud.api_keys


class TestFirestoreMediaCatalog(MediaCatalogContract):
    @pytest.fixture
    def catalog(self, cloud: Container) -> MediaCatalog:
        return cloud.catalog


class TestFirestoreRateLimitStore(RateLimitStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> FirestoreRateLimitStore:
        return FirestoreRateLimitStore(cloud.firestore)


class TestFirestoreSlotLeases(SlotLeasesContract):
    @pytest.fixture
    def leases(self, cloud: Container) -> FirestoreSlotLeases:
        return FirestoreSlotLeases(cloud.firestore)


class TestFirestoreEventLog(EventLogContract):
    @pytest.fixture
    def log(self, cloud: Container) -> FirestoreEventLog:
        return FirestoreEventLog(cloud.firestore)

    @pytest.fixture
    def reader(self, cloud: Container) -> ReaderFactory:
        from google.cloud import firestore

        project = cloud.settings.project_id
        return lambda: FirestoreEventReader(firestore.AsyncClient(project=project))


def test_event_log_queries_are_served_by_declared_indexes(cloud: Container) -> None:
    """The emulator does not enforce composite indexes; production does."""
    from google.cloud import firestore

    from shared.domain.event_log import Position
    from tests.support.firestore_indexes import declared_indexes, is_covered
    from tests.support.firestore_recorder import shape_of

    reader = FirestoreEventReader(firestore.AsyncClient(project=cloud.settings.project_id))
    cursor, start, bound = Position(1, "a" * 32), Position(1), Position(9)
    for after, until in ((cursor, None), (start, None), (cursor, bound), (start, bound)):
        shape = shape_of(reader.query("u1", after, 10, until)._to_protobuf()._pb)
        assert shape.collection == "processing_events"
        assert is_covered(shape, declared_indexes()), shape
