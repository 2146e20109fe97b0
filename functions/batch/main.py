"""Cloud Function entry point for the batch helpers (``/api/v2/videos/batch*``)."""

import functions_framework
from batch_api.routes import router


@functions_framework.http
def batch(request):  # type: ignore[no-untyped-def]
    return router(request)
