"""The one table from project errors to HTTP status, and the error envelope."""

from __future__ import annotations

import logging
from typing import Any

from shared import errors

logger = logging.getLogger("videovector.http")

STATUS_BY_ERROR: dict[type[errors.VideoVectorError], int] = {
    errors.InvalidRequest: 400,
    errors.Unauthenticated: 401,
    errors.InsufficientScope: 403,
    errors.NotFound: 404,
    errors.MethodNotAllowed: 405,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.ValidationFailed: 422,
    errors.RateLimited: 429,
    errors.ServiceUnavailable: 503,
}


def envelope(code: str, message: str, details: dict[str, Any], request_id: str) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "details": details, "request_id": request_id}
    }


def status_for(error: errors.VideoVectorError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response_parts(
    error: BaseException, request_id: str
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and extra headers for any exception; unknown ones are logged, not shown."""
    if isinstance(error, errors.VideoVectorError) and status_for(error) != 500:
        status = status_for(error)
        headers: dict[str, str] = {}
        if isinstance(error, errors.RateLimited):
            headers["Retry-After"] = str(error.retry_after)
            # Counted by budget (infra/monitoring.tf); a budget without a name is the
            # per-key request rate.
            budget = str(error.details.get("budget") or "requests_per_minute")
            logger.info("rate limited", extra={"rate_limit_budget": budget})
        if isinstance(error, errors.InvalidBearerToken):
            # RFC 6750 section 3.1: the client should get a new token, not retry this one.
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        if isinstance(error, errors.MethodNotAllowed):
            headers["Allow"] = ", ".join(error.allowed)
        if isinstance(error, errors.ServiceUnavailable):
            headers["Retry-After"] = "1"
            logger.warning(
                "dependency unavailable: %s",
                error.__cause__ or error,
                extra={"dependency_error": error.message},
            )
        return status, envelope(error.code, error.message, error.details, request_id), headers
    logger.error("unhandled error", exc_info=error)
    body = envelope("internal_error", "An internal error occurred.", {}, request_id)
    return 500, body, {}
