"""Routes and request models of the media helpers (``/api/v2/videos/...``, ``/api/v2/previews``)."""
