"""What the dead-letter replay selects and what it republishes (the Pub/Sub round trip is
tests/e2e/test_dead_letter_replay_e2e.py)."""

from __future__ import annotations

import pytest

from shared.adapters.pubsub_dead_letter_replay import (
    REPLAY_ATTRIBUTE,
    DeadLetter,
    Selection,
    replayed_attributes,
)

REJECTED = DeadLetter("1", "validation_failed", "", "m-1", 10)
GAVE_UP = DeadLetter(
    "2", "delivery_attempts_exhausted", "projects/p/subscriptions/vv-processing-worker-push", "", 5
)


@pytest.mark.parametrize(
    ("selection", "selected"),
    [
        (Selection(), {"1", "2"}),
        (Selection(reason="validation_failed"), {"1"}),
        (Selection(reason="invalid_json"), set()),
        (Selection(source_subscription="vv-processing-worker-push"), {"2"}),
        (
            Selection(source_subscription="projects/p/subscriptions/vv-processing-worker-push"),
            {"2"},
        ),
        (Selection(source_subscription="vv-events-ingest-push"), set()),
    ],
)
def test_selection(selection: Selection, selected: set[str]) -> None:
    assert {d.message_id for d in (REJECTED, GAVE_UP) if selection.selects(d)} == selected


def test_republished_attributes_drop_what_dead_lettering_added() -> None:
    attributes = {
        "source_message_id": "m-1",
        "dead_letter_reason": "validation_failed",
        "dead_letter_detail": "event_type: ...",
        "CloudPubSubDeadLetterSourceSubscription": "vv-events-ingest-push",
        "CloudPubSubDeadLetterSourceDeliveryCount": "5",
        "origin": "kept",
    }
    assert replayed_attributes(attributes, "42") == {
        "source_message_id": "m-1",
        "origin": "kept",
        REPLAY_ATTRIBUTE: "42",
    }
