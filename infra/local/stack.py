"""The whole local stack in one command (``make dev``): the three emulators, every function
of ``infra/routes.json`` under functions-framework, the gateway on one port, and a demo user.

Writes ``.local/dev.env`` for tools; Ctrl-C stops everything it started. The end-to-end tests
start the very same stack on free ports.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from infra.local.demo import DEMO_USER_ID, create_demo_user
from infra.local.demo_media import ingest_demo_media_in_background
from infra.local.emulators import Emulators, start_emulators
from infra.local.processes import ManagedProcess, free_port, port_in_use, stop_all
from infra.local.provision import provision
from infra.local.routes import FunctionSpec, load_table
from shared.bootstrap import Container
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT_ID = "videovector-local"


@dataclass
class LocalStack:
    state_dir: Path
    gateway_port: int = 8080
    emulators: Emulators | None = None
    processes: list[ManagedProcess] = field(default_factory=list)
    function_urls: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. shorter timeouts in tests
    api_key: str = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start(self, *, emulators: Emulators | None = None, demo: bool = True) -> LocalStack:
        logs = self.state_dir / "logs"
        try:
            self.emulators = emulators or start_emulators(logs, PROJECT_ID)
            self.env = {
                **self.emulators.env,
                "PYTHONPATH": str(ROOT),
                "VV_ENVIRONMENT": "local",
                "OMP_NUM_THREADS": "1",
                # Preview links in JSON point at this gateway, whatever its port.
                "VV_PUBLIC_BASE_URL": self.base_url,
                "VV_SIGNING_KEY_FILE": str(self.state_dir / "dev-signing-key.json"),
                **self.extra_env,
            }
            os.environ.update(self.env)
            functions, _ = load_table()
            for spec in functions.values():
                self.processes.append(self._function_process(spec, logs))
            self.processes.append(self._gateway_process(logs))
            # Topics first: the relay subscribes to the doorbell topic as it starts.
            container = self._setup_container()
            provision(container, self.function_urls)
            for process in self.processes:
                process.start()
            for process in self.processes:
                process.wait_ready(timeout=60)
            if demo:
                self.api_key = create_demo_user(container)
        except BaseException:
            self.stop(include_emulators=emulators is None)
            raise
        return self

    def restart_pubsub(self) -> None:
        """Kill the Pub/Sub emulator, start it on the same port and provision it again.

        The emulator loses its topics and subscriptions with its memory; production's are
        durable and Terraform-managed, so putting them back is the local stack's job (the
        functions' clients reconnect by themselves). Messages it had accepted but not yet
        delivered are lost with it: an emulator property, not production's."""
        assert self.emulators is not None
        self.emulators.restart_pubsub()
        provision(self._setup_container(), self.function_urls)

    @staticmethod
    def _setup_container() -> Container:
        # Setup is not a user request: give freshly started emulators time to warm up.
        return Container(Settings(store_timeout_seconds=60))

    def _function_process(self, spec: FunctionSpec, logs: Path) -> ManagedProcess:
        port = free_port()
        self.function_urls[spec.name] = f"http://127.0.0.1:{port}"
        source = ROOT / spec.source
        if spec.kind == "asgi":
            argv = [
                sys.executable,
                "-m",
                "uvicorn",
                spec.target,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ]
        else:
            argv = [
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
                "--signature-type",
                "cloudevent" if spec.kind == "cloudevent" else "http",
            ]
        return ManagedProcess(
            spec.name,
            argv,
            logs / f"{spec.name}.log",
            f"http://127.0.0.1:{port}/",
            env={**self.env, **spec.extra.get("env", {})},
            cwd=source,
        )

    def _gateway_process(self, logs: Path) -> ManagedProcess:
        return gateway_process(self.gateway_port, self.function_urls, self.env, logs)

    def dev_env(self) -> dict[str, str]:
        assert self.emulators is not None
        return {
            "VV_BASE_URL": self.base_url,
            "VV_API_KEY": self.api_key,
            "VV_USER_ID": DEMO_USER_ID,
            # Tools run against this stack are local development too, said explicitly.
            "VV_ENVIRONMENT": "local",
            **self.emulators.env,
        }

    def stop(self, include_emulators: bool = True) -> None:
        stop_all(self.processes)
        self.processes.clear()
        if include_emulators and self.emulators is not None:
            self.emulators.stop()


def gateway_process(
    port: int, upstreams: dict[str, str], env: dict[str, str], logs: Path, name: str = "gateway"
) -> ManagedProcess:
    """The gateway on ``port``, routing each path to its function's base URL in ``upstreams``
    (a test may put one in front of a function started with settings of its own)."""
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "infra.local.gateway:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return ManagedProcess(
        name,
        argv,
        logs / f"{name}.log",
        f"http://127.0.0.1:{port}/api/v2/",
        env={**env, "VV_GATEWAY_UPSTREAMS": json.dumps(upstreams)},
        cwd=ROOT,
    )


def _take_lock(state_dir: Path) -> IO[str]:
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = (state_dir / "dev.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "another process"
        sys.exit(f"A local stack is already running ({owner}). Stop it with Ctrl-C first.")
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole local stack.")
    parser.add_argument("--port", type=int, default=8080, help="gateway port")
    args = parser.parse_args()
    state_dir = ROOT / ".local"
    lock = _take_lock(state_dir)
    if port_in_use(args.port):
        sys.exit(f"Port {args.port} is already in use; pass PORT=<another> to make dev.")
    stack = LocalStack(state_dir=state_dir, gateway_port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting emulators and functions (logs in .local/logs/) ...", flush=True)
        stack.start()
        env_file = state_dir / "dev.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in stack.dev_env().items()))
        print(f"VV_BASE_URL={stack.base_url}\nVV_API_KEY={stack.api_key}", flush=True)
        print(f"Everything else is in {env_file}. Ctrl-C stops the stack.", flush=True)
        ingest_demo_media_in_background(
            Container(Settings()), state_dir / "demo-media", DEMO_USER_ID
        )
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
        with contextlib.suppress(FileNotFoundError):
            (state_dir / "dev.env").unlink()
        lock.close()


if __name__ == "__main__":
    main()
