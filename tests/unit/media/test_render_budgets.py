"""Renders spend the key's render budget; cached previews and other keys do not."""

from __future__ import annotations

import threading
import time

from shared.errors import RateLimited, ServiceUnavailable
from shared.services.budgets import ConcurrencyBudget, Held, RenderBudget
from shared.services.rate_limiting import RateLimiter
from tests.fakes.memory_rate_limits import InMemoryRateLimitStore
from tests.fakes.memory_slot_leases import InMemorySlotLeases
from tests.unit.media.conftest import MediaWorld

GIF = "/api/v2/videos/{}/gif"


def budgeted(media: MediaWorld, concurrent: int, starts: int) -> InMemorySlotLeases:
    leases = InMemorySlotLeases()
    limiter = RateLimiter(InMemoryRateLimitStore(), starts, unit="render starts")
    budget = RenderBudget(ConcurrencyBudget(leases, 120, retry_after=2), concurrent, limiter)
    media.container.__dict__["render_budget"] = budget
    media.container.__dict__.pop("media_previews", None)
    return leases


def held_renders(media: MediaWorld) -> tuple[threading.Event, threading.Event]:
    """Renders wait for ``gate``; ``rendering`` is set once one has started."""
    gate, rendering = threading.Event(), threading.Event()
    original = media.renderer.render

    def slow_render(source, spec):  # type: ignore[no-untyped-def]
        rendering.set()
        assert gate.wait(10)
        return original(source, spec)

    media.renderer.render = slow_render  # type: ignore[method-assign]
    return gate, rendering


def get(media: MediaWorld, path: str, key: str):  # type: ignore[no-untyped-def]
    return media.client.get(path, headers={"X-API-Key": key})


def test_a_render_beyond_the_keys_concurrency_is_429_before_ffmpeg(media: MediaWorld) -> None:
    budgeted(media, concurrent=1, starts=100)
    for video in ("v1", "v2"):
        media.add_video("alice", video)
    media.add_video("bob", "b1")
    gate, rendering = held_renders(media)
    first = threading.Thread(target=get, args=(media, GIF.format("v1"), media.alice))
    first.start()
    try:
        assert rendering.wait(10)
        refused = get(media, GIF.format("v2"), media.alice)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "2"
        assert refused.get_json()["error"]["code"] == "rate_limited"
        gate.set()
        assert get(media, GIF.format("b1"), media.bob).status_code == 200  # another key renders
    finally:
        gate.set()
        first.join(10)
    assert len(media.renderer.renders) == 2  # the refused render never reached the renderer
    assert get(media, GIF.format("v2"), media.alice).status_code == 200  # slot given back


def test_render_starts_per_minute_count_only_real_renders(media: MediaWorld) -> None:
    leases = budgeted(media, concurrent=5, starts=2)
    for video in ("v1", "v2", "v3"):
        media.add_video("alice", video)
    assert get(media, GIF.format("v1"), media.alice).status_code == 200
    for _ in range(5):  # served from the cache: no render, no start spent
        assert get(media, GIF.format("v1"), media.alice).status_code == 200
    assert get(media, GIF.format("v2"), media.alice).status_code == 200
    refused = get(media, GIF.format("v3"), media.alice)
    assert refused.status_code == 429
    assert "render starts per minute" in refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(media.renderer.renders) == 2
    assert not leases.slots  # every slot given back when its render ended


def test_a_request_waiting_for_the_same_render_is_not_refused_and_spends_nothing(
    media: MediaWorld,
) -> None:
    """The lease and the key's slot are asked at once: a second identical request, whose
    slot is refused (the first holds the key's only one), waits for the first's object
    instead of answering 429, and spends no render start."""
    leases = budgeted(media, concurrent=1, starts=1)
    media.add_video("alice", "v1")
    gate, rendering = held_renders(media)
    answers: list[int] = []
    first = threading.Thread(
        target=lambda: answers.append(get(media, GIF.format("v1"), media.alice).status_code)
    )
    first.start()
    try:
        assert rendering.wait(10)
        second = threading.Thread(
            target=lambda: answers.append(get(media, GIF.format("v1"), media.alice).status_code)
        )
        second.start()
        threading.Event().wait(0.3)  # the second has asked for the lease and a slot by now
        gate.set()
        second.join(10)
    finally:
        gate.set()
        first.join(10)
    assert answers == [200, 200]
    assert len(media.renderer.renders) == 1 and not leases.slots
    media.add_video("alice", "v2")  # the one start of the minute went to the one render
    assert get(media, GIF.format("v2"), media.alice).status_code == 429


SLOTS_TAKEN = RateLimited("At most 1 renders for this key at a time.", retry_after=2)


def scripted_slot_asks(media: MediaWorld, *outcomes: Exception) -> list[str]:
    """A budget of one slot for v1's renders whose first slot asks fail with ``outcomes`` in
    turn, and ask the real budget after them; returns the keys asked, in order."""
    budgeted(media, concurrent=1, starts=10)
    media.add_video("alice", "v1")
    budget = media.container.__dict__["render_budget"]
    asked = budget.slot
    calls: list[str] = []

    def scripted(key_id: str) -> Held:
        calls.append(key_id)
        if len(calls) <= len(outcomes):
            raise outcomes[len(calls) - 1]
        return asked(key_id)

    budget.slot = scripted
    return calls


def test_the_lease_winner_asks_for_a_slot_again_when_losers_held_them(media: MediaWorld) -> None:
    """The slot asked beside the lease may be refused while this key's requests that lost
    the lease still hold slots they are about to give back: the winner asks once more, in
    sequence, and renders instead of answering 429."""
    calls = scripted_slot_asks(media, SLOTS_TAKEN)  # a loser held the key's only slot
    assert get(media, GIF.format("v1"), media.alice).status_code == 200
    assert len(calls) == 2 and len(media.renderer.renders) == 1


def test_the_lease_winner_waits_for_its_siblings_to_give_their_slots_back(
    media: MediaWorld,
) -> None:
    """Identical requests of one key on one instance: when the winner asks again, a loser may
    not yet know it lost and still hold the key's only slot. The winner waits for its siblings
    to settle (here 0.3 s), then renders, instead of answering 429."""
    budgeted(media, concurrent=1, starts=10)
    media.add_video("alice", "v1")
    previews = media.container.media_previews
    budget = media.container.__dict__["render_budget"]
    asked = budget.slot
    sibling_settled = threading.Event()

    def sibling(key_id: str, holding: threading.Event) -> None:
        with previews.slot_askers.asking(key_id):
            held = asked(key_id)
            holding.set()
            time.sleep(0.3)  # its lease answer still on the way
            budget.give_back(held)
        sibling_settled.set()

    def taken_by_a_sibling(key_id: str) -> Held:
        if not sibling_settled.is_set() and not hasattr(taken_by_a_sibling, "started"):
            taken_by_a_sibling.started = True  # type: ignore[attr-defined]
            holding = threading.Event()
            threading.Thread(target=sibling, args=(key_id, holding)).start()
            assert holding.wait(5)
        return asked(key_id)

    budget.slot = taken_by_a_sibling
    assert get(media, GIF.format("v1"), media.alice).status_code == 200
    assert sibling_settled.is_set() and len(media.renderer.renders) == 1


def test_a_store_failure_on_the_winners_second_ask_gives_the_lease_back(
    media: MediaWorld,
) -> None:
    unavailable = ServiceUnavailable("The budget store is temporarily unavailable.")
    calls = scripted_slot_asks(media, SLOTS_TAKEN, unavailable)
    assert get(media, GIF.format("v1"), media.alice).status_code == 503
    assert len(calls) == 2
    assert media.container.render_leases.leases == {}  # given back, not held for 90 s
    assert get(media, GIF.format("v1"), media.alice).status_code == 200
    assert len(media.renderer.renders) == 1
