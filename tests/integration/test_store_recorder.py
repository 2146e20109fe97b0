"""The async recorder that bench/store_counts.py counts the relay's reads with (docs/scale.md):
each query once, and the documents it answered, which is what Firestore bills as reads."""

from __future__ import annotations

import asyncio

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.bootstrap import Container
from tests.support.firestore_recorder import RecordingAsyncClient

pytestmark = pytest.mark.emulator
PROBES = "recorder_probes"


def test_a_query_counts_once_and_each_document_it_answers(cloud: Container, user_id: str) -> None:
    for i in range(3):
        cloud.firestore.collection(PROBES).document(f"{user_id}-{i}").set({"user_id": user_id})

    async def read() -> tuple[dict[str, int], int, list[int]]:
        client = RecordingAsyncClient(project=cloud.settings.project_id)
        sizes = []
        for owner in (user_id, f"{user_id}-nobody"):
            query = client.collection(PROBES).where(filter=FieldFilter("user_id", "==", owner))
            sizes.append(len([s async for s in query.stream()]))
        return dict(client.recorded.counts()), client.recorded.documents, sizes

    counts, documents, sizes = asyncio.run(read())
    assert (counts, documents, sizes) == ({"RunQuery": 2}, 3, [3, 0])
