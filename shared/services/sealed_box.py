"""Small JSON claims encrypted and authenticated into URL-safe text: preview links (decision
013). The HMAC-sealed kind, for stream tokens, is ``sealed_claims.ClaimSeal``."""

from __future__ import annotations

import binascii
import json
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.services.sealed_claims import b64url, unb64

_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


class ClaimBox:
    """Small JSON claims encrypted and authenticated into URL-safe text (decision 013).

    AES-SIV (RFC 5297) is deterministic authenticated encryption: without the key the text
    reveals nothing (no user or video id can be read from it) and cannot be forged or altered;
    the same claims always give the same text, so a link stays the same, and cacheable, for as
    long as its claims do. The key is derived from the secret for one ``purpose`` only.
    """

    def __init__(self, secret: bytes, purpose: bytes) -> None:
        key = HKDF(algorithm=SHA256(), length=64, salt=None, info=purpose).derive(secret)
        self._aead = AESSIV(key)
        self._purpose = purpose

    def seal(self, claims: dict[str, Any]) -> str:
        plain = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
        return b64url(self._aead.encrypt(plain, [self._purpose]))

    def open(self, sealed: str) -> dict[str, Any] | None:
        """The claims of a genuine box, or None (never say which check failed)."""
        if not sealed or not _URL_SAFE.fullmatch(sealed):
            return None
        try:
            raw = unb64(sealed)
            if b64url(raw) != sealed:  # one spelling only: spare bits of the last character
                return None
            plain = self._aead.decrypt(raw, [self._purpose])
            claims = json.loads(plain)
        except (InvalidTag, ValueError, binascii.Error):
            return None
        return claims if isinstance(claims, dict) else None
