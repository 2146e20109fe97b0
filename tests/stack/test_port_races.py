"""A child that loses its port (chosen free, taken by someone else before it binds) is started
again on another port, a bounded number of times, with the reason logged (issue #14)."""

from __future__ import annotations

import logging
import socket
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.emulators import start_emulators
from infra.local.processes import PORT, ManagedProcess, PortTaken


@pytest.fixture
def taken_ports() -> Iterator[list[int]]:
    """Ports someone else listens on (and never answers): what a lost race looks like."""
    holders = []
    for _ in range(2):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        holders.append(sock)
    try:
        yield [s.getsockname()[1] for s in holders]
    finally:
        for sock in holders:
            sock.close()


def http_server(tmp_path: Path, port: int) -> ManagedProcess:
    return ManagedProcess(
        "http-server",
        [sys.executable, "-m", "http.server", PORT, "--bind", "127.0.0.1"],
        tmp_path / "http-server.log",
        f"http://127.0.0.1:{PORT}/",
        cwd=tmp_path,
        port=port,
    )


def test_a_server_that_loses_its_port_starts_on_another(
    tmp_path: Path, taken_ports: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    process = http_server(tmp_path, taken_ports[0])
    try:
        with caplog.at_level(logging.WARNING, logger="videovector.local"):
            process.run(timeout=30)
        assert process.port not in taken_ports
        with urllib.request.urlopen(f"http://127.0.0.1:{process.port}/", timeout=5) as reply:
            assert reply.status == 200
        (record,) = [r for r in caplog.records if "lost port" in r.getMessage()]
        assert str(taken_ports[0]) in record.getMessage()
        assert "address already in use" in record.getMessage().lower()
    finally:
        process.stop()


def test_attempts_are_bounded(tmp_path: Path, taken_ports: list[int]) -> None:
    process = http_server(tmp_path, taken_ports[0])
    with pytest.raises(PortTaken):
        process.run(timeout=30, attempts=1)
    assert process.popen is not None and process.popen.poll() is not None


def test_emulators_that_lose_their_ports_start_on_others(
    tmp_path: Path, taken_ports: list[int]
) -> None:
    """Firestore's emulator exits on a taken port; Pub/Sub's logs the BindException and stays
    up without serving: both are noticed and moved."""
    firestore, pubsub = taken_ports
    emulators = start_emulators(
        tmp_path, "videovector-port-race", firestore_port=firestore, pubsub_port=pubsub
    )
    try:
        assert emulators.firestore_port != firestore and emulators.pubsub_port != pubsub
        for port in (emulators.firestore_port, emulators.pubsub_port):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                assert reply.status == 200
    finally:
        emulators.stop()
