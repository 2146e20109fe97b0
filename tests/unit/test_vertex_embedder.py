"""The Vertex adapter's requests and answers, against a local HTTP stand-in for `predict`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from shared.adapters.vertex_embedder import VertexTextEmbedder
from shared.errors import ServiceUnavailable


class PredictStandIn(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict]] = []
    fail = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        PredictStandIn.calls.append((self.path, body))
        if PredictStandIn.fail:
            self.send_response(503)
            self.end_headers()
            return
        dims = body["parameters"]["outputDimensionality"]
        predictions = [
            {"embeddings": {"values": [float(len(i["content"]))] * dims}} for i in body["instances"]
        ]
        payload = json.dumps({"predictions": predictions}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def embedder() -> Iterator[VertexTextEmbedder]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PredictStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PredictStandIn.calls, PredictStandIn.fail = [], False
    yield VertexTextEmbedder(
        "proj",
        "europe-west1",
        session=requests.Session(),
        endpoint=f"http://127.0.0.1:{server.server_port}",
    )
    server.shutdown()


def test_documents_are_batched_with_the_document_task_type(embedder: VertexTextEmbedder) -> None:
    vectors = embedder.embed_documents([f"text {i}" for i in range(250)])
    assert len(vectors) == 250 and len(vectors[0]) == 384 and vectors[0][0] == 6.0
    assert [len(body["instances"]) for _, body in PredictStandIn.calls] == [100, 100, 50]
    path, body = PredictStandIn.calls[0]
    assert path == (
        "/v1/projects/proj/locations/europe-west1"
        "/publishers/google/models/text-embedding-005:predict"
    )
    assert body["instances"][0] == {"content": "text 0", "task_type": "RETRIEVAL_DOCUMENT"}


def test_queries_use_the_query_task_type(embedder: VertexTextEmbedder) -> None:
    assert len(embedder.embed_query("red scene")) == 384
    assert PredictStandIn.calls[0][1]["instances"][0]["task_type"] == "RETRIEVAL_QUERY"
    assert embedder.model_id == "vertex-text-embedding-005-384"


def test_an_overloaded_service_is_a_retryable_error(embedder: VertexTextEmbedder) -> None:
    PredictStandIn.fail = True
    with pytest.raises(ServiceUnavailable):
        embedder.embed_query("anything")
