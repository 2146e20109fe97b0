"""Each deployable bundle boots ALONE: from its own folder, in a clean virtual environment holding
only its own requirements, with no PYTHONPATH to the repository, under the server production
uses, and answers a request through its real code path. A file or a requirement missing from a
bundle fails here, not in production; so does a fake, demo, CLI or test file shipped in one."""

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

from infra.bundle import ROOT, build_bundle, zip_bundle
from infra.bundle_imports import function_closure, is_excluded
from infra.bundle_venvs import venv_for
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


def _server_argv(spec: FunctionSpec, port: int, python: Path) -> list[str]:
    if spec.kind == "asgi":
        return [
            str(python),
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
        str(python),
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
        _server_argv(spec, port, venv_for(folder)),
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


# Never in a bundle: fakes, scripted analyzer, demo media, CLI, stream client, local-only
# embedder (infra/bundle_imports.py), nor any test code.
def _forbidden(relative: Path) -> bool:
    module = ".".join(relative.with_suffix("").parts)
    return (
        is_excluded(module)
        or relative.name == "conftest.py"
        or relative.name.startswith("test_")
        or "tests" in relative.parts
    )


def test_no_bundle_holds_fake_demo_cli_or_test_code(bundles: Path) -> None:
    for spec in FUNCTIONS.values():
        folder = bundles / spec.name
        shipped = [p.relative_to(folder) for p in folder.rglob("*.py")]
        assert not [p for p in shipped if _forbidden(p)], spec.name
        for path in shipped:
            text = (folder / path).read_text()
            assert "import pytest" not in text and "tests." not in text, f"{spec.name}/{path}"
    # The rule has teeth: those files exist in the repository, next to what is shipped.
    assert _forbidden(Path("tests/fakes/memory_markers.py"))
    assert (ROOT / "tests/fakes/memory_markers.py").is_file()


def test_bundle_ships_the_shared_modules_its_code_imports_and_no_others(bundles: Path) -> None:
    everything = {p.relative_to(ROOT) for p in (ROOT / "shared").rglob("*.py")}
    for spec in FUNCTIONS.values():
        folder = bundles / spec.name
        shipped = {p.relative_to(folder) for p in (folder / "shared").rglob("*.py")}
        imported = {p for p in function_closure(ROOT / spec.source).files if p.parts[0] == "shared"}
        assert shipped == imported, spec.name
        assert len(shipped) < len(everything), spec.name


# Run inside a bundle's own environment: every module of the bundle imports, and every
# third-party name the code imports lazily (inside a function) is installed there too.
IMPORT_PROBE = """
import importlib, json, pathlib, sys
failures = []
for path in sorted(pathlib.Path(".").rglob("*.py")):
    parts = path.with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except Exception as error:
        failures.append(f"{name}: {error!r}")
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        parent, _, attribute = name.rpartition(".")
        try:
            ok = error.name == name and hasattr(importlib.import_module(parent), attribute)
        except ImportError:
            ok = False
        if not ok:
            failures.append(f"{name}: {error!r}")
print(json.dumps(failures))
"""


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_bundle_imports_in_its_own_environment(
    name: str, bundles: Path, clean_env: dict[str, str]
) -> None:
    folder = bundles / name
    third_party = sorted(function_closure(ROOT / FUNCTIONS[name].source).third_party)
    probe = subprocess.run(
        [str(venv_for(folder)), "-c", IMPORT_PROBE, json.dumps(third_party)],
        cwd=folder,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout.splitlines()[-1]) == []
