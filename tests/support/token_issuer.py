"""A token issuer of the test's own: keys made here, a JWKS served on 127.0.0.1, never the
internet. Shaped like WorkOS (RS256 keys) with an ES256 key beside, so both algorithms run."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "videovector-tests"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LocalIssuer:
    def __init__(self, audience: str = AUDIENCE) -> None:
        self.audience = audience
        self.private_keys: dict[str, Any] = {}
        self.published: set[str] = set()
        self.fetches = 0
        self.up = True
        self.body: bytes | None = None  # what /jwks answers instead of the keys, if set
        self.add_key("rsa-1", "RS256")
        self.add_key("ec-1", "ES256")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # The issuer's name carries its port, as WorkOS's carries a client id.
    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/issuer"

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/jwks"

    def config(self, **overrides: Any) -> dict[str, Any]:
        """This issuer as one entry of ``VV_BEARER_ISSUERS``."""
        return {
            "issuer": self.issuer,
            "jwks_url": self.jwks_url,
            "audiences": [self.audience],
            **overrides,
        }

    def add_key(self, kid: str, algorithm: str, *, publish: bool = True) -> None:
        if algorithm == "RS256":
            self.private_keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.private_keys[kid] = ec.generate_private_key(ec.SECP256R1())
        if publish:
            self.published.add(kid)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            private = self.private_keys[kid]
            if isinstance(private, rsa.RSAPrivateKey):
                jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
                jwk["alg"] = "RS256"
            else:
                jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
                jwk["alg"] = "ES256"
            keys.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": keys}

    def claims(self, subject: str | None, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "sid": "session_" + uuid.uuid4().hex[:8],
        }
        if subject is not None:
            claims["sub"] = subject
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, subject: str | None = "user_01", *, kid: str = "rsa-1", **claims: Any) -> str:
        """A token signed by key ``kid``; claims given as None are left out. Signed as raw
        JWS so a test can send claims PyJWT would refuse to encode (a list ``iss``)."""
        private = self.private_keys[kid]
        algorithm = "RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256"
        payload = json.dumps(self.claims(subject, **claims)).encode()
        return jwt.PyJWS().encode(
            payload, private, algorithm=algorithm, headers={"kid": kid, "typ": "JWT"}
        )

    def forged_hs256(self, subject: str, kid: str = "rsa-1") -> str:
        """The key-confusion attack: HS256 "signed" with the RSA public key's PEM as secret."""
        public_pem = (
            self.private_keys[kid]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        payload = _b64(json.dumps(self.claims(subject)).encode())
        signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def tampered(self, subject: str, as_subject: str) -> str:
        """A genuine token for ``subject`` whose payload now names ``as_subject``."""
        header, _, signature = self.mint(subject).split(".")
        forged = _b64(json.dumps(self.claims(as_subject)).encode())
        return f"{header}.{forged}.{signature}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                if not issuer.up or self.path != "/jwks":
                    self.send_error(503 if not issuer.up else 404)
                    return
                body = (
                    issuer.body if issuer.body is not None else json.dumps(issuer.jwks()).encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> LocalIssuer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def local_issuer(audience: str = AUDIENCE) -> Iterator[LocalIssuer]:
    issuer = LocalIssuer(audience).start()
    try:
        yield issuer
    finally:
        issuer.stop()
