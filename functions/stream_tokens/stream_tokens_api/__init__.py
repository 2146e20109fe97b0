"""Routes and models of ``POST /api/v2/processing/events/stream-tokens``."""
