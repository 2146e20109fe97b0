"""The in-memory fakes pass the same contracts as the Firestore adapters."""

from __future__ import annotations

import pytest

from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.contracts.event_log import EventLogContract, ReaderFactory
from tests.contracts.marker_repository import MarkerRepositoryContract
from tests.contracts.media_catalog import MediaCatalogContract
from tests.contracts.media_store import MediaStoreContract
from tests.contracts.rate_limit_store import RateLimitStoreContract
from tests.contracts.slot_leases import SlotLeasesContract
from tests.fakes.memory_api_keys import InMemoryApiKeyStore
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_event_log import InMemoryEventLog
from tests.fakes.memory_markers import InMemoryMarkerRepository
from tests.fakes.memory_media import InMemoryMediaStore
from tests.fakes.memory_rate_limits import InMemoryRateLimitStore
from tests.fakes.memory_slot_leases import InMemorySlotLeases


class TestInMemoryMarkerRepository(MarkerRepositoryContract):
    @pytest.fixture
    def repo(self) -> InMemoryMarkerRepository:
        return InMemoryMarkerRepository()


class TestInMemoryApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryApiKeyStore:
        return InMemoryApiKeyStore()


class TestInMemoryMediaCatalog(MediaCatalogContract):
    @pytest.fixture
    def catalog(self) -> InMemoryMediaCatalog:
        return InMemoryMediaCatalog()


class TestInMemoryRateLimitStore(RateLimitStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryRateLimitStore:
        return InMemoryRateLimitStore()


class TestInMemorySlotLeases(SlotLeasesContract):
    @pytest.fixture
    def leases(self) -> InMemorySlotLeases:
        return InMemorySlotLeases()


class TestInMemoryMediaStore(MediaStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryMediaStore:
        return InMemoryMediaStore()


class TestInMemoryEventLog(EventLogContract):
    @pytest.fixture
    def memory_log(self) -> InMemoryEventLog:
        return InMemoryEventLog()

    @pytest.fixture
    def log(self, memory_log: InMemoryEventLog) -> InMemoryEventLog:
        return memory_log

    @pytest.fixture
    def reader(self, memory_log: InMemoryEventLog) -> ReaderFactory:
        return lambda: memory_log
