"""Parse request bodies and query strings into strict pydantic models."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

# RecordId is declared beside the id pattern; request models import it from here.
from shared.domain.identifiers import RecordId as RecordId
from shared.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

M = TypeVar("M", bound=BaseModel)

# Deeper than any body the API describes; json.loads recurses per level (a body nested 1,000
# deep was a RecursionError, a 500), so depth is bounded here, at the edge.
MAX_JSON_DEPTH = 64


class StrictModel(BaseModel):
    """Rejects unknown fields: a typo in a request is an error, not a silent default."""

    # defer_build: built on first use, not at import (decision 053: cold starts).
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=False, frozen=True, defer_build=True
    )


def validation_details(exc: PydanticValidationError) -> dict[str, Any]:
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        problem: dict[str, Any] = {
            "field": ".".join(str(part) for part in err["loc"]) or "body",
            "message": err["msg"],
            "type": err["type"],
        }
        context = {k: v for k, v in (err.get("ctx") or {}).items() if _is_plain(v)}
        if context:
            problem["limit"] = context
        problems.append(problem)
    return {"errors": problems}


def _is_plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def validate(model: type[M], data: Any, *, json_body: bytes | None = None) -> M:
    """Validate ``data``; given the raw ``json_body``, validate that strictly with JSON's
    types instead (``true`` is not an integer, ``"12"`` is not a number), as a body must be.
    Query strings keep lax parsing: every value in them is text."""
    try:
        if json_body is not None:
            return model.model_validate_json(json_body, strict=True)
        return model.model_validate(data)
    except PydanticValidationError as exc:
        details = validation_details(exc)
        fields = ", ".join(p["field"] for p in details["errors"])
        raise ValidationFailed(f"Invalid fields: {fields}.", details=details) from exc


def parse_json(raw: bytes, content_type: str | None, max_bytes: int) -> Any:
    if len(raw) > max_bytes:
        raise PayloadTooLarge(
            f"The body is larger than {max_bytes} bytes.", details={"max_bytes": max_bytes}
        )
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype != "application/json":
        raise UnsupportedMediaType(
            "Send the body as application/json.", details={"content_type": mimetype or None}
        )
    too_deep = InvalidRequest(
        f"The body is nested deeper than {MAX_JSON_DEPTH} levels.",
        code="invalid_json",
        details={"max_depth": MAX_JSON_DEPTH},
    )
    try:
        data = load_json_text(raw)
    except UnicodeEncodeError as exc:
        raise InvalidRequest(
            "The body escapes a lone surrogate (such as \\ud800), which no text can hold.",
            code="invalid_json",
        ) from exc
    except (UnicodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest("The body is not valid UTF-8 JSON.", code="invalid_json") from exc
    except RecursionError as exc:
        raise too_deep from exc
    # Fewer openers than the limit cannot nest past it (every ordinary body): skip the walk.
    openers = raw.count(b"[") + raw.count(b"{")
    if openers > MAX_JSON_DEPTH and json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise too_deep
    return data


def load_json_text(raw: bytes) -> Any:
    """``json.loads`` of UTF-8 bytes that also refuses an escaped lone surrogate
    (``"\\ud800"``): JSON's grammar allows it, but no UTF-8 text can hold it, so pydantic's JSON
    parser, Firestore and every client would fail on it later. Raises ``UnicodeError`` for
    that, as for bytes that are not UTF-8."""
    data = json.loads(raw.decode("utf-8"))
    if b"\\u" in raw:  # only an escape can make a surrogate: an ordinary body skips the check
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    return data


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep: level by level, no recursion."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        deeper = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, dict | list):
                    deeper.append(child)
        level = deeper
        depth += 1
    return False


def _is_list_field(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list_field(arg) for arg in typing.get_args(annotation))


def refuse_query_parameters(names: Iterable[str]) -> None:
    """For an endpoint without a query model: any parameter is refused, as a declared model
    refuses one it does not name (``extra="forbid"``), not silently ignored."""
    errors = [
        {"field": name, "message": "Extra inputs are not permitted", "type": "extra_forbidden"}
        for name in names
    ]
    if errors:
        raise ValidationFailed(
            "This endpoint takes no query parameters.", details={"errors": errors}
        )


def query_to_dict(model: type[BaseModel], multi: dict[str, list[str]]) -> dict[str, Any]:
    """List fields accept repeated keys and comma-separated values; a repeated scalar is an
    error rather than a silent pick of one value."""
    data: dict[str, Any] = {}
    for key, values in multi.items():
        field = model.model_fields.get(key)
        if field is not None and _is_list_field(field.annotation):
            data[key] = [part for v in values for part in v.split(",") if part != ""]
        elif len(values) > 1:
            raise ValidationFailed(
                f"Query parameter '{key}' was given more than once.",
                details={"errors": [{"field": key, "message": "given more than once"}]},
            )
        else:
            data[key] = values[0]
    return data
