"""The local development issuer mints tokens the verifier accepts with the settings it prints."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from infra.local.dev_issuer import build_server, issuer_of, issuer_settings
from shared.adapters.jwks_verifier import JwksBearerVerifier
from shared.domain.bearer import parse_bearer_issuers


def test_dev_issuer_tokens_verify_with_its_printed_settings(tmp_path: Path) -> None:
    server = build_server(0, tmp_path / "key.pem")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        issuer = issuer_of(server)
        token = httpx.get(f"{issuer}/token", params={"sub": "dev-user"}, timeout=5).text
        verifier = JwksBearerVerifier(parse_bearer_issuers(issuer_settings(issuer)))
        assert verifier.verify(token).subject == "dev-user"
        assert httpx.get(f"{issuer}/token", timeout=5).status_code == 404
        # The key is kept (a restarted issuer's tokens stay good), readable by its owner only.
        again = build_server(0, tmp_path / "key.pem")
        again.server_close()
        assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0
    finally:
        server.shutdown()
        server.server_close()
