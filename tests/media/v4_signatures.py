"""An independent check of GCS V4 signed URLs (the GCS emulator never checks them).

Rebuilds the canonical request from the URL alone, as GCS does, and verifies the RSA-SHA256
signature with the signer's public key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey


def verify_v4_url(
    url: str,
    public_key: RSAPublicKey,
    *,
    bucket: str,
    object_name: str,
    expires_in: int,
    service_account: str,
    now: datetime,
) -> None:
    """Raise AssertionError (or InvalidSignature) unless ``url`` is a valid V4 GET URL for
    exactly that object, signed now, expiring after ``expires_in`` seconds."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert unquote(parts.path) == f"/{bucket}/{object_name}", parts.path
    assert parts.path == "/" + quote(f"{bucket}/{object_name}", safe="/~"), "path not canonical"
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-SignedHeaders"] == "host"
    assert int(query["X-Goog-Expires"]) == expires_in
    signed_at = datetime.strptime(query["X-Goog-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((signed_at - now).total_seconds()) < 120, "signed at the wrong time"
    email, scope = query["X-Goog-Credential"].split("/", 1)
    assert email == service_account
    assert scope == f"{signed_at:%Y%m%d}/auto/storage/goog4_request"

    signature = bytes.fromhex(query.pop("X-Goog-Signature"))
    canonical_query = "&".join(
        f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query.items())
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            query["X-Goog-Date"],
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    public_key.verify(signature, string_to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
