"""Who is calling, and what they may do."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

API_KEY_PREFIX = "sk_live_"
API_KEY_RE = re.compile(r"^sk_live_[0-9a-f]{48}$")


class Scope(StrEnum):
    SEARCH = "search"
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Scope.SEARCH: 0, Scope.READ: 1, Scope.WRITE: 2, Scope.ADMIN: 3}


@dataclass(frozen=True)
class Principal:
    user_id: str
    scopes: frozenset[Scope]
    key_id: str

    def allows(self, needed: Scope) -> bool:
        """Scopes rank search < read < write < admin: a higher scope grants the lower ones."""
        return any(scope.rank >= needed.rank for scope in self.scopes)


@dataclass(frozen=True)
class ApiKeyRecord:
    key_hash: str
    user_id: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return self.key_hash[:16]

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or self.expires_at > now


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_hex(24)
