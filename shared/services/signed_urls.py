"""``POST /videos/signed-url``: sign only what the caller owns.

The requested URI is parsed strictly and then looked up: a media object must be the
``video_uri`` of one of the caller's live videos; a derived object must sit under the caller's
own prefix, belong to one of their live videos at its current version, and exist. Everything
else (other buckets, other tenants, traversal and encoding tricks, deleted media) is the same
404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.clock import utcnow
from shared.domain.identifiers import is_valid_id
from shared.domain.object_uris import parse_object_uri
from shared.domain.ports import MediaCatalog
from shared.domain.preview_ports import DerivedMediaStore, UrlSigner
from shared.domain.previews import user_prefix, version_of
from shared.domain.stored_objects import ObjectAddress
from shared.errors import NotFound

MIN_EXPIRES_IN = 60
MAX_EXPIRES_IN = 604_800  # the V4 maximum: 7 days
DEFAULT_EXPIRES_IN = 900


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: datetime


class SignedUrls:
    """Signs GET URLs for the caller's own objects; built in ``shared/bootstrap.py``."""

    def __init__(
        self,
        catalog: MediaCatalog,
        derived: DerivedMediaStore,
        signer: UrlSigner,
        media_bucket: str,
    ) -> None:
        self._catalog = catalog
        self._derived = derived
        self._signer = signer
        self._media_bucket = media_bucket

    def sign_owned_object(self, user_id: str, gcs_uri: str, expires_in: int) -> SignedUrl:
        missing = NotFound("No such object.")
        try:
            address = parse_object_uri(gcs_uri)
        except ValueError as exc:
            raise missing from exc
        if address.bucket == self._media_bucket:
            owned = self._catalog.find_video_by_uri(user_id, address.uri) is not None
        elif address.bucket == self._derived.bucket:
            owned = _owns_derived(self._catalog, self._derived, user_id, address)
        else:
            owned = False
        if not owned:
            raise missing
        now = utcnow()
        url = self._signer.sign_get(address.bucket, address.name, expires_in)
        return SignedUrl(url, now + timedelta(seconds=expires_in))


def _owns_derived(
    catalog: MediaCatalog, derived: DerivedMediaStore, user_id: str, address: ObjectAddress
) -> bool:
    prefix = user_prefix(user_id)
    if not address.name.startswith(prefix):
        return False
    parts = address.name[len(prefix) :].split("/")
    if len(parts) != 3 or not is_valid_id(parts[0]):
        return False
    video_id, version, _ = parts
    video = catalog.get_videos(user_id, [video_id]).get(video_id)
    if video is None or version != version_of(video):
        return False
    return derived.stat(address.name) is not None
