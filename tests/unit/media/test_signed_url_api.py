"""``POST /api/v2/videos/signed-url``: only the caller's own objects, every signature checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from shared.adapters.gcs_url_signers import development_key_info
from shared.clock import utcnow
from shared.domain.previews import ThumbnailSpec, derived_object_name, version_of
from tests.media.v4_signatures import verify_v4_url
from tests.unit.media.conftest import MEDIA_BUCKET, MediaWorld

URL = "/api/v2/videos/signed-url"
DERIVED = "videovector-derived"


def sign(world: MediaWorld, key: str, body: Any):  # type: ignore[no-untyped-def]
    return world.client.post(URL, json=body, headers={"X-API-Key": key})


def check_signature(
    url: str, key_info: dict[str, Any], bucket: str, name: str, expires: int
) -> None:
    private = load_pem_private_key(key_info["private_key"].encode(), password=None)
    verify_v4_url(
        url,
        private.public_key(),  # type: ignore[arg-type]
        bucket=bucket,
        object_name=name,
        expires_in=expires,
        service_account=key_info["client_email"],
        now=utcnow(),
    )


def test_signs_the_callers_own_media_with_a_valid_v4_signature(
    media: MediaWorld,
    dev_key: dict[str, Any],
) -> None:
    video = media.add_video("alice", "vid-1", video_uri=f"gs://{MEDIA_BUCKET}/u/alice/a b~é.mp4")
    response = sign(media, media.alice, {"gcs_uri": video.video_uri, "expires_in": 3600})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_signature(body["signed_url"], dev_key, MEDIA_BUCKET, "u/alice/a b~é.mp4", 3600)
    expires_at = body["expires_at"]
    assert expires_at.endswith("Z")
    default = sign(media, media.alice, {"gcs_uri": video.video_uri, "force_refresh": True})
    check_signature(
        default.get_json()["signed_url"], dev_key, MEDIA_BUCKET, "u/alice/a b~é.mp4", 900
    )


@pytest.mark.parametrize("force_refresh", [True, False])
def test_every_answer_is_a_fresh_signature_whatever_force_refresh_says(
    media: MediaWorld, dev_key: dict[str, Any], force_refresh: bool
) -> None:
    video = media.add_video("alice", "vid-1")
    body = {"gcs_uri": video.video_uri, "force_refresh": force_refresh, "expires_in": 120}
    before = utcnow()
    response = sign(media, media.alice, body)
    after = utcnow()
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    expires_at = datetime.fromisoformat(answer["expires_at"])
    assert before + timedelta(seconds=119) <= expires_at <= after + timedelta(seconds=121)
    name = video.video_uri.split("/", 3)[3]
    check_signature(answer["signed_url"], dev_key, MEDIA_BUCKET, name, 120)
    stamp = parse_qs(urlsplit(answer["signed_url"]).query)["X-Goog-Date"][0]
    signed_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= signed_at <= after  # signed now, not reused


def test_a_tampered_url_fails_verification(
    media: MediaWorld,
    dev_key: dict[str, Any],
) -> None:
    video = media.add_video("alice", "vid-1")
    url = sign(media, media.alice, {"gcs_uri": video.video_uri}).get_json()["signed_url"]
    name = video.video_uri.split("/", 3)[3]
    other = name.replace("vid-1", "vid-2")
    with pytest.raises(InvalidSignature):
        check_signature(url.replace(name, other), dev_key, MEDIA_BUCKET, other, 900)
    longer = url.replace("X-Goog-Expires=900", "X-Goog-Expires=901")
    with pytest.raises(InvalidSignature):
        check_signature(longer, dev_key, MEDIA_BUCKET, name, 901)


def test_signs_an_existing_derivative_of_the_callers_current_media(
    media: MediaWorld,
    dev_key: dict[str, Any],
) -> None:
    video = media.add_video("alice", "vid-1")
    name = derived_object_name("alice", "vid-1", version_of(video), ThumbnailSpec(0))
    uri = f"gs://{DERIVED}/{name}"
    assert sign(media, media.alice, {"gcs_uri": uri}).status_code == 404  # not rendered yet
    media.derived.create(name, b"jpeg", "image/jpeg", {})
    response = sign(media, media.alice, {"gcs_uri": uri, "expires_in": 60})
    assert response.status_code == 200
    check_signature(response.get_json()["signed_url"], dev_key, DERIVED, name, 60)
    assert sign(media, media.bob, {"gcs_uri": uri}).status_code == 404


def attack_uris(own: str, bobs: str, derived: str, deleted: str) -> list[str]:
    bucket_path = own.removeprefix("gs://")
    name = bucket_path.split("/", 1)[1]
    folder, file = name.rsplit("/", 1)
    return [
        bobs,  # another tenant's object
        f"gs://other-bucket/{name}",  # another bucket
        f"gs://{MEDIA_BUCKET.upper()}/{name}",
        f"gs://{MEDIA_BUCKET}/{folder}/../{folder}/{file}",  # '..' segments
        f"gs://{MEDIA_BUCKET}/{folder}/./{file}",  # '.' segments
        f"gs://{MEDIA_BUCKET}/{folder}//{file}",  # '//'
        f"gs://{MEDIA_BUCKET}//{name}",
        f"gs://{MEDIA_BUCKET}/{folder}%2F{file}",  # percent-encoded slash
        f"gs://{MEDIA_BUCKET}/{folder}/%2E%2E/{folder}/{file}",  # percent-encoded dots
        f"gs://{MEDIA_BUCKET}/{name.replace('.', '%2e')}",
        f"gs://{MEDIA_BUCKET}%2F{name}",
        f"gs://{MEDIA_BUCKET}/{folder}\\{file}",  # backslash
        f"gs://{MEDIA_BUCKET}/{folder}/..\\{file}",
        f"gs://{MEDIA_BUCKET}/{name}\x00",  # control characters
        f"gs://{MEDIA_BUCKET}/{name}\n",
        f"gs://{MEDIA_BUCKET}/{folder}/\u202e{file}",  # a bidi override
        f"{own}?alt=media",  # query and fragment
        f"{own}#x",
        f"{own}?",
        f"gs://{MEDIA_BUCKET}/{name}/" + "a" * 1100,  # over-long names
        own + "/",
        f"https://storage.googleapis.com/{bucket_path}",  # not gs://
        f"GS://{bucket_path}",
        f"gs://{bucket_path}".replace("gs://", "gs:///"),
        deleted,  # a deleted video's uri
        derived.replace("/previews/alice/", "/previews/bob/"),  # a derivative of another tenant
        derived.replace("/previews/alice/", "/previews/alice/../bob/"),
        f"gs://{MEDIA_BUCKET}/",
        "",
        "gs://",
    ]


def test_attacks_answer_404_and_never_a_url(media: MediaWorld) -> None:
    own = media.add_video("alice", "vid-1")
    bobs = media.add_video("bob", "bob-1")
    deleted = media.add_video("alice", "vid-gone", deleted=True)
    name = derived_object_name("alice", "vid-1", version_of(own), ThumbnailSpec(0))
    media.derived.create(name, b"x", "image/jpeg", {})
    bob_name = derived_object_name("bob", "vid-1", version_of(own), ThumbnailSpec(0))
    media.derived.create(bob_name, b"x", "image/jpeg", {})
    derived = f"gs://{DERIVED}/{name}"
    assert sign(media, media.alice, {"gcs_uri": own.video_uri}).status_code == 200
    for uri in attack_uris(own.video_uri, bobs.video_uri, derived, deleted.video_uri):
        response = sign(media, media.alice, {"gcs_uri": uri})
        assert response.status_code == 404, (uri, response.get_data(as_text=True))
        assert "signed_url" not in response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "resource_not_found"


@pytest.mark.parametrize("expires_in", [0, 59, 604_801, -1, 10**12, "900", 900.5, None])
def test_expires_in_out_of_range_is_422(media: MediaWorld, expires_in: Any) -> None:
    own = media.add_video("alice", "vid-1")
    response = sign(media, media.alice, {"gcs_uri": own.video_uri, "expires_in": expires_in})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "signed_url" not in response.get_data(
        as_text=True
    )
    assert error["details"]["errors"][0]["field"] == "expires_in"


def test_bounds_of_expires_in_are_accepted(media: MediaWorld) -> None:
    own = media.add_video("alice", "vid-1")
    for seconds in (60, 604_800):
        assert (
            sign(media, media.alice, {"gcs_uri": own.video_uri, "expires_in": seconds}).status_code
            == 200
        )


def test_needs_a_read_key(media: MediaWorld) -> None:
    own = media.add_video("alice", "vid-1")
    assert media.client.post(URL, json={"gcs_uri": own.video_uri}).status_code == 401
    assert sign(media, media.alice_search, {"gcs_uri": own.video_uri}).status_code == 403
    assert sign(media, media.alice, {"gcs_uri": own.video_uri, "extra": 1}).status_code == 422


def test_the_development_key_is_written_once_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "dev-signing-key.json"
    first = development_key_info(path)
    assert development_key_info(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
