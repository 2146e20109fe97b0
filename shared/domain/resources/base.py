"""What every response model shares: its OpenAPI description says exactly what is sent."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ResponseModel(BaseModel):
    """A response body. ``extra="forbid"`` makes the schema say ``additionalProperties:
    false``; every field is listed as required in the OpenAPI document because every field is
    always sent (null when there is no value)."""

    # defer_build: a model's validator and serializer are built on its first use, not when a
    # function imports it (decision 053: cold starts); pydantic locks that first build.
    model_config = ConfigDict(
        extra="forbid", json_schema_serialization_defaults_required=True, defer_build=True
    )


class MarkerInfo(ResponseModel):
    """The SDK's ``MarkerInfo``: the caller's marker on a video, segment or extracted field
    (all null when there is none, as the SDK defaults it)."""

    marker_id: str | None = None
    color: str | None = None
    note: str | None = None
    updated_at: str | None = None


class PaginationInfo(ResponseModel):
    """The ``pagination`` object of every list response (the SDK's ``PaginationMeta``)."""

    limit: int
    has_more: bool
    next_cursor: str | None
