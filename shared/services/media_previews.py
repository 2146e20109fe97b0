"""Thumbnails and GIFs made on demand, stored once in the derived-media bucket, served from
there afterwards.

The derived object's name is made from the owner, the media, its version and the spec, so it
never changes content: its ETag is a digest of the name, and a 304 needs no storage read.
Identical concurrent requests render once: one holds a lease on the name and renders, the
others wait for the object (decision 031).
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from shared.domain.ports import EventPublisher, MediaCatalog
from shared.domain.preview_fitting import fitted_spec
from shared.domain.preview_ports import (
    DerivedMediaStore,
    PreviewRenderer,
    RenderLeases,
    RenderSource,
    UrlSigner,
)
from shared.domain.previews import (
    PreviewSpec,
    StoryboardSpec,
    derived_object_name,
    version_of,
)
from shared.domain.records import MediaType, VideoRecord
from shared.domain.stored_objects import ObjectAddress
from shared.domain.storyboards import StoryboardLayout
from shared.errors import NotFound, ServiceUnavailable
from shared.services.budgets import Held, RenderBudget, SlotAskers
from shared.services.preview_cache import KnownLayouts, RecentPreviews, etag_matches, etag_of
from shared.services.preview_logs import announce, log_served, logged_render

logger = logging.getLogger("videovector.previews")
LEASE_SECONDS = 90.0  # longer than the renderer's own timeout
WAIT_SECONDS = 100.0
SOURCE_URL_SECONDS = 600
CACHE_CONTROL = "private, max-age=86400"
MEMORY_BYTES = 32 * 1024 * 1024
# Source URLs signed and render slots taken beside the render lease, slots given back beside
# the upload (see _render_once, _lease_and_slot and _render_and_store).
_GIVE_BACK = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vv-render-slot")
SIBLING_WAIT_SECONDS = 5.0  # a lease winner refused a slot waits this long for its siblings


@dataclass(frozen=True)
class Preview:
    name: str
    etag: str
    content_type: str
    data: bytes | None  # None: the client's copy is current (304)
    cache_control: str = CACHE_CONTROL


class PreviewService:
    def __init__(
        self,
        catalog: MediaCatalog,
        derived: DerivedMediaStore,
        leases: RenderLeases,
        renderer: PreviewRenderer,
        signer: UrlSigner,
        events: EventPublisher,
        wait_seconds: float = WAIT_SECONDS,
        memory_bytes: int = MEMORY_BYTES,
        budget: RenderBudget | None = None,
    ) -> None:
        self.catalog = catalog
        self.derived = derived
        self.leases = leases
        self.renderer = renderer
        self.signer = signer
        self.events = events
        self.wait_seconds = wait_seconds
        self.memory = RecentPreviews(memory_bytes)
        self.budget = budget
        self.layouts = KnownLayouts()
        self.slot_askers = SlotAskers()

    def video(self, user_id: str, video_id: str) -> VideoRecord:
        video = self.catalog.get_videos(user_id, [video_id]).get(video_id)
        if video is None:
            raise NotFound("No video with this id.", details={"video_id": video_id[:128]})
        return video

    def segment_time_ms(self, user_id: str, segment_id: str) -> tuple[str, int]:
        """The segment's video and its midpoint (the thumbnail's default time)."""
        segment = self.catalog.get_segment(user_id, segment_id)
        if segment is None:
            raise NotFound("No segment with this id.", details={"segment_id": segment_id[:128]})
        middle = (segment.start_time + max(segment.end_time - segment.start_time, 0.0) / 2) * 1000
        return segment.video_id, round(middle)

    def preview(
        self,
        user_id: str,
        video_id: str,
        spec: PreviewSpec,
        if_none_match: str | None = None,
        budget_key: str | None = None,
    ) -> Preview:
        """``budget_key`` is whose render budget a render spends (the API key; the user's
        own for a keyless preview link)."""
        video = self._with_facts(self.video(user_id, video_id))
        return self._preview(video, fitted_spec(video, spec), if_none_match, budget_key)

    def storyboard_layout(
        self, user_id: str, video_id: str, spec: StoryboardSpec, budget_key: str | None = None
    ) -> StoryboardLayout:
        """Where the sprite's tiles are, read from the sprite's own metadata (rendering the
        sprite first if nobody has): the VTT and JSON can never disagree with the picture."""
        video = self._with_facts(self.video(user_id, video_id))
        fitted_spec(video, spec)  # audio: a 422 naming why
        name = derived_object_name(user_id, video_id, version_of(video), spec)
        if (known := self.layouts.get(name)) is not None:
            return known
        found = self.derived.stat(name)
        if found is None:
            self._preview(video, spec, None, budget_key)
            # Rendered here: the layout is known without reading the object back.
            if (known := self.layouts.get(name)) is not None:
                return known
            found = self.derived.stat(name)
        layout = StoryboardLayout.from_metadata(found.metadata) if found is not None else None
        if layout is None:
            raise ServiceUnavailable("The storyboard is still being stored; retry shortly.")
        self.layouts.put(name, layout)
        return layout

    def _preview(
        self,
        video: VideoRecord,
        spec: PreviewSpec,
        if_none_match: str | None,
        budget_key: str | None,
    ) -> Preview:
        user_id, video_id = video.user_id, video.video_id
        name = derived_object_name(user_id, video_id, version_of(video), spec)
        etag = etag_of(name)
        if etag_matches(if_none_match, etag):
            log_served(spec, "not_modified")
            return Preview(name, etag, spec.content_type, None)
        data = self.memory.get(name)
        tier = "memory"
        if data is None:
            found = self.derived.read(name)
            tier = "bucket" if found else "made"
            key = budget_key or f"user-{user_id}"
            data = found[1] if found else self._render_once(name, video, spec, key)
            self.memory.put(name, data)
        log_served(spec, tier)
        return Preview(name, etag, spec.content_type, data)

    def _source(self, video: VideoRecord) -> RenderSource:
        address = ObjectAddress.parse(video.video_uri)
        url = self.signer.sign_get(address.bucket, address.name, SOURCE_URL_SECONDS)
        key = f"{video.video_uri}#{version_of(video)}"  # the renderer caches its probe on it
        return RenderSource(url, video.media_type, video.fps, key)

    def _with_facts(self, video: VideoRecord) -> VideoRecord:
        """Duration and frame rate from the record, or (not processed yet) from the file."""
        if video.media_type is not MediaType.VIDEO or (video.duration_seconds and video.fps):
            return video
        facts = self.renderer.probe(self._source(video))
        return replace(
            video,
            duration_seconds=video.duration_seconds or facts.duration_seconds,
            fps=video.fps or facts.fps,
        )

    def _render_once(
        self, name: str, video: VideoRecord, spec: PreviewSpec, budget_key: str
    ) -> bytes:
        """The lease outlives a successful render (it expires on its own; by then the read
        before every acquire finds the object), so no release on the way out; a failed
        render gives it back at once, so others may retry."""
        holder = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_seconds
        pause = 0.05
        # Signing (an IAM round trip in production) runs while the lease and slot are asked.
        source = _GIVE_BACK.submit(self._source, video)
        won, held = self._lease_and_slot(name, holder, budget_key)
        while True:
            if won:
                try:
                    return self._render_and_store(name, video, spec, budget_key, held, source)
                except BaseException:
                    self.leases.release(name, holder)
                    raise
            found = self.derived.read(name)
            if found:
                return found[1]
            if time.monotonic() > deadline:
                raise ServiceUnavailable("The preview is still being made; retry shortly.")
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)
            won, held = self.leases.acquire(name, holder, LEASE_SECONDS), None

    def _lease_and_slot(self, name: str, holder: str, budget_key: str) -> tuple[bool, Held | None]:
        """The render lease and one of the key's render slots, asked at once (one round trip,
        not two); a loser gives its slot back. The render start is spent once both are held."""
        budget = self.budget
        if budget is None:
            return self.leases.acquire(name, holder, LEASE_SECONDS), None
        with self.slot_askers.asking(budget_key):
            slot = _GIVE_BACK.submit(budget.slot, budget_key)
            try:
                won = self.leases.acquire(name, holder, LEASE_SECONDS)
            except BaseException:
                with contextlib.suppress(Exception):
                    budget.give_back(slot.result())
                raise
            try:
                held = self.slot_askers.held_or_none(slot.result)
                if won and held is None:
                    # This key's slots may be its losing siblings', given back once they know:
                    # then ask again (refused still: the render's own ask answers 429).
                    held = self.slot_askers.after_siblings(budget, budget_key, SIBLING_WAIT_SECONDS)
            except BaseException:
                if won:
                    self.leases.release(name, holder)
                raise
            if not won and held is not None:
                budget.give_back(held)
            return won, held if won else None

    def _within_budget(
        self, budget_key: str, held: Held | None
    ) -> contextlib.AbstractContextManager[None]:
        """A render slot (``held``, or taken now) and a render start of the key, taken
        before the render starts (a 429 beyond either) and given back when it ends."""
        if self.budget is None:
            return contextlib.nullcontext()
        return self.budget.render(budget_key, held)

    def _render_and_store(
        self,
        name: str,
        video: VideoRecord,
        spec: PreviewSpec,
        budget_key: str,
        held: Held | None,
        source: Future[RenderSource],
    ) -> bytes:
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._within_budget(budget_key, held))
            data, metadata = self._render(name, video, spec, source.result())
            slot = stack.pop_all()  # held past this block: given back below
        if self.budget is None:
            slot.close()
            self._store(name, video, spec, data, metadata)
            return data
        # The render is over: its slot goes back while the object is stored and announced
        # (one store round trip off the cold path), and is back before the answer leaves.
        giving_back = _GIVE_BACK.submit(slot.close)
        try:
            self._store(name, video, spec, data, metadata)
        finally:
            giving_back.result()
        return data

    def _render(
        self, name: str, video: VideoRecord, spec: PreviewSpec, source: RenderSource
    ) -> tuple[bytes, dict[str, str]]:
        metadata = {"video_id": video.video_id, "user_id": video.user_id}
        with logged_render(spec):
            if not isinstance(spec, StoryboardSpec):
                return self.renderer.render(source, spec), metadata
            data, layout = self.renderer.render_storyboard(source, spec)
        metadata.update(layout.to_metadata())
        self.layouts.put(name, layout)
        return data, metadata

    def _store(
        self,
        name: str,
        video: VideoRecord,
        spec: PreviewSpec,
        data: bytes,
        metadata: dict[str, str],
    ) -> None:
        self.derived.create(name, data, spec.content_type, metadata)
        # Announced even when the create found the object there (this request's own upload
        # retried after its answer was lost, or a render whose lease expired): the event's
        # key is the object's name, so the log keeps one (decision 037).
        announce(self.events, f"gs://{self.derived.bucket}/{name}", video, spec, len(data))
