"""Booting one bundle for the cold-start bench (``bench/cold_start_bench.py``): the targets
(each bundle and a bare functions-framework "hello"), the environment they boot in (no
emulator: hosts point at a closed port), one timed boot to the first answer with the CPU its
processes used, and ``-X importtime`` of a bundle's ``main``."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from infra.bundle import build_all, pinned_requirements
from infra.local.processes import free_port
from infra.local.routes import FunctionSpec, load_table

HELLO = "hello"
HELLO_MAIN = """import functions_framework


@functions_framework.http
def hello(request):
    return "hello"
"""
CLOSED_PORT = "127.0.0.1:9"
BOOT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "http", "cloudevent" or "asgi"
    entry: str
    folder: Path
    method: str
    path: str


def _hello_bundle(out: Path) -> Path:
    folder = out / HELLO
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "main.py").write_text(HELLO_MAIN)
    pin = pinned_requirements()["functions-framework"]
    (folder / "requirements.txt").write_text(pin + "\n")
    return folder


def targets(names: list[str] | None, out: Path) -> list[Target]:
    functions, endpoints = load_table()
    chosen = sorted(names or functions)
    build_all(chosen, out)
    targets = [Target(HELLO, "http", HELLO, _hello_bundle(out), "GET", "/")]
    for name in chosen:
        spec: FunctionSpec = functions[name]
        method, path = "POST", "/"
        if spec.kind != "cloudevent":
            endpoint = next(e for e in endpoints if e.function == name and e.scope is not None)
            method, path = endpoint.method, re.sub(r"\{[^}]+\}", "bench", endpoint.path)
        targets.append(Target(name, spec.kind, spec.target, out / name, method, path))
    return targets


def environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {
        **env,
        "GOOGLE_CLOUD_PROJECT": "videovector-bench",
        "FIRESTORE_EMULATOR_HOST": CLOSED_PORT,
        "PUBSUB_EMULATOR_HOST": CLOSED_PORT,
        "STORAGE_EMULATOR_HOST": f"http://{CLOSED_PORT}",
        "VV_RELAY_DOORBELL": "poll",  # a subscription would wait on the closed port
        # Production refuses to start without its secrets (decision 006): bench values.
        "VV_PREVIEW_LINK_SECRET": "bench-preview-link-secret-0123456789",
        "VV_STREAM_TOKEN_SECRET": "bench-stream-token-secret-0123456789",
        "OMP_NUM_THREADS": "1",
    }


def _argv(target: Target, python: Path, port: int) -> list[str]:
    if target.kind == "asgi":
        server = ["-m", "uvicorn", target.entry, "--no-access-log", "--log-level", "warning"]
        return [str(python), *server, "--host", "127.0.0.1", "--port", str(port)]
    signature = "cloudevent" if target.kind == "cloudevent" else "http"
    return [
        str(python),
        "-m",
        "functions_framework",
        "--target",
        target.entry,
        "--signature-type",
        signature,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def _ask(target: Target, port: int) -> int | None:
    """The status of one request, or None while nothing listens yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = b"{not a cloud event" if target.kind == "cloudevent" else None
        headers = {"Content-Type": "application/json"} if body else {}
        connection.request(target.method, target.path, body=body, headers=headers)
        return connection.getresponse().status
    except ConnectionError:
        return None
    finally:
        connection.close()


@dataclass(frozen=True)
class Boot:
    seconds: float  # wall clock, process start to the first answer
    cpu_seconds: float  # CPU the server's processes had used by then (user + system)
    status: int


def _cpu_of_group(group: int) -> float:
    """CPU seconds used so far by every live process of a process group (Linux ``/proc``):
    gunicorn answers from a worker it forked after importing the app."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def boot_once(target: Target, python: Path, env: dict[str, str]) -> Boot:
    """Boot ``target`` alone, ask it once, stop it."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        _argv(target, python, port),
        cwd=target.folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        while True:
            status = _ask(target, port)
            if status is not None:
                seconds = time.perf_counter() - started
                return Boot(seconds, _cpu_of_group(process.pid), status)
            if process.poll() is not None:
                _, errors = process.communicate()
                raise RuntimeError(f"{target.name} exited:\n{errors.decode()}")
            if time.perf_counter() - started > BOOT_TIMEOUT:
                raise TimeoutError(f"{target.name} answered nothing in {BOOT_TIMEOUT}s")
            time.sleep(0.005)
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have exited on its own
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def import_times(
    folder: Path, python: Path, env: dict[str, str], repeat: int = 3
) -> list[tuple[int, int, str]]:
    """``python -X importtime -c 'import main'``: (self µs, cumulative µs, module) per module,
    each the least of ``repeat`` runs (the machine is shared: the least is the least disturbed)."""
    best: dict[str, tuple[int, int]] = {}
    for _ in range(repeat):
        done = subprocess.run(
            [str(python), "-X", "importtime", "-c", "import main"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if found:
                own, cumulative = int(found[1]), int(found[2])
                seen = best.get(found[4], (own, cumulative))
                best[found[4]] = (min(seen[0], own), min(seen[1], cumulative))
    return [(own, cumulative, module) for module, (own, cumulative) in best.items()]
