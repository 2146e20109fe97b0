"""GCS V4 signed URLs for GET: with a local development key, or through IAM signBlob.

Both go through ``Blob.generate_signed_url`` so the canonical request is Google's own code;
they differ only in who computes the RSA signature. With ``STORAGE_EMULATOR_HOST`` set, the
URLs point at the emulator (which never checks them: the tests verify each signature).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.domain.preview_ports import UrlSigner

if TYPE_CHECKING:
    from google.cloud.storage import Client as StorageClient
    from google.oauth2.service_account import Credentials

DEV_SERVICE_ACCOUNT = "dev-url-signer@videovector-local.iam.gserviceaccount.com"


def development_key_info(path: Path | None = None) -> dict[str, Any]:
    """A service-account key for local signing: read from ``path``, or generated (and written
    there once, readable by the owner only). Never used outside local development."""
    if path is not None and path.exists():
        return dict(json.loads(path.read_text()))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "videovector-local",
        "private_key_id": "local-development",
        "private_key": pem,
        "client_email": DEV_SERVICE_ACCOUNT,
        "client_id": "0",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(info, handle)
        try:  # first writer wins; functions starting together all end up with its key
            os.link(partial, path)
        except FileExistsError:
            info = dict(json.loads(path.read_text()))
        finally:
            partial.unlink()
    return info


class LocalKeyUrlSigner(UrlSigner):
    def __init__(self, client: StorageClient, key_info: dict[str, Any]) -> None:
        from google.oauth2 import service_account

        self._client = client
        self.credentials: Credentials = service_account.Credentials.from_service_account_info(
            key_info
        )

    def sign_get(
        self, bucket: str, object_name: str, expires_in: int, generation: str | None = None
    ) -> str:
        signing = {"credentials": self.credentials}
        return _signed_get(self._client, bucket, object_name, expires_in, generation, signing)


class IamUrlSigner(UrlSigner):
    """Production: the function's own service account signs through IAM signBlob (it needs
    ``roles/iam.serviceAccountTokenCreator`` on itself); no key file exists anywhere."""

    def __init__(self, client: StorageClient, service_account_email: str | None = None) -> None:
        self._client = client
        self._email = service_account_email
        self._credentials: Any = None
        self._lock = threading.Lock()

    def _token_and_email(self) -> tuple[str, str]:
        import google.auth
        from google.auth.transport.requests import Request

        with self._lock:
            if self._credentials is None:
                self._credentials, _ = google.auth.default(
                    scopes=["https://www.googleapis.com/auth/cloud-platform"]
                )
            if not self._credentials.valid:
                self._credentials.refresh(Request())
            email = self._email or self._credentials.service_account_email
            return str(self._credentials.token), str(email)

    def sign_get(
        self, bucket: str, object_name: str, expires_in: int, generation: str | None = None
    ) -> str:
        token, email = self._token_and_email()
        signing = {"service_account_email": email, "access_token": token}
        return _signed_get(self._client, bucket, object_name, expires_in, generation, signing)


def _signed_get(
    client: StorageClient,
    bucket: str,
    object_name: str,
    expires_in: int,
    generation: str | None,
    signing: dict[str, Any],
) -> str:
    """A V4 GET URL; ``signing`` says who signs (a key, or IAM with a token)."""
    blob = client.bucket(bucket).blob(object_name)
    return str(
        blob.generate_signed_url(
            version="v4",
            expiration=timedelta(seconds=expires_in),
            method="GET",
            generation=int(generation) if generation else None,
            **signing,
        )
    )
