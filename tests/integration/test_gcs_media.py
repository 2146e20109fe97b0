"""The GCS media store, against the storage emulator, passes the same contract as the fake."""

from __future__ import annotations

import pytest

from shared.bootstrap import Container
from shared.domain.ports import MediaStore
from tests.contracts.media_store import MediaStoreContract

pytestmark = pytest.mark.emulator


class TestGcsMediaStore(MediaStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> MediaStore:
        return cloud.media
