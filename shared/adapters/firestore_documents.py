"""Dataclass records to Firestore documents and back (enums as their values)."""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast

T = TypeVar("T")


def to_document(record: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_document(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_document(cls: type[T], doc: dict[str, Any]) -> T:
    """Build ``cls`` from a document, ignoring fields the record does not declare (a newer
    writer may add some), converting enums and nested record lists."""
    hints = _hints(cast(Any, cls))
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in doc:
            kwargs[f.name] = _typed(hints[f.name], doc[f.name])
    return cls(**kwargs)


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    is_union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for candidate in typing.get_args(hint) if is_union else (hint,):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate(value)
        if typing.get_origin(candidate) is list:
            (item,) = typing.get_args(candidate)
            if dataclasses.is_dataclass(item):
                return [from_document(item, v) for v in value]  # type: ignore[arg-type]
    return value
