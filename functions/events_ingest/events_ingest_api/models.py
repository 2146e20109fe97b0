"""The processing-event message as publishers send it, with every limit named: the event's
fields and their limits are the domain's ``OutgoingEvent``, validated here at the edge."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.domain.events import OutgoingEvent

MAX_MESSAGE_BYTES = 256 * 1024

INCOMING_EVENT = TypeAdapter(OutgoingEvent)


class PushedMessage(BaseModel):
    """The Pub/Sub message inside the CloudEvent (other fields are Pub/Sub's, not ours)."""

    model_config = ConfigDict(extra="ignore")

    data: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
