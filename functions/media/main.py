"""Cloud Function entry point for the media helpers: signed URLs, thumbnails, GIFs."""

import functions_framework
from media_api.routes import router


@functions_framework.http
def media(request):  # type: ignore[no-untyped-def]
    return router(request)
