"""Each deployable bundle boots ALONE: from its own folder, with no PYTHONPATH to the repository,
under the server production uses, and answers a request through its real code path. A file
missing from a bundle fails here, not in production."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.bundle import build_bundle, zip_bundle
from infra.local.emulators import Emulators
from infra.local.processes import ManagedProcess, free_port
from infra.local.routes import FunctionSpec, load_table
from shared.bootstrap import Container

pytestmark = pytest.mark.emulator
FUNCTIONS, ENDPOINTS = load_table()


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles")
    for spec in FUNCTIONS.values():
        zip_bundle(build_bundle(spec, out))
    return out


@pytest.fixture
def clean_env(emulators: Emulators, cloud: Container) -> dict[str, str]:
    """This process's environment without any path back to the repository."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    return {**env, **emulators.env, "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def _server_argv(spec: FunctionSpec, port: int) -> list[str]:
    if spec.kind == "asgi":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            spec.target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    signature = "cloudevent" if spec.kind == "cloudevent" else "http"
    return [
        sys.executable,
        "-m",
        "functions_framework",
        "--target",
        spec.target,
        "--source",
        "main.py",
        "--signature-type",
        signature,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@pytest.fixture
def booted(
    request: pytest.FixtureRequest, bundles: Path, clean_env: dict[str, str]
) -> Iterator[tuple[FunctionSpec, str]]:
    spec = FUNCTIONS[request.param]
    folder = bundles / spec.name
    port = free_port()
    process = ManagedProcess(
        spec.name,
        _server_argv(spec, port),
        folder.parent / f"{spec.name}.log",
        f"http://127.0.0.1:{port}/",
        env=clean_env,
        cwd=folder,
        inherit_env=False,
    )
    try:
        process.start().wait_ready(timeout=60)
        yield spec, f"http://127.0.0.1:{port}"
    except (RuntimeError, TimeoutError) as error:
        pytest.fail(f"{spec.name} did not boot alone: {error}\n{process.log_path.read_text()}")
    finally:
        process.stop()


def _sample_request(function: str) -> tuple[str, str]:
    endpoint = next(e for e in ENDPOINTS if e.function == function)
    return endpoint.method, endpoint.path.replace("{", "x").replace("}", "")


def _push_body() -> dict[str, object]:
    """A Pub/Sub push envelope whose message the function must turn away without crashing."""
    data = base64.b64encode(json.dumps({"not": "a valid message"}).encode()).decode()
    return {
        "message": {
            "data": data,
            "messageId": "bundle-boot-1",
            "attributes": {},
            "publishTime": "2026-01-01T00:00:00Z",
        },
        "subscription": "projects/videovector-test/subscriptions/bundle-boot",
    }


def test_bundle_does_not_see_the_repository(bundles: Path, clean_env: dict[str, str]) -> None:
    name = next(iter(FUNCTIONS))
    probe = [sys.executable, "-c", "import shared; print(shared.__file__)"]
    inside = subprocess.run(
        probe, cwd=bundles / name, env=clean_env, capture_output=True, text=True, check=True
    )
    assert inside.stdout.strip().startswith(str(bundles / name / "shared"))
    outside = subprocess.run(probe, cwd=bundles, env=clean_env, capture_output=True, text=True)
    assert outside.returncode != 0 and "ModuleNotFoundError" in outside.stderr


def test_bundle_holds_code_shared_and_pinned_requirements(bundles: Path) -> None:
    for spec in FUNCTIONS.values():
        folder = bundles / spec.name
        assert (folder / "shared" / "bootstrap.py").is_file(), spec.name
        assert (folder / "main.py").is_file() or spec.kind == "asgi", spec.name
        requirements = (folder / "requirements.txt").read_text().splitlines()
        pins = [r for r in requirements if r.strip() and not r.startswith("#")]
        assert pins and all("==" in r for r in pins), spec.name
        assert (bundles / f"{spec.name}.zip").stat().st_size > 0


def test_zips_are_reproducible(bundles: Path, tmp_path: Path) -> None:
    spec = next(iter(FUNCTIONS.values()))
    again = zip_bundle(build_bundle(spec, tmp_path))
    assert again.read_bytes() == (bundles / f"{spec.name}.zip").read_bytes()


@pytest.mark.parametrize("booted", sorted(FUNCTIONS), indirect=True)
def test_bundle_boots_alone_and_answers(booted: tuple[FunctionSpec, str]) -> None:
    spec, base_url = booted
    with httpx.Client(base_url=base_url, timeout=30) as client:
        if spec.kind == "cloudevent":
            response = client.post("/", json=_push_body())
            assert response.status_code < 500, response.text
            return
        response = client.request(*_sample_request(spec.name))
    assert response.status_code in {401, 404}, response.text
    assert set(response.json()["error"]) >= {"code", "message", "request_id"}
