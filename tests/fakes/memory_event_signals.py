"""In-memory doorbell and dead-letter sink for unit tests: they keep what they were given."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from shared.domain.event_log import Position
from shared.domain.ports import DeadLetters, Doorbell


class InMemoryDoorbell(Doorbell):
    def __init__(self) -> None:
        self.rings: list[tuple[str, Position]] = []
        self._lock = threading.Lock()

    def ring(self, user_id: str, position: Position) -> None:
        with self._lock:
            self.rings.append((user_id, position))


@dataclass(frozen=True)
class DeadLetter:
    data: bytes
    reason: str
    detail: str
    attributes: dict[str, str]


class InMemoryDeadLetters(DeadLetters):
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []
        self._lock = threading.Lock()

    def send(self, data: bytes, reason: str, detail: str, attributes: dict[str, str]) -> None:
        with self._lock:
            self.letters.append(DeadLetter(data, reason, detail, dict(attributes)))
