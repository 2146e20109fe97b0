"""Property-based tests of ``gcs_uri`` resolution (``POST /api/v2/videos/signed-url``).

Any string either parses to an address whose spelling is the one canonical spelling of it
(no ``..``, ``.`` or empty segments, no backslash, ``%``, query or fragment marks, no control,
format, bidi or odd space characters), or is refused. Through the endpoint, any string, and
above all near misses of the caller's own URIs, is signed only when it is exactly one of the
caller's objects (a live video's ``video_uri``, or an existing derivative of their current
media), and the signature covers exactly that object; everything else is a 404 in the
envelope, and nothing answers with another status.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.object_uris import parse_object_uri
from shared.domain.previews import ThumbnailSpec, derived_object_name, version_of
from shared.domain.records import VideoRecord
from tests.unit.media.conftest import MEDIA_BUCKET, MediaWorld
from tests.unit.media.test_signed_url_api import DERIVED, URL, check_signature

SEPARATORS = ["/", "//", ".", "..", "/../", "/./", "\\", "%2F", "%2f", "%2E", "%00", "?", "#"]
INVISIBLE = ["\x00", "\n", "\x7f", "\x85", "\u00a0", "\u00ad", "\u061c", "\u200b", "\u200e"]
INVISIBLE += ["\u202e", "\u2060", "\u2066", "\u2069", "\ufeff", "\U000e0041", "\ud800", "\u3000"]
LOOKALIKES = ["\uff0f", "\u2215", "\u2024", "\uff0e", "e\u0301", "\u00e9", "A", "a", " ", "~"]
TRICKS = SEPARATORS + INVISIBLE + LOOKALIKES
# Refused anywhere in a uri: controls, format characters (zero-width, bidi controls, tags),
# surrogates, line and paragraph separators, and every space but " ".
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"}

segment = st.text(alphabet="abcXYZ019 é~-_.()", min_size=1, max_size=8).filter(
    lambda s: s not in (".", "..")
)
names = st.lists(segment, min_size=1, max_size=4).map("/".join)
uris = st.one_of(
    st.text(max_size=60),
    st.builds(lambda b, n: f"gs://{b}/{n}", st.sampled_from([MEDIA_BUCKET, DERIVED, "x.y"]), names),
    st.lists(st.sampled_from(["gs://", MEDIA_BUCKET, DERIVED, "a", *TRICKS]), max_size=10).map(
        "".join
    ),
    st.lists(st.sampled_from(["a", "/", *TRICKS]), min_size=1, max_size=6).map(
        lambda parts: f"gs://{MEDIA_BUCKET}/a" + "".join(parts)
    ),
)


def refused_character(c: str) -> bool:
    return c in "\\%?#" or (c != " " and unicodedata.category(c) in REFUSED_CATEGORIES)


@settings(max_examples=300, deadline=None)
@given(uris)
def test_a_parsed_uri_is_the_one_canonical_spelling_of_its_address(raw: str) -> None:
    try:
        address = parse_object_uri(raw)
    except ValueError:
        return
    assert address.uri == raw
    assert address.bucket.isascii() and address.bucket == address.bucket.lower()
    assert ".." not in address.bucket and "/" not in address.bucket
    assert all(part not in ("", ".", "..") for part in address.name.split("/"))
    assert not any(refused_character(c) for c in raw), raw
    assert len(address.name.encode()) <= 1024


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([MEDIA_BUCKET, DERIVED, "a-b.c_d"]), names)
def test_every_clean_address_parses_back_to_itself(bucket: str, name: str) -> None:
    address = parse_object_uri(f"gs://{bucket}/{name}")
    assert (address.bucket, address.name) == (bucket, name)


@st.composite
def edits(draw: st.DrawFn, base: str) -> str:
    """``base`` with a few edits: tricks inserted, characters dropped, case flipped."""
    uri = base
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(uri)))
        kind = draw(st.sampled_from(["insert", "insert", "drop", "case"]))
        if kind == "insert":
            uri = uri[:at] + draw(st.sampled_from(TRICKS)) + uri[at:]
        elif kind == "drop" and at < len(uri):
            uri = uri[:at] + uri[at + 1 :]
        elif kind == "case" and at < len(uri):
            uri = uri[:at] + uri[at].swapcase() + uri[at + 1 :]
    return uri


def build_world(media: MediaWorld, alice_names: list[str]) -> None:
    """Alice's live, deleted and replaced media with their derivatives, and Bob's."""
    for i, name in enumerate(alice_names):
        video = media.add_video("alice", f"v{i}", video_uri=f"gs://{MEDIA_BUCKET}/{name}")
        for spec in (ThumbnailSpec(0), ThumbnailSpec(1)):
            media.derived.create(derived_of(video, spec), b"x", "image/jpeg", {})
        stale = derived_of(video, ThumbnailSpec(0)).replace(version_of(video), "g1")
        media.derived.create(stale, b"x", "image/jpeg", {})  # of an older version
    gone = media.add_video("alice", "gone", deleted=True)
    media.derived.create(derived_of(gone, ThumbnailSpec(0)), b"x", "image/jpeg", {})
    bobs = media.add_video("bob", "bob-v0", video_uri=f"gs://{MEDIA_BUCKET}/{alice_names[0]}.bob")
    media.derived.create(derived_of(bobs, ThumbnailSpec(0)), b"x", "image/jpeg", {})


def derived_of(video: VideoRecord, spec: ThumbnailSpec) -> str:
    return derived_object_name(video.user_id, video.video_id, version_of(video), spec)


def world_of(media: MediaWorld) -> tuple[set[str], list[str]]:
    """(what Alice may sign, what she may not): the reference, from the records themselves."""
    videos = list(media.catalog.videos.values())
    existing = {f"gs://{DERIVED}/{name}" for name in media.derived.objects}
    unrendered = {f"gs://{DERIVED}/{derived_of(v, ThumbnailSpec(9))}" for v in videos}
    owned: set[str] = set()
    for video in videos:
        if video.user_id == "alice" and not video.deleted:
            current = f"gs://{DERIVED}/previews/alice/{video.video_id}/{version_of(video)}/"
            owned |= {video.video_uri} | {u for u in existing if u.startswith(current)}
    everything = existing | unrendered | {v.video_uri for v in videos}
    return owned, sorted(everything - owned)


THROUGH_HTTP = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


ALICE_NAMES = ["uploads/alice/a b~é.mp4", "uploads/alice/x..y/clip (1).MOV", "u/alice/.a-_"]


@THROUGH_HTTP
@given(st.data())
def test_only_the_callers_own_objects_are_signed_and_exactly_them(
    media: MediaWorld, dev_key: dict[str, Any], data: st.DataObject
) -> None:
    if not media.catalog.videos:  # one library per test: requests do not change it
        build_world(media, ALICE_NAMES)
    owned, foreign = world_of(media)
    base = data.draw(st.sampled_from(sorted(owned) + foreign))
    uri = data.draw(st.one_of(edits(base), uris))
    response = media.client.post(URL, json={"gcs_uri": uri}, headers={"X-API-Key": media.alice})
    text = response.get_data(as_text=True)
    if uri in owned:
        assert response.status_code == 200, (uri, text)
        signed = response.get_json()["signed_url"]
        bucket, _, quoted = urlsplit(signed).path.removeprefix("/").partition("/")
        assert f"gs://{bucket}/{unquote(quoted)}" == uri
        check_signature(signed, dev_key, bucket, unquote(quoted), 900)
    elif any(0xD800 <= ord(c) <= 0xDFFF for c in uri):  # no UTF-8 text holds a lone surrogate
        assert response.status_code == 400 and "invalid_json" in text, (uri, text)
    else:
        assert response.status_code in (404, 422), (uri, text)
        assert "signed_url" not in text
        code = response.get_json()["error"]["code"]
        assert code == (
            "resource_not_found" if response.status_code == 404 else "validation_failed"
        )


INVISIBLE_IN_NAMES = ["\u2060", "\u2066", "\u2069", "\u061c", "\u00ad", "\U000e0041", "\ufff9"]


@pytest.mark.parametrize("char", INVISIBLE_IN_NAMES)
def test_format_characters_are_refused_even_in_the_callers_own_uri(
    media: MediaWorld, char: str
) -> None:
    """Found by the canonical-spelling property: word joiners, bidi isolates, the Arabic
    letter mark, soft hyphens and tag characters passed the old list of refused characters."""
    uri = f"gs://{MEDIA_BUCKET}/uploads/alice/a{char}b.mp4"
    with pytest.raises(ValueError):
        parse_object_uri(uri)
    media.add_video("alice", "v-odd", video_uri=uri)
    response = media.client.post(URL, json={"gcs_uri": uri}, headers={"X-API-Key": media.alice})
    assert response.status_code == 404
