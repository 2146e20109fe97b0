"""JSON lines on stdout in the shape Cloud Logging parses (``severity``, ``message``, labels).

The request id travels in a context variable so every line logged while serving a request
carries it. Nothing here logs headers or bodies, and every line passes through
``shared.log_redaction`` (tokens in paths, signatures in exception texts).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from shared.log_redaction import redact

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# The request's trace as Cloud Logging reads it (shared/http/trace_context.py): lines carrying
# it are grouped under the request in the Logs Explorer.
trace_fields_var: ContextVar[dict[str, object] | None] = ContextVar("trace_fields", default=None)

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message"}


class CloudLoggingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "logger": record.name,
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
            entry["logging.googleapis.com/labels"] = {"request_id": request_id}
        entry.update(trace_fields_var.get() or {})
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


_configured = False


def configure_logging(level: str = "INFO") -> None:
    """Install the JSON formatter on the root logger, once per process."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CloudLoggingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("urllib3", "google", "grpc", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured = True
