"""How the administration commands end: one convention for all of them."""

from __future__ import annotations

import sys
from collections.abc import Callable

from shared.errors import VideoVectorError


def exit_code(act: Callable[[], object], missing: str) -> int:
    """0 when ``act`` did its work, 1 (saying ``missing``) when it returned False because there
    was nothing to act on, 2 when the request was refused (the error's message)."""
    try:
        done = act()
    except VideoVectorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    if done is False:
        print(missing, file=sys.stderr)
        return 1
    return 0
