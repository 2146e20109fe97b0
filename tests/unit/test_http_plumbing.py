"""Error mapping and logs: unknown errors are bare 500s; logs are JSON Cloud Logging parses."""

from __future__ import annotations

import json
import logging

from shared.errors import RateLimited, ServiceUnavailable
from shared.http.error_mapping import error_response_parts
from shared.structured_logging import CloudLoggingFormatter, request_id_var


def test_unknown_error_is_a_bare_500() -> None:
    status, body, _ = error_response_parts(KeyError("secret internals"), "req_1")
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret" not in json.dumps(body)


def test_rate_limited_and_unavailable_carry_retry_after() -> None:
    assert (
        error_response_parts(RateLimited("slow down", retry_after=7), "r")[2]["Retry-After"] == "7"
    )
    status, _, headers = error_response_parts(ServiceUnavailable("down"), "r")
    assert status == 503 and headers["Retry-After"] == "1"


def test_log_lines_are_json_with_severity_and_request_id() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    token = request_id_var.set("req_abc")
    try:
        line = json.loads(CloudLoggingFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["severity"] == "WARNING" and line["message"] == "hello world"
    assert line["request_id"] == "req_abc"
    assert line["logging.googleapis.com/labels"] == {"request_id": "req_abc"}
