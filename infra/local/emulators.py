"""The three Google emulators, started for real: Firestore and Pub/Sub from gcloud, GCS from
the gcp-storage-emulator package."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from infra.local.processes import (
    PORT,
    ManagedProcess,
    free_port,
    port_in_use,
    start_all,
    stop_all,
)

PORT_RELEASE_SECONDS = 30.0


@dataclass
class Emulators:
    project_id: str
    firestore_port: int
    pubsub_port: int
    storage_port: int
    processes: list[ManagedProcess]

    @property
    def env(self) -> dict[str, str]:
        return {
            "GOOGLE_CLOUD_PROJECT": self.project_id,
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{self.firestore_port}",
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{self.pubsub_port}",
            "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{self.storage_port}",
        }

    def stop(self) -> None:
        stop_all(self.processes)

    def restart_pubsub(self) -> None:
        """Kill the Pub/Sub emulator (SIGKILL) and start it again on the same port. It keeps
        everything in memory: it comes back without topics, subscriptions or messages."""
        process = next(p for p in self.processes if p.name == "pubsub-emulator")
        process.kill()
        deadline = time.monotonic() + PORT_RELEASE_SECONDS
        while port_in_use(self.pubsub_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        process.start().wait_ready(timeout=90)


def start_emulators(
    log_dir: Path,
    project_id: str,
    firestore_port: int | None = None,
    pubsub_port: int | None = None,
    storage_port: int | None = None,
) -> Emulators:
    """The three emulators, on the ports given or free ones; one that loses its port to
    someone else is started again on another (``ManagedProcess.run``)."""
    gcs_cli = str(Path(sys.executable).with_name("gcp-storage-emulator"))
    firestore = ManagedProcess(
        "firestore-emulator",
        ["gcloud", "emulators", "firestore", "start", f"--host-port=127.0.0.1:{PORT}"],
        log_dir / "firestore-emulator.log",
        f"http://127.0.0.1:{PORT}/",
        port=firestore_port or free_port(),
    )
    pubsub = ManagedProcess(
        "pubsub-emulator",
        [
            "gcloud",
            "beta",
            "emulators",
            "pubsub",
            "start",
            f"--host-port=127.0.0.1:{PORT}",
            f"--project={project_id}",
        ],
        log_dir / "pubsub-emulator.log",
        f"http://127.0.0.1:{PORT}/",
        port=pubsub_port or free_port(),
    )
    storage = ManagedProcess(
        "storage-emulator",
        [gcs_cli, "start", "--host", "127.0.0.1", "--port", PORT, "--in-memory", "-q"],
        log_dir / "storage-emulator.log",
        f"http://127.0.0.1:{PORT}/storage/v1/b",
        port=storage_port or free_port(),
    )
    processes = [firestore, pubsub, storage]
    try:
        start_all(processes, timeout=90)
    except BaseException:
        stop_all(processes)
        raise
    return Emulators(
        project_id, firestore.port or 0, pubsub.port or 0, storage.port or 0, processes
    )
