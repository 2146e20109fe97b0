"""What the lease stores (render leases, budget slots) share: giving a lease back."""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore

from shared.adapters.firestore_errors import translated_google_errors


def release_if_held(
    client: firestore.Client,
    ref: firestore.DocumentReference,
    holder: str,
    call: dict[str, Any],
    store: str,
) -> None:
    """Delete the lease at ``ref`` if ``holder`` still holds it; a lease taken over meanwhile
    (it expired) stays with its new holder. ``store`` names the store in errors."""
    with translated_google_errors(store):
        snapshot = ref.get(**call)
        if not snapshot.exists or (snapshot.to_dict() or {}).get("holder") != holder:
            return
        try:
            option = client.write_option(last_update_time=snapshot.update_time)
            ref.delete(option=option, **call)
        except (gexc.FailedPrecondition, gexc.NotFound):
            pass  # taken over meanwhile: the new holder's lease stays
