"""The one access-log line a request leaves, for the Flask router and the ASGI relay alike."""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger("videovector.access")


def log_request(
    method: str,
    path: str,
    status: int,
    started: float,
    request_id: str,
    user_agent: str,
    **extra: Any,
) -> None:
    """``started`` is the ``time.perf_counter()`` reading taken as the request arrived; the
    ``httpRequest`` field is Cloud Logging's, so the console shows the line as a request."""
    logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "request_id": request_id,
            "httpRequest": {
                "requestMethod": method,
                "requestUrl": path,
                "status": status,
                "latency": f"{time.perf_counter() - started:.6f}s",
                "userAgent": user_agent,
            },
            **extra,
        },
    )
