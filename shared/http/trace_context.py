"""The trace a request belongs to, read from its headers, as Cloud Logging groups log lines.

W3C ``traceparent`` (``00-<32 hex trace>-<16 hex span>-<2 hex flags>``) wins over Google's
``X-Cloud-Trace-Context`` (``<32 hex trace>/<decimal span>;o=<0|1>``); the load balancer and
Cloud Run send both. A malformed header is ignored: tracing never refuses a request.
See docs/decisions/054.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TRACEPARENT = re.compile(
    r"(?P<version>[0-9a-f]{2})-(?P<trace>[0-9a-f]{32})-(?P<span>[0-9a-f]{16})"
    r"-(?P<flags>[0-9a-f]{2})(?P<rest>-.*)?"
)
_CLOUD_TRACE = re.compile(
    r"(?P<trace>[0-9a-fA-F]{32})(?:/(?P<span>[0-9]{1,20}))?(?:;o=(?P<o>[0-9]))?"
)
_MAX_SPAN = 2**64 - 1
MAX_HEADER_LENGTH = 512


@dataclass(frozen=True)
class TraceContext:
    trace_id: str  # 32 lowercase hex digits, never all zeros
    span_id: str | None  # 16 lowercase hex digits, never all zeros
    sampled: bool | None

    def log_fields(self, project_id: str) -> dict[str, object]:
        """The special fields Cloud Logging reads from a JSON line (``LogEntry.trace`` ...)."""
        fields: dict[str, object] = {
            "logging.googleapis.com/trace": f"projects/{project_id}/traces/{self.trace_id}"
        }
        if self.span_id is not None:
            fields["logging.googleapis.com/spanId"] = self.span_id
        if self.sampled is not None:
            fields["logging.googleapis.com/trace_sampled"] = self.sampled
        return fields


def _from_traceparent(value: str) -> TraceContext | None:
    found = _TRACEPARENT.fullmatch(value.strip())
    if found is None or found["version"] == "ff":
        return None
    if found["version"] == "00" and found["rest"] is not None:
        return None  # version 00 has exactly four fields; later versions may append more
    if set(found["trace"]) == {"0"} or set(found["span"]) == {"0"}:
        return None
    return TraceContext(found["trace"], found["span"], bool(int(found["flags"], 16) & 1))


def _from_cloud_trace(value: str) -> TraceContext | None:
    found = _CLOUD_TRACE.fullmatch(value.strip())
    if found is None or set(found["trace"]) == {"0"}:
        return None
    span = int(found["span"]) if found["span"] else 0
    span_id = f"{span:016x}" if 0 < span <= _MAX_SPAN else None
    sampled = None if found["o"] is None else found["o"] == "1"
    return TraceContext(found["trace"].lower(), span_id, sampled)


HeaderLookup = Callable[[str], "str | None"]  # ``request.headers.get`` (case-insensitive)


def trace_context_from(header: HeaderLookup) -> TraceContext | None:
    """The request's trace, or None when neither header is present and well-formed."""
    parsers = (("traceparent", _from_traceparent), ("X-Cloud-Trace-Context", _from_cloud_trace))
    for name, parse in parsers:
        value = header(name)
        if value and len(value) <= MAX_HEADER_LENGTH:
            context = parse(value)
            if context is not None:
                return context
    return None


def trace_log_fields(header: HeaderLookup, project_id: str) -> dict[str, object]:
    context = trace_context_from(header)
    return context.log_fields(project_id) if context else {}
