"""Cloud Function entry point: processing events pushed from the ``processing-events`` topic."""

import functions_framework
from events_ingest_api.handler import handle_pushed_event

from shared.config import load_settings

load_settings()  # every variable checked as the function starts: a bad one exits, named


@functions_framework.cloud_event
def events_ingest(cloud_event):  # type: ignore[no-untyped-def]
    handle_pushed_event(cloud_event)
