"""Cloud Run entry point of the processing event relay (``uvicorn main:app``)."""

from events_relay_api.app import create_app

app = create_app()
