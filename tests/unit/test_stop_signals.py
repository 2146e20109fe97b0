"""make dev's one stop path: the first stop signal raises once; later ones never abort the
clean-up (an echo within a second is ignored, a later one kills what is left)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from infra.local import stop_signals
from infra.local.stop_signals import STOP_SIGNALS, StopRequested, StopSignals


@pytest.fixture
def signals(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StopSignals, list[str]]]:
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    kills: list[str] = []
    monkeypatch.setattr(stop_signals, "kill_all_now", lambda: kills.append("kill"))
    try:
        yield StopSignals().install(), kills
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@pytest.mark.parametrize("first", STOP_SIGNALS)
def test_the_first_stop_signal_raises_once(first: signal.Signals, signals) -> None:  # type: ignore[no-untyped-def]
    handler, kills = signals
    with pytest.raises(StopRequested) as raised:
        os.kill(os.getpid(), first)
    assert raised.value.signum == first and handler.stopping
    os.kill(os.getpid(), signal.SIGTERM)  # make forwarding the group's SIGTERM: an echo
    assert kills == []


def test_a_later_signal_kills_what_is_left_without_raising(signals, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler, kills = signals
    with pytest.raises(StopRequested):
        os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(stop_signals, "ECHO_SECONDS", -1.0)  # as if a second had passed
    os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGHUP)
    assert kills == ["kill", "kill"]
    assert handler.received == ["SIGINT", "SIGINT", "SIGHUP"]
