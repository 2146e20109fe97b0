"""Answers that hand out a short-lived credential: a signed URL and a stream token."""

from __future__ import annotations

from shared.domain.resources.base import ResponseModel


class SignedUrlResponse(ResponseModel):
    """The SDK's ``SignedUrl``."""

    signed_url: str
    expires_at: str


class StreamTokenResponse(ResponseModel):
    stream_token: str
    expires_at: str
    expires_in: int
    query_parameter: str
