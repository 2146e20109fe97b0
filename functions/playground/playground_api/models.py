"""Request models of the playground endpoints, with their limits named."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.domain.filters import MAX_CONDITIONS
from shared.http.validation import RecordId, StrictModel
from shared.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT

MAX_QUERY_LENGTH = 1000
MAX_SCOPE_IDS = 30

# Limits named in the model, the edge (not in the search service: importing it loaded the
# service and the catalog before a function's first answer).
DEFAULT_TOP_K = 30
MAX_TOP_K = 100


class PlaygroundListQuery(StrictModel):
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class PlaygroundSearchRequest(StrictModel):
    query: str = Field(min_length=1, max_length=MAX_QUERY_LENGTH, pattern=r"\S")
    top_k: int = Field(default=DEFAULT_TOP_K, ge=1, le=MAX_TOP_K)


class PlaygroundSearchQuery(StrictModel):
    run_id: RecordId | None = None


class FilterSearchRequest(StrictModel):
    """Conditions are checked one by one by the search service, so a 422 names each bad one
    by its index."""

    conditions: list[Any] = Field(min_length=1, max_length=MAX_CONDITIONS)
    page_size: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)
    run_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_SCOPE_IDS)
    index_ids: list[RecordId] = Field(default_factory=list, max_length=MAX_SCOPE_IDS)
