"""Unit fixtures: functions served through functions-framework itself, on in-memory ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared import bootstrap
from shared.adapters.e5_embedder import E5SmallEmbedder
from shared.bootstrap import Container
from shared.domain.ports import TextEmbedder
from shared.services.api_keys import create_api_key, revoke_api_key
from tests.fakes.memory_api_keys import InMemoryApiKeyStore
from tests.fakes.memory_catalog import InMemoryMediaCatalog
from tests.fakes.memory_markers import InMemoryMarkerRepository
from tests.fakes.memory_search import InMemorySegmentSearchIndex
from tests.support.playground_media import Seeded, seed_playground
from tests.support.settings import settings_for_fakes

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Keys:
    alice: str
    alice_read: str
    alice_search: str
    bob: str
    revoked: str


@pytest.fixture
def container() -> Iterator[Container]:
    built = Container(
        settings_for_fakes(max_body_bytes=64 * 1024),
        api_keys=InMemoryApiKeyStore(),
        markers=InMemoryMarkerRepository(),
        catalog=InMemoryMediaCatalog(),
    )
    bootstrap.override(built)
    yield built
    bootstrap.override(None)


@pytest.fixture
def keys(container: Container) -> Keys:
    store = container.api_keys
    revoked = create_api_key(store, "alice", ["write"])
    revoke_api_key(store, revoked)
    return Keys(
        alice=create_api_key(store, "alice", ["write"]),
        alice_read=create_api_key(store, "alice", ["read"]),
        alice_search=create_api_key(store, "alice", ["search"]),
        bob=create_api_key(store, "bob", ["write"]),
        revoked=revoked,
    )


def function_client(name: str, target: str | None = None) -> FlaskClient:
    app = functions_framework.create_app(
        target=target or name, source=str(ROOT / "functions" / name / "main.py")
    )
    return app.test_client()


@pytest.fixture
def markers_client(container: Container) -> FlaskClient:
    return function_client("markers")


@pytest.fixture(scope="session")
def embedder() -> TextEmbedder:
    """The real local embedder (weights inside the package, CPU, offline)."""
    return E5SmallEmbedder()


@pytest.fixture
def library(container: Container, embedder: TextEmbedder) -> Seeded:
    """Alice's playground (in-memory catalog and search index), shaped like pipeline output."""
    catalog = InMemoryMediaCatalog()
    container.__dict__.update(
        catalog=catalog, search_index=InMemorySegmentSearchIndex(catalog), embedder=embedder
    )
    return seed_playground(catalog, embedder, "alice")
