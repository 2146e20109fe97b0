"""Strict parsing of the ``gs://`` URIs clients send.

A URI is never used as a path: it is parsed, rejected at the first oddity, and then compared
with the caller's own records. HTTP clients normalise ``..`` and ``%2F`` (notes/emulators.md),
so anything that could mean two things is refused rather than cleaned up.
"""

from __future__ import annotations

import re
import unicodedata

from shared.domain.stored_objects import GS_SCHEME, ObjectAddress

MAX_URI_LENGTH = 1200
MAX_OBJECT_NAME_BYTES = 1024  # the GCS limit
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$")
_FORBIDDEN_MARKS = frozenset("\\%?#")  # backslash, percent, query and fragment marks
# Controls, format characters (zero-width, bidi controls and isolates, soft hyphen, tags),
# lone surrogates, line and paragraph separators and every space but " ": names a person can
# read twice and get two answers. By category, so that no invisible character is left out.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})


def _is_forbidden(char: str) -> bool:
    if char in _FORBIDDEN_MARKS:
        return True
    return char != " " and unicodedata.category(char) in _INVISIBLE_CATEGORIES


def parse_object_uri(uri: str) -> ObjectAddress:
    """``gs://bucket/name`` with a canonical name, or ``ValueError`` naming what is wrong."""
    if len(uri) > MAX_URI_LENGTH:
        raise ValueError("uri too long")
    if not uri.startswith(GS_SCHEME):
        raise ValueError("not a gs:// uri")
    if any(_is_forbidden(char) for char in uri):
        raise ValueError("control character, odd space, backslash, % or query/fragment")
    bucket, _, name = uri[len(GS_SCHEME) :].partition("/")
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise ValueError("bad bucket name")
    if not name or len(name.encode()) > MAX_OBJECT_NAME_BYTES:
        raise ValueError("empty or over-long object name")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise ValueError("empty, '.' or '..' path segment")
    return ObjectAddress(bucket, name)
