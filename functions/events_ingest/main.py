"""Cloud Function entry point: processing events pushed from the ``processing-events`` topic."""

import functions_framework
from events_ingest_api.handler import handle_pushed_event


@functions_framework.cloud_event
def events_ingest(cloud_event):  # type: ignore[no-untyped-def]
    handle_pushed_event(cloud_event)
