"""The Firestore adapters, against the real emulator, pass the same contracts as the fakes."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.domain.ports import ApiKeyStore, MarkerRepository, MediaCatalog
from tests.contracts.api_key_store import ApiKeyStoreContract
from tests.contracts.marker_repository import MarkerRepositoryContract
from tests.contracts.media_catalog import MediaCatalogContract

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
