"""Filter conditions over segment ``metadata``: the SDK's ``FilterOperator`` per value type.

A condition is ``{field, operator, value, type}``; conditions are ANDed. ``field`` is a field
path (``scene.mood``, ``scene.people[].emotion``): a ``[]`` part fans out over the array's
items, and a condition holds when ANY value the path reaches satisfies it. For ``type: array``
a trailing ``[]`` names the array itself (``tags`` and ``tags[]`` are the same condition).

Semantics, the same in the store and in memory (decision 041):
- ``equals`` is exact and type-strict (``true`` is not ``1``; ``3`` equals ``3.0``).
- ``contains`` / ``starts_with`` / ``ends_with`` / ``item_contains`` ignore case.
- ``is_empty`` is ``not is_not_empty``: a string is empty when missing, null or blank; an array
  when missing, null or ``[]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.domain.field_paths import is_valid_field_path, parts
from shared.errors import ValidationFailed

MAX_CONDITIONS = 4
MAX_STRING_VALUE_BYTES = 1024  # the store refuses index entries over 1,500 bytes
INT64 = 2**63  # the store's integers are 64-bit
_CONDITION_KEYS = frozenset({"field", "operator", "value", "type"})


class ValueType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ARRAY = "array"


OPERATORS: dict[ValueType, tuple[str, ...]] = {
    ValueType.STRING: (
        "equals",
        "contains",
        "starts_with",
        "ends_with",
        "is_empty",
        "is_not_empty",
    ),
    ValueType.INTEGER: ("equals", "greater_than", "greater_equal", "less_than", "less_equal"),
    ValueType.NUMBER: ("equals", "greater_than", "greater_equal", "less_than", "less_equal"),
    ValueType.BOOLEAN: ("equals",),
    ValueType.ARRAY: (
        "item_equals",
        "item_contains",
        "length_equals",
        "length_greater",
        "length_less",
        "is_empty",
        "is_not_empty",
    ),
}
VALUELESS = frozenset({"is_empty", "is_not_empty"})
LENGTH_OPERATORS = frozenset({"length_equals", "length_greater", "length_less"})


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    type: ValueType
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"field": self.field, "operator": self.operator, "type": self.type}
        if self.operator not in VALUELESS:
            body["value"] = self.value
        return body


def parse_conditions(raw: Sequence[Any]) -> list[Condition]:
    """Validate every condition; a 422 lists each bad one with its index."""
    problems: list[dict[str, Any]] = []
    parsed: list[Condition] = []
    for index, item in enumerate(raw):
        try:
            parsed.append(_parse_condition(item))
        except ValueError as exc:
            problems.append(
                {"field": f"conditions.{index}", "condition_index": index, "message": str(exc)}
            )
    if problems:
        where = ", ".join(str(p["condition_index"]) for p in problems)
        raise ValidationFailed(
            f"Invalid filter condition(s) at index {where}.", details={"errors": problems}
        )
    return parsed


def _parse_condition(item: Any) -> Condition:
    if not isinstance(item, Mapping):
        raise ValueError("a condition must be an object with field, operator, type and value")
    unknown = sorted(str(k) for k in set(item) - _CONDITION_KEYS)
    if unknown:
        raise ValueError(f"unsupported keys: {', '.join(unknown)}")
    field = item.get("field")
    if not isinstance(field, str) or not is_valid_field_path(field):
        raise ValueError("field must be a field path such as 'scene.mood' or 'people[].name'")
    try:
        value_type = ValueType(str(item.get("type")))
    except ValueError:
        raise ValueError(f"type must be one of: {', '.join(OPERATORS)}") from None
    operator = item.get("operator")
    if operator not in OPERATORS[value_type]:
        allowed = ", ".join(OPERATORS[value_type])
        raise ValueError(f"operator for type '{value_type}' must be one of: {allowed}")
    if operator in VALUELESS:
        if "value" in item:
            raise ValueError(f"operator '{operator}' takes no value")
        return Condition(field, operator, value_type)
    value = item.get("value")
    _check_value(value_type, operator, value)
    return Condition(field, operator, value_type, value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_value(value_type: ValueType, operator: str, value: Any) -> None:
    if isinstance(value, str) and (
        not value.strip() or len(value.encode("utf-8", "replace")) > MAX_STRING_VALUE_BYTES
    ):
        raise ValueError(
            f"value must be a non-blank string of at most {MAX_STRING_VALUE_BYTES} bytes"
        )
    if isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
        raise ValueError("value must fit in a signed 64-bit integer")
    if value_type is ValueType.STRING and not isinstance(value, str):
        raise ValueError("value for type 'string' must be a string")
    if value_type is ValueType.INTEGER and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError("value for type 'integer' must be an integer")
    if value_type is ValueType.NUMBER and not _is_number(value):
        raise ValueError("value for type 'number' must be a finite number")
    if value_type is ValueType.BOOLEAN and not isinstance(value, bool):
        raise ValueError("value for type 'boolean' must be true or false")
    if value_type is ValueType.ARRAY:
        if operator in LENGTH_OPERATORS and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise ValueError(f"value for '{operator}' must be a non-negative integer")
        if operator == "item_contains" and not isinstance(value, str):
            raise ValueError("value for 'item_contains' must be a string")
        if operator == "item_equals" and not (isinstance(value, str | bool) or _is_number(value)):
            raise ValueError("value for 'item_equals' must be a string, number or boolean")


def resolve(metadata: Any, field: str) -> list[Any]:
    """Every value ``field`` reaches in ``metadata`` (``[]`` fans out over array items)."""
    current: list[Any] = [metadata]
    for name, is_array in parts(field):
        reached: list[Any] = []
        for node in current:
            if isinstance(node, Mapping) and name in node:
                child = node[name]
                if not is_array:
                    reached.append(child)
                elif isinstance(child, list):
                    reached.extend(child)
        current = reached
    return current


def array_field(field: str) -> str:
    """For ``type: array`` a trailing ``[]`` names the array itself."""
    return field[:-2] if field.endswith("[]") else field


def same_value(a: Any, b: Any) -> bool:
    """Equality as Firestore sees it: numbers compare across int/float, never with booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


def matches(condition: Condition, metadata: Mapping[str, Any]) -> bool:
    if condition.type is ValueType.ARRAY:
        arrays = [v for v in resolve(metadata, array_field(condition.field)) if isinstance(v, list)]
        return _array_matches(condition, arrays)
    values = resolve(metadata, condition.field)
    if condition.operator == "is_not_empty":
        return any(isinstance(v, str) and v.strip() for v in values)
    if condition.operator == "is_empty":
        return not any(isinstance(v, str) and v.strip() for v in values)
    return any(_scalar_matches(condition, v) for v in values)


def _scalar_matches(condition: Condition, value: Any) -> bool:
    op, expected = condition.operator, condition.value
    if condition.type is ValueType.STRING:
        if not isinstance(value, str):
            return False
        if op == "equals":
            return value == expected
        haystack, needle = value.casefold(), str(expected).casefold()
        if op == "contains":
            return needle in haystack
        if op == "starts_with":
            return haystack.startswith(needle)
        return haystack.endswith(needle)  # ends_with
    if condition.type is ValueType.BOOLEAN:
        return isinstance(value, bool) and value is expected
    if not _is_number(value):
        return False
    if condition.type is ValueType.INTEGER and not float(value).is_integer():
        return False
    return _compare(op, value, expected)


def _compare(op: str, value: float, expected: float) -> bool:
    if op == "equals":
        return value == expected
    if op == "greater_than":
        return value > expected
    if op == "greater_equal":
        return value >= expected
    if op == "less_than":
        return value < expected
    return value <= expected  # less_equal


def _array_matches(condition: Condition, arrays: list[list[Any]]) -> bool:
    op, expected = condition.operator, condition.value
    if op == "is_not_empty":
        return any(arrays)
    if op == "is_empty":
        return not any(arrays)
    if op == "item_equals":
        return any(same_value(item, expected) for a in arrays for item in a)
    if op == "item_contains":
        needle = str(expected).casefold()
        return any(isinstance(i, str) and needle in i.casefold() for a in arrays for i in a)
    if op == "length_equals":
        return any(len(a) == expected for a in arrays)
    if op == "length_greater":
        return any(len(a) > expected for a in arrays)
    return any(len(a) < expected for a in arrays)  # length_less


def store_equality(condition: Condition) -> tuple[str, str, Any] | None:
    """The part of a condition the store can evaluate with no composite index (decision 041):
    ``(metadata path, "==" | "array_contains", value)``, or None when only the service can.

    Only plain paths (no ``[]`` fan-out) and exact operators qualify; the service re-checks
    every condition anyway, so the store only narrows what is read.
    """
    path = array_field(condition.field) if condition.type is ValueType.ARRAY else condition.field
    if "[]" in path or any(name.startswith("__") for name, _ in parts(path)):
        return None  # fan-out paths, and names the store reserves, stay in the service
    if condition.operator == "equals":
        return ("metadata." + path, "==", condition.value)
    if condition.operator == "item_equals":
        return ("metadata." + path, "array_contains", condition.value)
    return None
