"""Cloud Function entry point for the stream-token endpoint of the developer console."""

import functions_framework
from stream_tokens_api.routes import router


@functions_framework.http
def stream_tokens(request):  # type: ignore[no-untyped-def]
    return router(request)
