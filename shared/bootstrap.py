"""The composition root: builds clients and adapters lazily, from one settings object.

Nothing connects at import time. A function asks ``get_container()`` on its first request;
tests build a ``Container`` of their own (or call ``override``) with fakes in place. The
clients and the adapter of each port are in ``shared/bootstrap_adapters.py``; here are the
services handlers call and the recipes that choose between adapters by settings.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from shared.bootstrap_adapters import Adapters
from shared.config import LOCAL_ENVIRONMENT, get_settings

if TYPE_CHECKING:
    from shared.domain.bearer import BearerSubjectStore, BearerTokenVerifier
    from shared.domain.ports import ApiKeyStore, TextEmbedder, UploadNotifier
    from shared.domain.preview_ports import UrlSigner
    from shared.services.authentication import Authenticator
    from shared.services.budgets import RenderBudget
    from shared.services.catalog import CatalogService
    from shared.services.markers import MarkerService
    from shared.services.media_previews import PreviewService
    from shared.services.preview_links import PreviewLinks
    from shared.services.processing import UploadProcessing
    from shared.services.rate_limiting import RateLimiter
    from shared.services.search import SearchService
    from shared.services.signed_urls import SignedUrls
    from shared.services.stream_tokens import StreamTokens


class Container(Adapters):
    """Clients and adapters (the ports), and the services handlers call (decision 009): a
    handler reaches its use case as ``ctx.container.<service>.<method>(...)``, one call. A
    test may replace any member by name: ``Container(settings, markers=fake)``."""

    @cached_property
    def api_keys(self) -> ApiKeyStore:
        from shared.adapters.firestore_api_keys import FirestoreApiKeyStore
        from shared.services.api_key_cache import CachedApiKeyStore
        from shared.services.found_cache import FoundCache

        store = FirestoreApiKeyStore(self.firestore, self.settings.store_timeout_seconds)
        ttl = self.settings.api_key_cache_seconds
        return CachedApiKeyStore(store, FoundCache(ttl)) if ttl > 0 else store

    @cached_property
    def bearer_verifier(self) -> BearerTokenVerifier | None:
        """None when the deployment trusts no issuer (the default)."""
        if not self.settings.bearer_issuers:
            return None
        from shared.adapters.jwks_verifier import JwksBearerVerifier

        return JwksBearerVerifier(
            self.settings.bearer_issuers, self.settings.bearer_jwks_cache_seconds
        )

    @cached_property
    def bearer_subjects(self) -> BearerSubjectStore:
        from shared.adapters.firestore_bearer_subjects import FirestoreBearerSubjectStore
        from shared.services.bearer_subject_cache import CachedBearerSubjectStore
        from shared.services.found_cache import FoundCache

        store = FirestoreBearerSubjectStore(self.firestore, self.settings.store_timeout_seconds)
        # Links are trusted as long as keys are (decision 004's VV_API_KEY_CACHE_SECONDS).
        ttl = self.settings.api_key_cache_seconds
        return CachedBearerSubjectStore(store, FoundCache(ttl)) if ttl > 0 else store

    @cached_property
    def authenticator(self) -> Authenticator:
        from shared.services.authentication import Authenticator

        verifier = self.bearer_verifier
        return Authenticator(
            lambda: self.api_keys, verifier, self.bearer_subjects if verifier is not None else None
        )

    @cached_property
    def marker_service(self) -> MarkerService:
        from datetime import timedelta

        from shared.services.markers import MarkerService

        ttl = timedelta(seconds=self.settings.idempotency_ttl_seconds)
        return MarkerService(self.markers, lambda: self.catalog, ttl)

    @cached_property
    def rate_limiter(self) -> RateLimiter | None:
        if self.settings.rate_limit_per_minute <= 0:
            return None
        from shared.adapters.firestore_rate_limits import FirestoreRateLimitStore
        from shared.services.rate_limiting import RateLimiter

        return RateLimiter(
            FirestoreRateLimitStore(self.firestore, self.settings.store_timeout_seconds),
            self.settings.rate_limit_per_minute,
        )

    @cached_property
    def render_budget(self) -> RenderBudget | None:
        s = self.settings
        if s.renders_per_key <= 0 and s.render_starts_per_minute <= 0:
            return None
        from shared.adapters.firestore_rate_limits import FirestoreRateLimitStore
        from shared.services.budgets import ConcurrencyBudget, RenderBudget
        from shared.services.rate_limiting import RateLimiter

        starts = None
        if s.render_starts_per_minute > 0:
            store = FirestoreRateLimitStore(self.firestore, s.store_timeout_seconds)
            starts = RateLimiter(store, s.render_starts_per_minute, unit="render starts")
        # A slot outlives the longest render (the renderer's own timeout is shorter).
        concurrent = ConcurrencyBudget(self.budget_slots, ttl_seconds=120, retry_after=2)
        return RenderBudget(concurrent, s.renders_per_key, starts)

    @cached_property
    def catalog_service(self) -> CatalogService:
        from shared.services.catalog import CatalogService

        return CatalogService(self.catalog, self.markers, self.preview_links)

    @cached_property
    def search_service(self) -> SearchService:
        from shared.services.search import SearchService

        return SearchService(
            self.catalog, self.markers, self.preview_links, self.embedder, self.search_index
        )

    @cached_property
    def preview_links(self) -> PreviewLinks:
        from shared.secrets import secret_bytes
        from shared.services.preview_links import PreviewLinks

        return PreviewLinks(
            secret_bytes(self.settings, "preview_link_secret"),
            self.settings.public_base_url,
            self.settings.preview_link_ttl_seconds,
        )

    @cached_property
    def url_signer(self) -> UrlSigner:
        from shared.adapters import gcs_url_signers as signers

        if self.settings.environment != LOCAL_ENVIRONMENT:
            return signers.IamUrlSigner(self.storage)
        key_file = self.settings.signing_key_file
        info = signers.development_key_info(Path(key_file) if key_file else None)
        return signers.LocalKeyUrlSigner(self.storage, info)

    @cached_property
    def signed_urls(self) -> SignedUrls:
        from shared.services.signed_urls import SignedUrls

        return SignedUrls(
            self.catalog, self.derived_media, self.url_signer, self.settings.media_bucket
        )

    @cached_property
    def media_previews(self) -> PreviewService:
        from shared.services.media_previews import PreviewService

        return PreviewService(
            self.catalog,
            self.derived_media,
            self.render_leases,
            self.preview_renderer,
            self.url_signer,
            self.events,
            budget=self.render_budget,
        )

    @cached_property
    def upload_processing(self) -> UploadProcessing:
        from shared.services.processing import UploadProcessing

        return UploadProcessing(self.media, self.analyzer, self.catalog, self.events, self.embedder)

    @cached_property
    def upload_notifier(self) -> UploadNotifier:
        """The bucket notifies in production; the GCS emulator cannot, so we publish."""
        from shared.adapters.pubsub_upload_notices import (
            BucketNotifiesItself,
            PubSubUploadNotifier,
        )

        if "STORAGE_EMULATOR_HOST" not in self.settings.emulator_hosts:
            return BucketNotifiesItself()
        return PubSubUploadNotifier(
            self.publisher, self.settings.project_id, self.settings.media_uploads_topic
        )

    @cached_property
    def stream_tokens(self) -> StreamTokens:
        from shared.secrets import secret_bytes
        from shared.services.stream_tokens import StreamTokens

        return StreamTokens(
            secret_bytes(self.settings, "stream_token_secret"),
            self.settings.stream_token_ttl_seconds,
        )

    @cached_property
    def embedder(self) -> TextEmbedder:
        if self.settings.embedder == "vertex":
            from shared.adapters.vertex_embedder import VertexTextEmbedder

            return VertexTextEmbedder(self.settings.project_id, self.settings.vertex_location)
        from shared.adapters.e5_embedder import E5SmallEmbedder

        return E5SmallEmbedder()


_container: Container | None = None
_lock = threading.Lock()


def get_container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(get_settings())
    return _container


def override(container: Container | None) -> None:
    """Install a container built by a test (``None`` restores lazy building)."""
    global _container
    _container = container
