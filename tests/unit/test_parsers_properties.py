"""Property-based tests of the parsers that face users: cursors, ids, field paths, colours,
sealed tokens (preview links, stream tokens)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.colors import normalize_color
from shared.domain.field_paths import is_valid_field_path, parts
from shared.domain.identifiers import is_valid_id
from shared.errors import InvalidRequest
from shared.http.validation import MAX_JSON_DEPTH, parse_json
from shared.pagination import CursorId, decode_cursor, encode_cursor
from shared.services.catalog import PLAYGROUND_CURSOR
from shared.services.markers import CURSOR_KIND as MARKERS_CURSOR
from shared.services.sealed_box import ClaimBox
from shared.services.sealed_claims import ClaimSeal
from shared.services.search import FILTER_CURSOR

positions = st.fixed_dictionaries({"id": st.text(max_size=60), "n": st.integers()})


@given(positions)
def test_cursor_round_trips(position: dict) -> None:
    assert decode_cursor("k", encode_cursor("k", position), {"id": str, "n": int}) == position


@given(st.text(max_size=2000))
def test_any_string_is_a_valid_cursor_or_a_400(raw: str) -> None:
    try:
        decode_cursor("k", raw, {"id": str})
    except InvalidRequest as exc:
        assert exc.code == "invalid_cursor"


@given(positions)
def test_cursor_of_another_list_is_refused(position: dict) -> None:
    with pytest.raises(InvalidRequest):
        decode_cursor("other", encode_cursor("k", position), {"id": str, "n": int})


@given(st.text(max_size=300))
def test_valid_ids_never_address_another_path(raw: str) -> None:
    if is_valid_id(raw):
        assert "/" not in raw and ".." not in raw and raw not in {".", ""}
        assert len(raw) <= 128 and "\\" not in raw and raw.isprintable()


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)


@given(st.lists(st.tuples(names, st.booleans()), min_size=1, max_size=8))
def test_field_paths_round_trip(segments: list[tuple[str, bool]]) -> None:
    path = ".".join(name + ("[]" if is_array else "") for name, is_array in segments)
    assert is_valid_field_path(path)
    assert parts(path) == segments


@given(st.text(max_size=40))
def test_colours_normalise_or_refuse(raw: str) -> None:
    try:
        colour = normalize_color(raw)
    except ValueError:
        return
    assert colour == colour.lower() and (colour.startswith("#") or colour.isalpha())


@given(st.text(max_size=200), st.sampled_from([".", ""]))
def test_any_text_opens_as_no_seal_never_an_error(raw: str, separator: str) -> None:
    # Found by Schemathesis: a token with non-ASCII characters raised TypeError (a 500).
    assert ClaimSeal(b"k" * 32, separator).open(raw) is None


@given(st.dictionaries(st.text(max_size=10), st.integers(), max_size=5), st.text(max_size=3))
def test_a_seal_opens_only_unaltered(claims: dict, suffix: str) -> None:
    seal = ClaimSeal(b"k" * 32)
    sealed = seal.seal(claims)
    assert seal.open(sealed) == claims
    if suffix:
        assert seal.open(sealed + suffix) is None
    assert ClaimSeal(b"j" * 32).open(sealed) is None


BOX = ClaimBox(b"k" * 32, b"test")


@given(st.text(max_size=300))
def test_any_text_opens_as_no_box_never_an_error(raw: str) -> None:
    assert BOX.open(raw) is None


@given(
    st.dictionaries(st.text(max_size=10), st.text(max_size=20), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=10_000),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1
    ),
)
def test_a_box_opens_only_unaltered_and_hides_its_claims(
    claims: dict, where: int, replacement: str
) -> None:
    sealed = BOX.seal(claims)
    assert BOX.open(sealed) == claims and BOX.seal(claims) == sealed
    i = where % len(sealed)
    altered = sealed[:i] + replacement + sealed[i + 1 :]
    if altered != sealed:
        assert BOX.open(altered) is None
    assert ClaimBox(b"j" * 32, b"test").open(sealed) is None
    assert ClaimBox(b"k" * 32, b"other purpose").open(sealed) is None


# Every list's cursor, as its service decodes it. A tampered id (``a/b`` addressed a nested
# document: a 500 from the store) must be refused as a cursor before any store sees it.
LIST_CURSORS = [
    (MARKERS_CURSOR, {"id": CursorId}),
    (PLAYGROUND_CURSOR, {"t": str, "id": CursorId}),
    (FILTER_CURSOR, {"q": str, "after": CursorId}),
]
tampered = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["a/b", "..", "a..b", ".", "", "__name__", "x" * 129, "a\x00b", "é/è"]),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
)


@pytest.mark.parametrize(("kind", "fields"), LIST_CURSORS, ids=[k for k, _ in LIST_CURSORS])
@given(data=st.data())
def test_a_tampered_cursor_of_any_list_names_valid_ids_or_is_a_400(
    kind: str, fields: dict[str, type], data: st.DataObject
) -> None:
    position = {name: data.draw(tampered, label=name) for name in fields}
    try:
        decoded = decode_cursor(kind, encode_cursor(kind, position), fields)
    except InvalidRequest as exc:
        assert exc.code == "invalid_cursor"
        return
    for name, expected in fields.items():
        if expected is CursorId:
            assert is_valid_id(decoded[name])


@given(st.integers(min_value=1, max_value=5_000), st.sampled_from(["[", '{"a":']))
def test_json_nested_to_any_depth_parses_or_is_a_400(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    raw = (opener * depth + "1" + closer * depth).encode()
    try:
        parse_json(raw, "application/json", 1_048_576)
    except InvalidRequest as exc:
        assert exc.code == "invalid_json" and depth > MAX_JSON_DEPTH
    else:
        assert depth <= MAX_JSON_DEPTH


@given(st.integers(min_value=0xD800, max_value=0xDFFF), st.sampled_from(["x", "{}", "[]"]))
def test_an_escaped_lone_surrogate_is_invalid_json_not_a_later_failure(
    code: int, neighbour: str
) -> None:
    # JSON's grammar allows "\ud800"; no UTF-8 text can hold it, so pydantic's JSON parser (a
    # 422 from deep inside) or Firestore (a 500) would fail on it later.
    raw = f'{{"note": "\\u{code:04x}", "other": "{neighbour}"}}'.encode()
    with pytest.raises(InvalidRequest) as refused:
        parse_json(raw, "application/json", 10_000)
    assert refused.value.code == "invalid_json"


def test_an_escaped_surrogate_pair_is_one_character() -> None:
    assert parse_json(b'{"note": "\\ud83d\\ude00"}', "application/json", 100) == {"note": "😀"}
