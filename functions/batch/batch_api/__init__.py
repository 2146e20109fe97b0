"""Routes and request models of ``/api/v2/videos/batch*``."""
