"""Small JSON claims sealed into URL-safe text, and opened again: the stateless tokens the API
hands out.

``ClaimSeal`` (stream tokens, given only to their own user): ``base64url(JSON claims)`` +
separator + ``base64url(HMAC)``; opening checks the MAC in constant time before anything is
parsed. ``ClaimBox`` (preview links, which travel in pages and logs; ``sealed_box.py``, apart
so that stream tokens do not load the cipher): the claims encrypted, so no id can be read from
the link. Callers check expiry and meaning.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

MAC_LENGTH = 43  # unpadded base64url of a 32-byte HMAC-SHA256
MIN_SECRET_BYTES = 16


def require_secret(secret: bytes, name: str) -> None:
    """Refuse, at boot, a secret too short to seal anything worth trusting."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the {name} secret must be at least {MIN_SECRET_BYTES} bytes")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ClaimSeal:
    def __init__(self, key: bytes, separator: str = ".") -> None:
        """``separator`` may be empty: the MAC has a fixed length, so the text stays made
        of base64url characters only."""
        self._key = key
        self._separator = separator

    def seal(self, claims: dict[str, Any]) -> str:
        body = b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}{self._separator}{self._mac(body)}"

    def open(self, sealed: str) -> dict[str, Any] | None:
        """The claims of a genuine seal, or None (never say which check failed)."""
        if self._separator:
            body, _, mac = sealed.partition(self._separator)
        else:
            body, mac = sealed[:-MAC_LENGTH], sealed[-MAC_LENGTH:]
        # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
        if not body or not mac or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        try:
            claims = json.loads(unb64(body))
        except (ValueError, binascii.Error):
            return None
        return claims if isinstance(claims, dict) else None

    def _mac(self, body: str) -> str:
        return b64url(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
