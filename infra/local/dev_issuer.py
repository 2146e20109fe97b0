"""A bearer-token issuer for local development only: an RS256 key made on this machine (kept in
``.local/dev-issuer-key.pem``), its JWKS at ``/jwks`` and tokens for any subject at
``/token?sub=...``, on 127.0.0.1 (decision 007).

    python -m infra.local.dev_issuer [--port 8091]      (or: make dev-issuer)

Anyone who can reach the port can mint tokens: never expose it, never trust it outside a stack
on this machine. It prints the ``VV_BEARER_ISSUERS`` value that makes ``make dev`` trust it.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ROOT = Path(__file__).resolve().parents[2]
KEY_FILE = ROOT / ".local" / "dev-issuer-key.pem"
AUDIENCE = "videovector-local"
KID = "dev-1"
TOKEN_SECONDS = 3600


def load_or_make_key(path: Path = KEY_FILE) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


def issuer_settings(issuer: str) -> str:
    """The ``VV_BEARER_ISSUERS`` value that trusts this issuer."""
    return json.dumps([{"issuer": issuer, "jwks_url": f"{issuer}/jwks", "audiences": [AUDIENCE]}])


def mint(key: rsa.RSAPrivateKey, issuer: str, subject: str) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "sid": f"session_{uuid.uuid4().hex[:12]}",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def build_server(port: int, key_file: Path = KEY_FILE) -> ThreadingHTTPServer:
    """The issuer's HTTP server on 127.0.0.1 (port 0: any free port); not yet serving."""
    key = load_or_make_key(key_file)
    jwk = {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": KID, "use": "sig"}
    jwks = json.dumps({"keys": [{**jwk, "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            subject = (parse_qs(url.query).get("sub") or [""])[0]
            if url.path == "/jwks":
                self._send(jwks, "application/json")
            elif url.path == "/token" and subject:
                self._send(mint(key, issuer_of(self.server), subject).encode(), "text/plain")
            else:
                self.send_error(404, "GET /jwks or /token?sub=<subject>")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request line would hold nothing secret, but tokens go out in bodies

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def issuer_of(server: Any) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def serve(port: int) -> None:
    server = build_server(port)
    issuer = issuer_of(server)
    print(f"issuer {issuer}: tokens at {issuer}/token?sub=<subject>", flush=True)
    print(f"VV_BEARER_ISSUERS='{issuer_settings(issuer)}'", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev_issuer", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8091)
    serve(parser.parse_args(argv).port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
