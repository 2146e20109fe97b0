"""A function refuses to start without its secrets anywhere but explicit local development
(decision 006): started with functions-framework (or uvicorn, the relay) as production starts
it, it exits non-zero and its message names the missing variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from infra.local.processes import ManagedProcess, free_port
from infra.local.routes import FunctionSpec, load_table
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS, _ = load_table()
# Which secret each function verifies or signs with; infra/iam.tf grants the same ones.
NEEDS = {
    "media": "VV_PREVIEW_LINK_SECRET",
    "batch": "VV_PREVIEW_LINK_SECRET",
    "playground": "VV_PREVIEW_LINK_SECRET",
    "stream_tokens": "VV_STREAM_TOKEN_SECRET",
    "events_relay": "VV_STREAM_TOKEN_SECRET",
}
SECRETS = {"VV_PREVIEW_LINK_SECRET": "p" * 32, "VV_STREAM_TOKEN_SECRET": "s" * 32}


def _argv(spec: FunctionSpec, port: int) -> list[str]:
    if spec.kind == "asgi":
        return [sys.executable, "-m", "uvicorn", spec.target, "--host", "127.0.0.1",
                "--port", str(port)]  # fmt: skip
    signature = "cloudevent" if spec.kind == "cloudevent" else "http"
    return [sys.executable, "-m", "functions_framework", "--target", spec.target,
            "--source", "main.py", "--signature-type", signature,
            "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    """This process's environment, less every setting of ours: as a fresh deployment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VV_")}
    return {**env, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **extra}


@pytest.mark.parametrize("environment", [None, "production"], ids=["unset", "production"])
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_a_function_without_its_secret_exits_naming_it(name: str, environment: str | None) -> None:
    spec = FUNCTIONS[name]
    env = _env(**({"VV_ENVIRONMENT": environment} if environment else {}))
    done = subprocess.run(
        _argv(spec, free_port()),
        cwd=ROOT / spec.source,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"Refusing to start: {NEEDS[name]} is not set" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr  # one clear line, not a stack


@pytest.mark.parametrize("name", ["media", "events_relay"])
def test_a_function_given_its_secrets_starts_in_production(name: str, tmp_path: Path) -> None:
    spec = FUNCTIONS[name]
    port = free_port()
    process = ManagedProcess(
        name,
        _argv(spec, port),
        tmp_path / f"{name}.log",
        f"http://127.0.0.1:{port}/no-such-path",
        # The relay builds its Firestore client as it starts (no connection): an emulator
        # address spares it looking for credentials.
        env=_env(
            VV_ENVIRONMENT="production",
            VV_RELAY_DOORBELL="poll",
            FIRESTORE_EMULATOR_HOST="127.0.0.1:9",
            **SECRETS,
        ),
        cwd=ROOT / spec.source,
        inherit_env=False,
    )
    try:
        process.start().wait_ready(timeout=60)
    finally:
        process.stop()


def test_settings_never_print_their_secrets() -> None:
    settings = Settings(
        preview_link_secret=SecretStr("preview-secret-value"),
        stream_token_secret=SecretStr("stream-secret-value"),
    )
    for text in (repr(settings), str(settings), f"{settings}"):
        assert "preview-secret-value" not in text and "stream-secret-value" not in text


def test_only_an_explicit_local_environment_uses_the_development_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().environment == "local"  # tests/conftest.py says so explicitly
    monkeypatch.delenv("VV_ENVIRONMENT")
    assert Settings().environment == "production"
    monkeypatch.setenv("VV_ENVIRONMENT", "")
    assert Settings().environment == "production"


def test_the_secrets_each_router_declares_are_the_ones_tested_here() -> None:
    """NEEDS (and, through it, the Terraform test of the grants) follows the code."""
    import importlib

    from shared.secrets import SECRET_VARIABLES

    for name, spec in FUNCTIONS.items():
        if spec.kind != "http":
            continue
        router = importlib.import_module(f"{name}_api.routes").router
        declared = {SECRET_VARIABLES[s] for s in router.secrets}
        assert declared == ({NEEDS[name]} if name in NEEDS else set()), name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_function_with_an_invalid_setting_exits_naming_it(name: str) -> None:
    """Every variable is validated as the function starts, not at the first request."""
    spec = FUNCTIONS[name]
    env = _env(VV_ENVIRONMENT="local", VV_RATE_LIMIT_PER_MINUTE="abc")
    done = subprocess.run(
        _argv(spec, free_port()),
        cwd=ROOT / spec.source,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Refusing to start: invalid settings: VV_RATE_LIMIT_PER_MINUTE" in done.stderr, (
        done.stderr
    )
    assert "Traceback" not in done.stderr
