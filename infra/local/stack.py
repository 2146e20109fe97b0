"""The whole local stack in one command (``make dev``): the three emulators, every function
of ``infra/routes.json`` under functions-framework, the gateway on one port, and a demo user.

Writes ``.local/dev.env`` for tools. Ctrl-C, SIGTERM, SIGHUP (the terminal closed) all stop
everything it started; so does its watchdog if it is killed (docs/decisions/051). The
end-to-end tests start the very same stack on free ports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from infra.local import dev_lock
from infra.local.demo import DEMO_USER_ID, create_demo_user
from infra.local.demo_media import ingest_demo_media_in_background
from infra.local.emulators import Emulators, start_emulators
from infra.local.processes import (
    PORT,
    ManagedProcess,
    free_port,
    held_socket,
    restart_exited,
    start_all,
    stop_all,
)
from infra.local.provision import provision
from infra.local.routes import FunctionSpec, load_table
from infra.local.stop_signals import StopRequested, StopSignals
from infra.local.watchdog import watchdog
from shared.bootstrap import Container
from shared.config import Settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT_ID = "videovector-local"
# How often the running stack looks for functions that exited, to start them again.
SUPERVISE_SECONDS = 1.0


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
    gateway_socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start(self, *, emulators: Emulators | None = None, demo: bool = True) -> LocalStack:
        """Start everything. ``gateway_port`` 0 takes any free port; the gateway's port is
        held from here on (``held_socket``), so it cannot be lost while the rest starts."""
        logs = self.state_dir / "logs"
        try:
            if self.gateway_socket is None:
                self.gateway_socket = held_socket(self.gateway_port)
            self.gateway_port = self.gateway_socket.getsockname()[1]
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
            started = [self._function_process(spec, logs) for spec in functions.values()]
            self.processes.extend(started)
            # Topics first: the relay subscribes to the doorbell topic as it starts.
            container = self._setup_container()
            provision(container, self.function_urls)
            start_all(started)
            moved = {p.name: f"http://127.0.0.1:{p.port}" for p in started}
            if moved != self.function_urls:  # one lost its port: push to where it runs now
                self.function_urls.update(moved)
                provision(container, self.function_urls)
            gateway = self._gateway_process(logs)
            self.processes.append(gateway)
            gateway.start()
            self.gateway_socket.close()  # the gateway holds it now
            gateway.run(timeout=60)
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
        process = function_process(spec, self.env, logs)
        self.function_urls[spec.name] = f"http://127.0.0.1:{process.port}"
        return process

    def _gateway_process(self, logs: Path) -> ManagedProcess:
        return gateway_process(
            self.gateway_port, self.function_urls, self.env, logs, sock=self.gateway_socket
        )

    def dev_env(self) -> dict[str, str]:
        assert self.emulators is not None
        issuers = os.environ.get("VV_BEARER_ISSUERS")
        return {
            "VV_BASE_URL": self.base_url,
            "VV_API_KEY": self.api_key,
            "VV_USER_ID": DEMO_USER_ID,
            # Tools run against this stack are local development too, said explicitly.
            "VV_ENVIRONMENT": "local",
            **self.emulators.env,
            # The issuers this stack trusts, so tools (make bearer-subject) judge as it does.
            **({"VV_BEARER_ISSUERS": issuers} if issuers else {}),
        }

    def stop(self, include_emulators: bool = True) -> None:
        stop_all(self.processes)
        self.processes.clear()
        if self.gateway_socket is not None:
            self.gateway_socket.close()
        if include_emulators and self.emulators is not None:
            self.emulators.stop()


def function_process(
    spec: FunctionSpec,
    env: dict[str, str],
    logs: Path,
    name: str | None = None,
    **overrides: str,
) -> ManagedProcess:
    """One function of the route table served locally on a free port (started again on
    another if it loses the port), with the stack's ``env`` and its own ``overrides``; the
    security tests start second instances with small budgets through it."""
    name = name or spec.name
    port = free_port()
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
            PORT,
            "--no-access-log",
            # As deployed (infra/bundle.py): open streams get 5 s to finish on SIGTERM.
            "--timeout-graceful-shutdown",
            "5",
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
            PORT,
            "--signature-type",
            "cloudevent" if spec.kind == "cloudevent" else "http",
        ]
    return ManagedProcess(
        name,
        argv,
        logs / f"{name}.log",
        f"http://127.0.0.1:{PORT}/",
        env={**env, **spec.extra.get("env", {}), **overrides},
        cwd=source,
        port=port,
    )


def gateway_process(
    port: int,
    upstreams: dict[str, str],
    env: dict[str, str],
    logs: Path,
    name: str = "gateway",
    sock: socket.socket | None = None,
) -> ManagedProcess:
    """The gateway on ``port``, routing each path to its function's base URL in ``upstreams``
    (a test may put one in front of a function started with settings of its own). Given
    ``sock`` (listening on ``port``), the gateway serves on that very socket."""
    if sock:  # the held socket, served with TCP_NODELAY (gateway.serve_on_fd)
        argv = [sys.executable, "-m", "infra.local.gateway", "--fd", str(sock.fileno())]
    else:
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
        pass_fds=(sock.fileno(),) if sock else (),
    )


def _say(message: str) -> None:
    """Print, unless the terminal is gone (SIGHUP: it was closed) or the pipe was cut."""
    with contextlib.suppress(OSError):
        print(message, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole local stack.")
    parser.add_argument("--port", type=int, default=8080, help="gateway port (0: any)")
    parser.add_argument(
        "--state-dir", type=Path, default=ROOT / ".local", help="lock, dev.env and logs"
    )
    parser.add_argument("--no-demo-media", action="store_true", help="do not upload the demo media")
    args = parser.parse_args()
    signals = StopSignals().install()
    state_dir = args.state_dir.resolve()
    try:
        claim = dev_lock.claim(state_dir, args.port, say=_say)
    except StopRequested:
        return
    owner = watchdog(state_dir / "logs" / "watchdog.log")
    claim.record(owner.token)
    stack = LocalStack(state_dir=state_dir, gateway_port=args.port, gateway_socket=claim.gateway)
    try:
        _say(f"Starting emulators and functions (logs in {state_dir / 'logs'}) ...")
        stack.start()
        claim.env_file.write_text("".join(f"{k}={v}\n" for k, v in stack.dev_env().items()))
        owner.remove_on_exit(claim.env_file)  # even if this process is SIGKILLed
        _say(f"VV_BASE_URL={stack.base_url}\nVV_API_KEY={stack.api_key}")
        _say(f"Everything else is in {claim.env_file}. Ctrl-C stops the stack.")
        if not args.no_demo_media:
            ingest_demo_media_in_background(
                Container(Settings()), state_dir / "demo-media", DEMO_USER_ID
            )
        while True:  # a signal ends it (StopRequested)
            time.sleep(SUPERVISE_SECONDS)
            # A function that exits (a crash, the relay killed) starts again, as Cloud Run
            # starts a new instance: clients resume instead of meeting a 503 until the next
            # `make dev`. Not the gateway, nor the emulators, whose data would be gone.
            restart_exited([p for p in stack.processes if p.name in stack.function_urls], _say)
    except StopRequested as stop:
        _say(f"{stop.args[0]}: stopping ...")
    finally:
        signals.begin_stop()
        stack.stop()
        claim.release()
        owner.keep(claim.env_file)
        _say("Stopped.")


if __name__ == "__main__":
    main()
