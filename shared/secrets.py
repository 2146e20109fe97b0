"""The secrets a function needs, checked once as it starts (decision 006).

Only ``VV_ENVIRONMENT=local``, set explicitly, may fall back to the public development secrets
below; anywhere else a function that lacks one of its secrets refuses to start, naming the
variable, instead of signing tokens anyone could forge.
"""

from __future__ import annotations

from typing import Literal

from shared.config import LOCAL_ENVIRONMENT, Settings

SecretName = Literal["preview_link_secret", "stream_token_secret"]

# Each secret's environment variable, by the Settings field that holds it.
SECRET_VARIABLES: dict[SecretName, str] = {
    "preview_link_secret": "VV_PREVIEW_LINK_SECRET",
    "stream_token_secret": "VV_STREAM_TOKEN_SECRET",
}

# Public, in this repository: for VV_ENVIRONMENT=local only, never a deployment.
_LOCAL_SECRETS: dict[SecretName, str] = {
    "preview_link_secret": "local-development-preview-links",
    "stream_token_secret": "local-development-stream-tokens",
}


class MissingSecrets(SystemExit):
    """Raised while a function starts: its exit status is 1 and its message names the
    variables to set (SystemExit prints the message alone, without a traceback)."""


def missing_secrets(settings: Settings, names: tuple[SecretName, ...]) -> list[str]:
    if settings.environment == LOCAL_ENVIRONMENT:
        return []
    return [
        SECRET_VARIABLES[name] for name in names if not getattr(settings, name).get_secret_value()
    ]


def require_secrets(settings: Settings, names: tuple[SecretName, ...]) -> None:
    """Refuse to start without the secrets ``names`` (all present, or local development)."""
    missing = missing_secrets(settings, names)
    if missing:
        raise MissingSecrets(
            f"Refusing to start: {', '.join(missing)} is not set "
            f"(VV_ENVIRONMENT={settings.environment!r}). Set it from Secret Manager; only "
            f"VV_ENVIRONMENT={LOCAL_ENVIRONMENT} uses the public development secrets."
        )


def secret_bytes(settings: Settings, name: SecretName) -> bytes:
    """The secret's value; the development one only in local development."""
    require_secrets(settings, (name,))
    value: str = getattr(settings, name).get_secret_value()
    return (value or _LOCAL_SECRETS[name]).encode()
