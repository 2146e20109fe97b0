"""Bearer tokens: the issuers a deployment trusts, what a verified token says, and the ports
that verify tokens and link their subjects to users (decision 007)."""

from __future__ import annotations

import functools
import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from shared.domain.principals import Scope

# A bearer token acts for the signed-in account, not for a key with chosen scopes: it gets the
# account's full user scope. Admin stays with admin API keys (decision 007).
BEARER_SCOPES = frozenset({Scope.WRITE})
# Principals of bearer tokens carry key ids of this shape (rate limits and budgets use them).
BEARER_KEY_ID_PREFIX = "bearer-"
MAX_SUBJECT_LENGTH = 256
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class BearerIssuer(BaseModel):
    """One issuer a deployment trusts: tokens whose ``iss`` is exactly ``issuer`` are checked
    against the keys at ``jwks_url``; ``aud`` must be one of ``audiences`` (or absent, when
    ``audiences`` is empty); the user is found by the ``subject_claim`` claim."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str = Field(min_length=1, max_length=512)
    jwks_url: str = Field(min_length=1, max_length=2048)
    audiences: tuple[str, ...] = ()
    subject_claim: str = Field(default="sub", min_length=1, max_length=64)

    @field_validator("jwks_url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        # Keys fetched in clear text could be swapped in transit; only a local test issuer may
        # serve them over plain HTTP.
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value
        if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
            return value
        raise ValueError("jwks_url must be https (plain http only on a loopback address)")


@functools.cache
def _issuers_adapter() -> TypeAdapter[tuple[BearerIssuer, ...]]:
    # Built on first use: most deployments trust no issuer, and a function's start pays for
    # every schema built at import (docs/performance.md, cold start).
    return TypeAdapter(tuple[BearerIssuer, ...])


def parse_bearer_issuers(raw: str) -> tuple[BearerIssuer, ...]:
    """The issuers of ``VV_BEARER_ISSUERS`` (a JSON list); empty text trusts none."""
    if not raw.strip():
        return ()
    issuers = _issuers_adapter().validate_python(json.loads(raw))
    names = [issuer.issuer for issuer in issuers]
    if len(set(names)) != len(names):
        raise ValueError("VV_BEARER_ISSUERS names an issuer twice")
    return issuers


@dataclass(frozen=True)
class VerifiedToken:
    """What a token whose signature, issuer, audience and times all held says about its
    caller."""

    issuer: str
    subject: str


def subject_digest(issuer: str, subject: str) -> str:
    """A stable id for one subject of one issuer: a subject may hold any character (a Firestore
    document id may not), and the same ``sub`` at two issuers is two different people."""
    return hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()


@dataclass(frozen=True)
class SubjectLink:
    issuer: str
    subject: str
    user_id: str
    created_at: datetime


class BearerTokenVerifier(ABC):
    @abstractmethod
    def verify(self, token: str) -> VerifiedToken:
        """Raise ``InvalidBearerToken`` unless every check holds; ``ServiceUnavailable`` when
        the issuer's keys cannot be fetched."""


class BearerSubjectStore(ABC):
    @abstractmethod
    def get(self, issuer: str, subject: str) -> SubjectLink | None: ...

    @abstractmethod
    def link(self, link: SubjectLink) -> None:
        """Create or replace the link of ``(issuer, subject)``."""

    @abstractmethod
    def unlink(self, issuer: str, subject: str) -> bool: ...
