"""One settings model: one set of defaults, every variable validated with its name, secrets
hidden, and a composition root that refuses overrides it would not use."""

from __future__ import annotations

import os

import pytest

from shared.bootstrap import Container
from shared.config import InvalidSettings, Settings, load_settings
from tests.fakes.memory_markers import InMemoryMarkerRepository
from tests.support.settings import settings_for_fakes


def test_the_defaults_are_the_production_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("VV_")]:
        monkeypatch.delenv(name)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.rate_limit_per_minute == 1200
    assert settings.api_key_cache_seconds == 30
    assert (settings.streams_per_key, settings.streams_per_user) == (10, 25)
    assert (settings.renders_per_key, settings.render_starts_per_minute) == (2, 30)
    assert settings.embedder == "vertex"  # deployed functions carry no model


def test_the_environment_then_keywords_override_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VV_RATE_LIMIT_PER_MINUTE", "60")
    monkeypatch.setenv("VV_STREAM_HEARTBEAT_SECONDS", "2.5")
    monkeypatch.setenv("VV_API_KEY_CACHE_SECONDS", "")  # empty is unset, as before
    assert Settings().rate_limit_per_minute == 60
    assert Settings().heartbeat_seconds == 2.5
    assert Settings().api_key_cache_seconds == 30
    assert Settings(rate_limit_per_minute=0).rate_limit_per_minute == 0
    assert Settings(environment="local").embedder == "e5-local"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VV_RATE_LIMIT_PER_MINUTE", "abc"),
        ("VV_RATE_LIMIT_PER_MINUTE", "-1"),
        ("VV_STORE_TIMEOUT_SECONDS", "0"),
        ("VV_EMBEDDER", "openai"),
        ("VV_RELAY_DOORBELL", "carrier-pigeon"),
        ("VV_STREAM_BUFFER_EVENTS", "1.5"),
        ("VV_BEARER_ISSUERS", "[{"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettings, match=f"Refusing to start: invalid settings: {variable}"):
        load_settings()


def test_a_bad_secret_value_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VV_BEARER_ISSUERS", '[{"issuer": "x", "jwks_url": "hunter2-secret"}]')
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    assert "VV_BEARER_ISSUERS" in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(InvalidSettings, match="rate_limt_per_minute"):
        load_settings(rate_limt_per_minute=0)


def test_a_misspelt_container_override_is_a_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="'marker'"):
        Container(settings_for_fakes(), marker=InMemoryMarkerRepository())
    fakes = InMemoryMarkerRepository()
    assert Container(settings_for_fakes(), markers=fakes).markers is fakes
    assert {"markers", "catalog", "api_keys", "embedder"} <= Container.buildable()


def test_every_variable_terraform_sets_is_a_setting() -> None:
    """A deployment's variable that no field reads would be silently ignored."""
    from tests.infra.terraform_config import load

    names = set(load().locals["common_env"]) | {"VV_STREAM_MAX_SECONDS"}
    variables = {Settings.variable(field) for field in Settings.model_fields}
    assert names <= variables, names - variables
