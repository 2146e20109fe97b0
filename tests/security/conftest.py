"""Security tests drive the end-to-end stack (and its emulators), with processes of their own
where a test needs small limits."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from infra.local.processes import ManagedProcess, free_port
from infra.local.routes import load_table
from infra.local.stack import LocalStack
from tests.e2e.conftest import (  # noqa: F401 - fixtures re-exported
    event_subscription,
    http,
    new_key,
    stack,
    token_issuer,
)
from tests.e2e.event_fixtures import relay_factory  # noqa: F401 - relays of their own

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def function_factory(
    stack: LocalStack,  # noqa: F811 - the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """Start one HTTP function of the stack a second time, with settings of its own (e.g.
    small budgets); answers its base URL. Stopped when the test ends."""
    started: list[ManagedProcess] = []
    log_dir = tmp_path_factory.mktemp("function-logs")
    functions, _ = load_table()

    def make(name: str, **env: str) -> str:
        spec = functions[name]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        source = ROOT / spec.source
        process = ManagedProcess(
            f"{name}-{port}",
            [
                sys.executable,
                "-m",
                "functions_framework",
                "--target",
                spec.target,
                "--source",
                str(source / "main.py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            log_dir / f"{name}-{port}.log",
            f"{url}/",
            env={**stack.env, **spec.extra.get("env", {}), "VV_LOG_LEVEL": "INFO", **env},
            cwd=source,
        )
        started.append(process.start())
        process.wait_ready(timeout=60)
        return url

    yield make
    for process in started:
        process.stop()
