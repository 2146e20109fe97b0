"""Keyless preview links: ``<base>/api/v2/previews/<token>`` URLs an ``<img>`` tag can load.

The token names the owner, the media and the preview spec, and carries an expiry, all
encrypted and authenticated (AES-SIV, with a key derived from a secret shared by the functions
that issue and serve links): unreadable and unforgeable (decision 013). Verifying a token
costs no I/O; the endpoint still re-reads the owner's record, so a deleted video stops
loading at once. Expiries are rounded up to the next window, so a link stays the same for
a while and browsers can cache the image (see decision 030).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.clock import utcnow
from shared.domain.previews import (
    AnimationFormat,
    FitMode,
    GifSpec,
    ImageFormat,
    PreviewSpec,
    StoryboardSpec,
    ThumbnailSpec,
)
from shared.errors import NotFound
from shared.services.sealed_box import ClaimBox
from shared.services.sealed_claims import require_secret

PREVIEW_PATH = "/api/v2/previews/"
DEFAULT_LINK_TTL_SECONDS = 3600
MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True)
class PreviewTicket:
    """What a valid token grants: one preview of one of the owner's media, until ``expires``."""

    user_id: str
    video_id: str
    spec: PreviewSpec
    expires: int  # unix seconds


def _spec_fields(spec: PreviewSpec) -> dict[str, object]:
    if isinstance(spec, StoryboardSpec):
        return {"k": "s", "f": spec.format.value}
    if isinstance(spec, ThumbnailSpec):
        thumb: dict[str, object] = {
            "k": "t", "t": spec.time_ms, "w": spec.width, "f": spec.format.value
        }  # fmt: skip
        if spec.height:
            thumb["h"] = spec.height
        if spec.fit is not FitMode.PRESERVE:
            thumb["m"] = spec.fit.value
        return thumb
    fields: dict[str, object] = {
        "k": "g", "s": spec.start_ms, "d": spec.duration_ms, "w": spec.width, "r": spec.fps
    }  # fmt: skip
    if spec.format is not AnimationFormat.GIF:  # a GIF's token stays what it always was
        fields["a"] = spec.format.value
    return fields


def _spec_from(fields: dict[str, Any]) -> PreviewSpec:
    if fields["k"] == "t":
        return ThumbnailSpec(
            int(fields["t"]),
            int(fields["w"]),
            ImageFormat(fields["f"]),
            int(fields["h"]) if "h" in fields else None,
            FitMode(fields.get("m", "preserve")),
        )
    if fields["k"] == "g":
        return GifSpec(
            int(fields["s"]),
            int(fields["d"]),
            int(fields["w"]),
            int(fields["r"]),
            AnimationFormat(fields.get("a", "gif")),
        )
    if fields["k"] == "s":
        return StoryboardSpec(ImageFormat(fields["f"]))
    raise ValueError("unknown preview kind")


class PreviewLinks:
    def __init__(
        self,
        secret: bytes,
        base_url: str,
        ttl_seconds: int = DEFAULT_LINK_TTL_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        require_secret(secret, "preview link")
        self._seal = ClaimBox(secret, b"videovector preview links v2")
        self._base_url = base_url.rstrip("/")
        self._ttl = ttl_seconds
        self._clock = clock

    def url(self, user_id: str, video_id: str, spec: PreviewSpec) -> str:
        return f"{self._base_url}{PREVIEW_PATH}{self.token(user_id, video_id, spec)}"

    def token(self, user_id: str, video_id: str, spec: PreviewSpec) -> str:
        now = self._clock().timestamp()
        # Valid for between one and two windows; the same link for a whole window.
        expires = (math.floor(now / self._ttl) + 2) * self._ttl
        fields = {"u": user_id, "v": video_id, "e": expires, **_spec_fields(spec)}
        return self._seal.seal(fields)

    def verify(self, token: str) -> PreviewTicket:
        """The ticket of a genuine, unexpired token; anything else is a plain 404."""
        missing = NotFound("No such preview.")
        fields = self._seal.open(token) if len(token) <= MAX_TOKEN_LENGTH else None
        if fields is None:
            raise missing
        try:
            ticket = PreviewTicket(
                str(fields["u"]), str(fields["v"]), _spec_from(fields), int(fields["e"])
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise missing from exc
        if ticket.expires <= self._clock().timestamp():
            raise missing
        return ticket
