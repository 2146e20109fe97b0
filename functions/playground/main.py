"""Cloud Function entry point for the playground helpers (listing, semantic and filter search)."""

import functions_framework
from playground_api.routes import router


@functions_framework.http
def playground(request):  # type: ignore[no-untyped-def]
    return router(request)
