"""Cloud Function entry point for the markers endpoint group."""

import functions_framework
from markers_api.routes import router


@functions_framework.http
def markers(request):  # type: ignore[no-untyped-def]
    return router(request)
