"""Filter conditions: every operator of the SDK's FilterOperator for every type, field paths
with dots and ``[]``, validation that names the bad condition, and what goes to the store."""

from __future__ import annotations

from typing import Any

import pytest
from videovector.resources.search import _FILTER_OPERATORS_BY_TYPE

from shared.domain.filters import OPERATORS, Condition, ValueType, matches, parse_conditions
from shared.errors import ValidationFailed
from shared.services.search import store_filters

META: dict[str, Any] = {
    "title": "Sunflower Field",
    "blank": "  ",
    "rating": 4,
    "score": 0.75,
    "approved": True,
    "tags": ["warm", "Title card"],
    "empty_tags": [],
    "scene": {
        "mood": "calm",
        "people": [
            {"name": "Ada", "emotion": "joy", "tags": ["a"]},
            {"name": "Bo", "emotion": "anger", "tags": []},
        ],
    },
}

# (field, operator, type, value or None for valueless, expected)
CASES: list[tuple[str, str, str, Any, bool]] = [
    ("title", "equals", "string", "Sunflower Field", True),
    ("title", "equals", "string", "sunflower field", False),
    ("title", "contains", "string", "FLOWER", True),
    ("title", "starts_with", "string", "sun", True),
    ("title", "starts_with", "string", "field", False),
    ("title", "ends_with", "string", "FIELD", True),
    ("title", "is_empty", "string", None, False),
    ("blank", "is_empty", "string", None, True),
    ("missing", "is_empty", "string", None, True),
    ("title", "is_not_empty", "string", None, True),
    ("blank", "is_not_empty", "string", None, False),
    ("rating", "equals", "integer", 4, True),
    ("rating", "greater_than", "integer", 4, False),
    ("rating", "greater_equal", "integer", 4, True),
    ("rating", "less_than", "integer", 5, True),
    ("rating", "less_equal", "integer", 3, False),
    ("score", "equals", "integer", 1, False),
    ("score", "equals", "number", 0.75, True),
    ("score", "greater_than", "number", 0.5, True),
    ("score", "greater_equal", "number", 0.8, False),
    ("score", "less_than", "number", 1, True),
    ("score", "less_equal", "number", 0.75, True),
    ("rating", "greater_than", "number", 3.5, True),
    ("approved", "equals", "boolean", True, True),
    ("approved", "equals", "boolean", False, False),
    ("rating", "equals", "boolean", True, False),
    ("tags", "item_equals", "array", "warm", True),
    ("tags[]", "item_equals", "array", "Warm", False),
    ("tags", "item_contains", "array", "title", True),
    ("tags", "length_equals", "array", 2, True),
    ("tags", "length_greater", "array", 2, False),
    ("tags", "length_less", "array", 3, True),
    ("tags", "is_empty", "array", None, False),
    ("empty_tags", "is_empty", "array", None, True),
    ("missing", "is_empty", "array", None, True),
    ("empty_tags", "is_not_empty", "array", None, False),
    ("tags", "is_not_empty", "array", None, True),
    ("scene.mood", "equals", "string", "calm", True),
    ("scene.people[].emotion", "equals", "string", "anger", True),
    ("scene.people[].emotion", "contains", "string", "fear", False),
    ("scene.people[].name", "starts_with", "string", "b", True),
    ("scene.people[].tags", "length_equals", "array", 0, True),
    ("scene.people[].tags", "item_equals", "array", "a", True),
    ("scene.people.emotion", "equals", "string", "anger", False),  # no [] means no fan-out
]


def condition(field: str, operator: str, type_: str, value: Any) -> dict[str, Any]:
    body = {"field": field, "operator": operator, "type": type_}
    return body if value is None else {**body, "value": value}


@pytest.mark.parametrize(("field", "operator", "type_", "value", "expected"), CASES)
def test_operator_semantics(field: str, operator: str, type_: str, value: Any, expected: bool):
    (parsed,) = parse_conditions([condition(field, operator, type_, value)])
    assert matches(parsed, META) is expected


def test_every_sdk_operator_of_every_type_is_supported_and_exercised() -> None:
    sdk = {t: set(ops) for t, ops in _FILTER_OPERATORS_BY_TYPE.items()}
    assert {t.value: set(ops) for t, ops in OPERATORS.items()} == sdk
    exercised = {(t, op) for _, op, t, _, _ in CASES}
    assert exercised == {(t, op) for t, ops in sdk.items() for op in ops}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"field": "a", "operator": "contains", "type": "integer", "value": 1}, "operator"),
        ({"field": "a", "operator": "equals", "type": "date", "value": 1}, "type must be"),
        ({"field": "a..b", "operator": "equals", "type": "string", "value": "x"}, "field"),
        ({"field": "a", "operator": "equals", "type": "integer", "value": 1.5}, "integer"),
        ({"field": "a", "operator": "equals", "type": "integer", "value": True}, "integer"),
        ({"field": "a", "operator": "equals", "type": "string", "value": "  "}, "non-blank"),
        ({"field": "a", "operator": "is_empty", "type": "string", "value": "x"}, "no value"),
        ({"field": "a", "operator": "length_less", "type": "array", "value": -1}, "non-negative"),
        ({"field": "a", "operator": "item_equals", "type": "array", "value": [1]}, "item_equals"),
        ({"field": "a", "operator": "equals", "type": "string", "value": "x", "x": 1}, "keys"),
        ({"field": "a", "operator": "equals", "type": "integer", "value": 2**63}, "64-bit"),
        ({"field": "a", "operator": "contains", "type": "string", "value": "é" * 600}, "bytes"),
        ("not an object", "object"),
    ],
)
def test_bad_conditions_are_named_by_index(raw: Any, fragment: str) -> None:
    good = condition("title", "equals", "string", "x")
    with pytest.raises(ValidationFailed) as caught:
        parse_conditions([good, good, raw])
    (problem,) = caught.value.details["errors"]
    assert problem["condition_index"] == 2 and problem["field"] == "conditions.2"
    assert fragment in problem["message"]


def test_only_exact_tests_on_plain_paths_reach_the_store() -> None:
    parsed = parse_conditions(
        [
            condition("scene.mood", "equals", "string", "calm"),
            condition("tags", "item_equals", "array", "warm"),
            condition("labels[]", "item_equals", "array", "x"),  # a second array_contains
            condition("scene.people[].emotion", "equals", "string", "joy"),
        ]
    )
    pushed = [(f.path, f.op, f.value) for f in store_filters(parsed)]
    assert pushed == [
        ("metadata.scene.mood", "==", "calm"),
        ("metadata.tags", "array_contains", "warm"),
    ]
    ranged = parse_conditions([condition("rating", "greater_than", "integer", 1)])
    assert store_filters(ranged) == []
    assert Condition("a", "is_empty", ValueType.STRING).as_dict() == {
        "field": "a",
        "operator": "is_empty",
        "type": "string",
    }
