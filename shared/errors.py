"""The project's one vocabulary of errors.

    VideoVectorError
    ├── InvalidRequest          malformed input the client must fix (bad JSON, bad cursor)
    ├── ValidationFailed        well-formed input outside the contract; ``details`` name each field
    │   └── UnprocessableMedia  a media file that is corrupt or of an unsupported kind
    ├── Unauthenticated         missing, malformed, unknown, revoked or expired credentials
    │   └── InvalidBearerToken  a bearer token that failed a check (answered with WWW-Authenticate)
    ├── InsufficientScope       a valid key without the scope the route needs
    ├── NotFound                missing, or owned by someone else (never tell which)
    ├── MethodNotAllowed
    ├── Conflict                e.g. an Idempotency-Key reused with another body
    ├── PreconditionFailed      If-Match did not hold
    ├── PayloadTooLarge
    ├── UnsupportedMediaType
    ├── RateLimited             carries ``retry_after`` seconds
    └── ServiceUnavailable      a dependency is down; safe to retry

Adapters translate vendor exceptions into these; ``shared.http.error_mapping`` holds the one
table from class to HTTP status and error code. Anything else is a bug and becomes a bare 500.
"""

from __future__ import annotations

from typing import Any


class VideoVectorError(Exception):
    code = "internal_error"

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code


class InvalidRequest(VideoVectorError):
    code = "invalid_request"


class ValidationFailed(VideoVectorError):
    code = "validation_failed"


class Unauthenticated(VideoVectorError):
    code = "authentication_invalid_api_key"


class InvalidBearerToken(Unauthenticated):
    code = "authentication_invalid_token"


class InsufficientScope(VideoVectorError):
    code = "authorization_insufficient_scope"


class NotFound(VideoVectorError):
    code = "resource_not_found"


class MethodNotAllowed(VideoVectorError):
    code = "method_not_allowed"

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message, details={"allowed_methods": allowed})
        self.allowed = allowed


class Conflict(VideoVectorError):
    code = "conflict"


class PreconditionFailed(VideoVectorError):
    code = "precondition_failed"


class PayloadTooLarge(VideoVectorError):
    code = "payload_too_large"


class UnsupportedMediaType(VideoVectorError):
    code = "unsupported_media_type"


class RateLimited(VideoVectorError):
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int, budget: str = "requests_per_minute"
    ) -> None:
        # ``budget`` names the limit reached, for the caller and the 429-by-budget metric.
        super().__init__(message, details={"retry_after_seconds": retry_after, "budget": budget})
        self.retry_after = retry_after


class ServiceUnavailable(VideoVectorError):
    code = "service_unavailable"


class UnprocessableMedia(ValidationFailed):
    """A media file that cannot be read or is of a kind the pipeline does not handle."""

    code = "media_unprocessable"
