"""The worker's trigger, validated at the edge: a Pub/Sub push of a Cloud Storage
OBJECT_FINALIZE notification, or an Eventarc ``storage.object.v1.finalized`` event.

Anything else is answered as "nothing to do" (acknowledged): it can never succeed on retry.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.identifiers import is_valid_id
from shared.domain.media_layout import MediaObjectName
from shared.domain.stored_objects import ObjectAddress
from shared.services.processing_records import MediaUpload

PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
STORAGE_FINALIZED_EVENT = "google.cloud.storage.object.v1.finalized"
FINALIZE = "OBJECT_FINALIZE"
MAX_TITLE = 500


class Ignored(Exception):
    """A well-delivered message that asks for no processing (another event type, another
    bucket, an object outside the upload layout, a malformed body)."""


class ObjectResource(BaseModel):
    """The fields of Cloud Storage's object resource the worker reads (it has many more)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    bucket: str = Field(min_length=3, max_length=222)
    name: str = Field(min_length=1, max_length=1024)
    generation: str = Field(pattern=r"^[0-9]{1,20}$")
    size: int = Field(default=0, ge=0)
    content_type: str | None = Field(default=None, alias="contentType", max_length=255)
    metadata: dict[str, str] = Field(default_factory=dict)


class PubSubMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    data: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)


class PushEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    message: PubSubMessage


def _resource_from_pubsub(data: Any) -> ObjectResource:
    message = PushEnvelope.model_validate(data).message
    attributes = message.attributes
    if attributes.get("eventType") != FINALIZE:
        raise Ignored(f"event type {attributes.get('eventType')!r} needs no processing")
    try:
        body = json.loads(base64.b64decode(message.data, validate=True) or b"{}")
    except (binascii.Error, ValueError) as exc:
        raise Ignored("the notification body is not base64 JSON") from exc
    if not isinstance(body, dict):
        raise Ignored("the notification body is not a JSON object")
    # payloadFormat NONE carries no body: the attributes name the object.
    body.setdefault("bucket", attributes.get("bucketId", ""))
    body.setdefault("name", attributes.get("objectId", ""))
    body.setdefault("generation", attributes.get("objectGeneration", ""))
    return ObjectResource.model_validate(body)


def parse_trigger(event_type: str, data: Any, media_bucket: str) -> MediaUpload:
    """The upload to process; raises ``Ignored`` when there is none."""
    try:
        if event_type == PUBSUB_EVENT:
            resource = _resource_from_pubsub(data)
        elif event_type == STORAGE_FINALIZED_EVENT:
            resource = ObjectResource.model_validate(data)
        else:
            raise Ignored(f"unexpected CloudEvent type {event_type!r}")
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise Ignored(f"malformed notification (fields: {', '.join(fields)})") from exc
    if resource.bucket != media_bucket:
        raise Ignored(f"object of bucket {resource.bucket!r}, not the media bucket")
    layout = MediaObjectName.parse(resource.name)
    if layout is None:
        raise Ignored("object name outside the upload layout users/<user>/videos/<video>/<file>")
    metadata = resource.metadata
    if metadata.get("user_id", layout.user_id) != layout.user_id:
        raise Ignored("object metadata names another owner than its path")
    index_id = metadata.get("index_id") or None
    if index_id is not None and not is_valid_id(index_id):
        raise Ignored("object metadata holds a malformed index_id")
    return MediaUpload(
        uri=ObjectAddress(resource.bucket, resource.name).uri,
        generation=resource.generation,
        user_id=layout.user_id,
        video_id=layout.video_id,
        file_name=layout.file_name,
        size_bytes=resource.size,
        content_type=resource.content_type,
        title=(metadata.get("title") or "")[:MAX_TITLE] or None,
        index_id=index_id,
    )
