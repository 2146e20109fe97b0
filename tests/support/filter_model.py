"""A reference model of filter conditions, written from the contract (CONTRACT.md and the
docstring of ``shared.domain.filters``), not from the code, and the Hypothesis strategies that
generate metadata and conditions for the property tests that compare the two."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from videovector.resources.search import _FILTER_OPERATORS_BY_TYPE

NAMES = ["a", "b", "tags", "n"]
# The operators of each value type, as the SDK (the contract's client) sends them.
TYPES: dict[str, tuple[str, ...]] = dict(_FILTER_OPERATORS_BY_TYPE)
VALUELESS = {"is_empty", "is_not_empty"}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

words = st.sampled_from(["x", "X", "ab", "Ab", "aB ", " ", "", "ß", "SS", "ﬁ", "é", "e\u0301"])
texts = st.one_of(words, st.text(alphabet="abAB ß", max_size=4))
int64 = st.integers(min_value=INT64_MIN, max_value=INT64_MAX)
numbers = st.one_of(
    st.integers(-3, 3), int64, st.floats(allow_nan=False, allow_infinity=False), st.just(2.0)
)
scalars = st.one_of(texts, numbers, texts, st.booleans(), st.none())
metadata_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(NAMES), inner, max_size=3)
    ),
    max_leaves=8,
)
metadatas = st.dictionaries(st.sampled_from(NAMES), metadata_values, min_size=1, max_size=4)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
paths = st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), min_size=1, max_size=3).map(
    lambda parts: ".".join(name + ("[]" if arr else "") for name, arr in parts)
)
non_blank = texts.filter(lambda s: s.strip() != "")


def condition(field: str, type_: str, op: str, value: Any = None) -> dict[str, Any]:
    body = {"field": field, "operator": op, "type": type_}
    return body if op in VALUELESS else {**body, "value": value}


def _value_for(type_: str, op: str) -> st.SearchStrategy[Any]:
    if op in VALUELESS:
        return st.none()
    if type_ == "string" or op == "item_contains":
        return non_blank
    if type_ == "integer":
        return st.one_of(st.integers(-3, 3), int64)
    if type_ == "number":
        return numbers
    if type_ == "boolean":
        return st.booleans()
    if op.startswith("length_"):
        return st.integers(0, 4)
    return st.one_of(st.booleans(), numbers, non_blank)  # item_equals


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid condition, on any path."""
    type_ = draw(st.sampled_from(sorted(TYPES)))
    op = draw(st.sampled_from(TYPES[type_]))
    return condition(draw(paths), type_, op, draw(_value_for(type_, op)))


@st.composite
def probes(draw: st.DrawFn, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operator of every type, with values near what it finds, on a path that exists
    in ``metadata`` (so that conditions hold about as often as not)."""
    parts: list[str] = []
    node: Any = metadata
    while isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        fan_out = isinstance(node[key], list) and node[key] and draw(st.booleans())
        parts.append(key + ("[]" if fan_out else ""))
        node = draw(st.sampled_from(node[key])) if fan_out else node[key]
    return candidates(".".join(parts), node) if parts else []


def candidates(field: str, leaf: Any) -> list[dict[str, Any]]:
    items = leaf if isinstance(leaf, list) else []
    strings = [s for s in [leaf, *items] if isinstance(s, str) and s.strip()][:2]
    cut = {p for s in strings for p in (s, s.swapcase(), s[1:], s[:-1], s[1:-1])}
    pieces = sorted(p for p in cut | {"x"} if p.strip())
    nums = [*[v for v in [leaf, *items] if is_num(v)][:2], 0]
    out = [condition(field, "string", op, p) for op in TYPES["string"] for p in pieces]
    out += [condition(field, "boolean", "equals", b) for b in (True, False)]
    for v in nums:
        for near in (v - 1, v, v + 1):
            # The API refuses integers outside int64 whatever the type (the store's integers).
            in_range = not isinstance(near, int) or INT64_MIN <= near <= INT64_MAX
            if is_num(near) and in_range:
                out += [condition(field, "number", op, near) for op in TYPES["number"]]
            if is_num(near) and float(near).is_integer() and INT64_MIN <= near <= INT64_MAX:
                out += [condition(field, "integer", op, int(near)) for op in TYPES["integer"]]
    length = len(items)
    arrays = [field, field + "[]"] if not field.endswith("[]") else [field]
    for path in arrays:
        out += [condition(path, "array", op) for op in VALUELESS]
        out += [
            condition(path, "array", op, n)
            for op in ("length_equals", "length_greater", "length_less")
            for n in {max(length - 1, 0), length, length + 1}
        ]
        out += [condition(path, "array", "item_contains", p) for p in pieces]
        equal = [i for i in items if isinstance(i, bool) or is_num(i) or i in pieces] + [1]
        out += [condition(path, "array", "item_equals", i) for i in equal[:4]]
    return out


# -- the reference -----------------------------------------------------------------------------


def reached(node: Any, field: str) -> list[Any]:
    """Values at ``field``: ``name`` steps into an object, ``name[]`` into each item."""
    head, _, rest = field.partition(".")
    name, fan_out = (head[:-2], True) if head.endswith("[]") else (head, False)
    if not isinstance(node, dict) or name not in node:
        return []
    children = [node[name]] if not fan_out else node[name] if isinstance(node[name], list) else []
    return [v for c in children for v in (reached(c, rest) if rest else [c])]


def is_num(v: Any) -> bool:
    return type(v) in (int, float) and math.isfinite(v)


def same(a: Any, b: Any) -> bool:
    """``true`` is not ``1``; ``3`` equals ``3.0``."""
    if is_num(a) and is_num(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


def holds(c: dict[str, Any], metadata: dict[str, Any]) -> bool:
    op, type_ = c["operator"], c["type"]
    want: Any = c.get("value")
    fold = want.casefold() if isinstance(want, str) else ""
    if type_ == "array":
        lists = [v for v in reached(metadata, c["field"].removesuffix("[]")) if isinstance(v, list)]
        items = [i for x in lists for i in x]
        return {
            "is_empty": lambda: all(len(x) == 0 for x in lists),
            "is_not_empty": lambda: any(len(x) > 0 for x in lists),
            "item_equals": lambda: any(same(i, want) for i in items),
            "item_contains": lambda: any(
                isinstance(i, str) and fold in i.casefold() for i in items
            ),
            "length_equals": lambda: any(len(x) == want for x in lists),
            "length_greater": lambda: any(len(x) > want for x in lists),
            "length_less": lambda: any(len(x) < want for x in lists),
        }[op]()
    values = reached(metadata, c["field"])
    if type_ == "string":
        strings = [v.casefold() for v in values if isinstance(v, str)]
        return {
            "is_empty": lambda: not any(v.strip() for v in strings),
            "is_not_empty": lambda: any(v.strip() for v in strings),
            "equals": lambda: want in [v for v in values if isinstance(v, str)],
            "contains": lambda: any(fold in s for s in strings),
            "starts_with": lambda: any(s.startswith(fold) for s in strings),
            "ends_with": lambda: any(s.endswith(fold) for s in strings),
        }[op]()
    if type_ == "boolean":
        return any(v is want for v in values)
    nums = [v for v in values if is_num(v) and (type_ == "number" or float(v).is_integer())]
    return any(
        {
            "equals": v == want,
            "greater_than": v > want,
            "greater_equal": v >= want,
            "less_than": v < want,
            "less_equal": v <= want,
        }[op]
        for v in nums
    )
