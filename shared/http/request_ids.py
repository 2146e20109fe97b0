"""Request ids: taken from the caller when well-formed, otherwise made here."""

from __future__ import annotations

import re
import uuid

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def request_id_from(header_value: str | None) -> str:
    if header_value and _CLIENT_ID.fullmatch(header_value):
        return header_value
    return "req_" + uuid.uuid4().hex
