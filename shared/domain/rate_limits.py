"""Per-key request budgets in fixed one-minute windows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    key_id: str
    start: int  # epoch seconds, a multiple of ``length``
    length: int

    @property
    def doc_id(self) -> str:
        return f"{self.key_id}-{self.start}"

    def seconds_left(self, now: float) -> int:
        return max(1, int(self.start + self.length - now + 0.999))


def window_at(key_id: str, now: float, length: int = 60) -> Window:
    return Window(key_id, int(now) - int(now) % length, length)
