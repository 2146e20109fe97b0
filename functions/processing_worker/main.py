"""Cloud Function entry point of the reference processing worker (a CloudEvent function fed
by the media bucket's finalize notifications through Pub/Sub, or by an Eventarc GCS trigger)."""

import functions_framework
from cloudevents.http import CloudEvent
from processing_worker_api.handler import handle_upload_event

from shared.config import load_settings

load_settings()  # every variable checked as the function starts: a bad one exits, named


@functions_framework.cloud_event
def processing_worker(cloud_event: CloudEvent) -> None:
    handle_upload_event(cloud_event)
