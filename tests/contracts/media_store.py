"""Behaviour every MediaStore must have: run against the fake and against the GCS emulator."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from shared.domain.ports import MediaStore
from shared.domain.stored_objects import ObjectHeaders
from shared.errors import NotFound


class MediaStoreContract:
    @pytest.fixture
    def store(self) -> MediaStore:
        raise NotImplementedError

    @pytest.fixture
    def source(self, tmp_path: Path) -> Path:
        path = tmp_path / "clip.mp4"
        path.write_bytes(b"\x00\x01fake media\xff" * 1000)
        return path

    @pytest.fixture
    def name(self) -> str:
        return f"users/u-{uuid.uuid4().hex[:8]}/videos/v1/clip.mp4"

    def test_upload_stat_download_round_trip(
        self, store: MediaStore, source: Path, name: str, tmp_path: Path
    ) -> None:
        headers = ObjectHeaders("video/mp4", {"user_id": "u1", "title": "Clip"})
        stored = store.upload(source, name, headers)
        assert stored.uri == f"gs://{store.bucket}/{name}"
        assert stored.size_bytes == source.stat().st_size
        assert stored.generation and stored.metadata == {"user_id": "u1", "title": "Clip"}
        assert stored.content_type == "video/mp4"
        seen = store.stat(stored.uri)
        assert seen is not None and seen.generation == stored.generation
        assert seen.metadata["title"] == "Clip" and seen.size_bytes == stored.size_bytes
        out = tmp_path / "out.bin"
        got = store.download(stored.uri, out, generation=stored.generation)
        assert out.read_bytes() == source.read_bytes() and got.generation == stored.generation

    def test_a_new_upload_is_a_new_generation(
        self, store: MediaStore, source: Path, name: str, tmp_path: Path
    ) -> None:
        first = store.upload(source, name)
        source.write_bytes(b"other bytes")
        second = store.upload(source, name)
        assert second.generation != first.generation and second.size_bytes == 11
        with store.local_copy(second.uri) as (path, stored):
            assert path.read_bytes() == b"other bytes" and path.suffix == ".mp4"
            assert stored.generation == second.generation
        assert not path.exists()

    def test_missing_and_foreign_objects(
        self, store: MediaStore, name: str, tmp_path: Path
    ) -> None:
        missing = f"gs://{store.bucket}/{name}"
        assert store.stat(missing) is None
        with pytest.raises(NotFound):
            store.download(missing, tmp_path / "x")
        for foreign in (f"gs://another-bucket/{name}", "https://example.com/x", "gs://"):
            with pytest.raises(NotFound):
                store.stat(foreign)
            with pytest.raises(NotFound):
                store.download(foreign, tmp_path / "x")

    def test_delete(self, store: MediaStore, source: Path, name: str) -> None:
        stored = store.upload(source, name)
        assert store.delete(stored.uri) is True
        assert store.stat(stored.uri) is None
        assert store.delete(stored.uri) is False
