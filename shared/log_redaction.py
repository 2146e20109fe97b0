"""What must never reach a log line, replaced where every line is formatted.

Handlers log paths, not headers or bodies; but a preview link's token is its path, a stream
token rides in a query string, and an exception's text can hold a whole signed URL (ffmpeg's
argv on a timeout). The formatter passes every line through ``redact`` as a last net.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # A signed URL's signature, plain or percent-encoded (inside a quoted URL).
    (re.compile(r"(X-Goog-Signature(?:=|%3D))[0-9A-Za-z%]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # A preview link's token is the last segment of its path.
    (re.compile(r"(/api/v2/previews/)[^/?#\s\"'\\]+"), rf"\1{REDACTED}"),
    # Tokens and keys in query strings, and stream tokens and API keys anywhere.
    (re.compile(r"((?:stream_token|token|api_key)=)[^&\s\"'\\]+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"\bst_[A-Za-z0-9_-]{16,}"), f"st_{REDACTED}"),
    (re.compile(r"\bsk_live_[0-9a-f]{16,}"), f"sk_live_{REDACTED}"),
]


# Substrings every pattern needs: almost no line holds one, and looking for them costs a few
# microseconds where the substitutions cost ~90 (an access line, measured here).
_TRIGGERS = ("previews/", "token=", "api_key=", "st_", "sk_live_", "goog-signature")


def redact(text: str) -> str:
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
