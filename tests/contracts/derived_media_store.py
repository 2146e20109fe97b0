"""Behaviour every DerivedMediaStore must have: run against the fake and against GCS."""

from __future__ import annotations

import uuid

import pytest

from shared.domain.preview_ports import DerivedMediaStore


class DerivedMediaStoreContract:
    @pytest.fixture
    def store(self) -> DerivedMediaStore:
        raise NotImplementedError

    @pytest.fixture
    def name(self) -> str:
        return f"previews/u-{uuid.uuid4().hex[:8]}/v1/g1/thumb-t0-w320.jpg"

    def test_create_then_read_and_stat(self, store: DerivedMediaStore, name: str) -> None:
        assert store.stat(name) is None and store.read(name) is None
        assert store.create(name, b"\xff\xd8jpeg", "image/jpeg", {"video_id": "v1"})
        found = store.read(name)
        assert found is not None
        stored, data = found
        assert data == b"\xff\xd8jpeg" and stored.content_type == "image/jpeg"
        stat = store.stat(name)
        assert stat is not None and stat.size_bytes == 6 and stat.metadata == {"video_id": "v1"}

    def test_create_never_replaces(self, store: DerivedMediaStore, name: str) -> None:
        assert store.create(name, b"first", "image/gif", {})
        assert not store.create(name, b"second", "image/gif", {})
        found = store.read(name)
        assert found is not None and found[1] == b"first"

    def test_delete(self, store: DerivedMediaStore, name: str) -> None:
        store.create(name, b"x", "image/png", {})
        assert store.delete(name) and not store.delete(name)
        assert store.stat(name) is None
