"""The Firestore adapters, against the real emulator, pass the same contracts as the fakes."""

from __future__ import annotations

import pytest

from shared.adapters.firestore_event_log import FirestoreEventLog, FirestoreEventReader
from shared.adapters.firestore_rate_limits import FirestoreRateLimitStore
from shared.bootstrap import Container
from shared.domain.ports import ApiKeyStore, MarkerRepository, MediaCatalog
from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.contracts.event_log import EventLogContract, ReaderFactory
from tests.contracts.marker_repository import MarkerRepositoryContract
from tests.contracts.media_catalog import MediaCatalogContract
from tests.contracts.rate_limit_store import RateLimitStoreContract

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


class TestFirestoreEventLog(EventLogContract):
    @pytest.fixture
    def log(self, cloud: Container) -> FirestoreEventLog:
        return FirestoreEventLog(cloud.firestore)

    @pytest.fixture
    def reader(self, cloud: Container) -> ReaderFactory:
        from google.cloud import firestore

        project = cloud.settings.project_id
        return lambda: FirestoreEventReader(firestore.AsyncClient(project=project))
