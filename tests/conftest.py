"""Session fixtures: the real emulators, started once per test run when a test needs them."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tests are local development, said explicitly (decision 006): the functions and servers they
# start inherit it and use the public development secrets.
os.environ["VV_ENVIRONMENT"] = "local"
# Each function folder holds one uniquely named package (markers_api, ...): make them importable
# side by side, as functions-framework does for one function at a time.
for folder in sorted((ROOT / "functions").iterdir()):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.append(str(folder))

from infra.local.emulators import Emulators, start_emulators  # noqa: E402
from shared.bootstrap import Container  # noqa: E402
from shared.config import Settings  # noqa: E402

# The stack and what drives it, registered once for every folder of tests that needs them.
pytest_plugins = ["tests.support.stack_fixtures"]


@pytest.fixture(scope="session")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulators]:
    running = start_emulators(tmp_path_factory.mktemp("emulator-logs"), "videovector-test")
    previous = {k: os.environ.get(k) for k in running.env}
    os.environ.update(running.env)
    try:
        yield running
    finally:
        running.stop()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def cloud(emulators: Emulators) -> Container:
    """A container whose adapters talk to the emulators."""
    from infra.local.provision import provision

    container = Container(Settings())
    provision(container, {})
    return container


@pytest.fixture
def user_id() -> str:
    """A fresh tenant per test: tests share emulators, never data."""
    return f"user-{uuid.uuid4().hex[:12]}"
