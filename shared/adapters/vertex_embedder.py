"""Text embeddings from Vertex AI (production): ``text-embedding-005`` through its REST
``predict`` method, with retrieval task types for documents and queries.

The output is reduced to the same 384 dimensions as the local model, so one Firestore vector
index serves both; vectors of the two models are still never compared (every vector is stored
and searched with its ``embedding_model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.domain.ports import TextEmbedder
from shared.errors import ServiceUnavailable

BATCH_SIZE = 100  # the API takes up to 250 texts per call; stay well inside its token limit
TIMEOUT_SECONDS = 30.0


class VertexTextEmbedder(TextEmbedder):
    dimensions = 384

    def __init__(
        self,
        project_id: str,
        location: str,
        model: str = "text-embedding-005",
        session: Any = None,
        endpoint: str | None = None,
    ) -> None:
        self.model_id = f"vertex-{model}-{self.dimensions}"
        host = endpoint or f"https://{location}-aiplatform.googleapis.com"
        self._url = (
            f"{host}/v1/projects/{project_id}/locations/{location}"
            f"/publishers/google/models/{model}:predict"
        )
        self._session = session

    def _authorized(self) -> Any:
        if self._session is None:
            import google.auth
            from google.auth.transport.requests import AuthorizedSession

            credentials, _ = google.auth.default(
                scopes=["https://www.googleapis.com/auth/cloud-platform"]
            )
            self._session = AuthorizedSession(credentials)
        return self._session

    def _predict(self, texts: Sequence[str], task_type: str) -> list[list[float]]:
        body = {
            "instances": [{"content": text, "task_type": task_type} for text in texts],
            "parameters": {"outputDimensionality": self.dimensions, "autoTruncate": True},
        }
        try:
            response = self._authorized().post(self._url, json=body, timeout=TIMEOUT_SECONDS)
        except OSError as exc:  # requests' connection errors and timeouts derive from OSError
            raise ServiceUnavailable("The embedding service is unreachable.") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ServiceUnavailable("The embedding service is busy; retry shortly.")
        response.raise_for_status()
        predictions = response.json()["predictions"]
        return [[float(x) for x in p["embeddings"]["values"]] for p in predictions]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH_SIZE):
            vectors += self._predict(texts[start : start + BATCH_SIZE], "RETRIEVAL_DOCUMENT")
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._predict([text], "RETRIEVAL_QUERY")[0]
