"""Link a token issuer's subject to a user, or undo it (the admin command's use cases)."""

from __future__ import annotations

from shared.clock import utcnow
from shared.domain.bearer import MAX_SUBJECT_LENGTH, BearerSubjectStore, SubjectLink
from shared.domain.identifiers import is_valid_id
from shared.errors import ValidationFailed


def link_subject(store: BearerSubjectStore, issuer: str, subject: str, user_id: str) -> None:
    """From now on, a valid token of ``issuer`` for ``subject`` acts for ``user_id``."""
    if not issuer.strip():
        raise ValidationFailed("issuer is empty.", details={"field": "issuer"})
    if not subject or len(subject) > MAX_SUBJECT_LENGTH:
        raise ValidationFailed(
            f"subject must be 1 to {MAX_SUBJECT_LENGTH} characters.", details={"field": "subject"}
        )
    if not is_valid_id(user_id):
        raise ValidationFailed("user_id is not a valid id.", details={"field": "user_id"})
    store.link(SubjectLink(issuer, subject, user_id, utcnow()))


def unlink_subject(store: BearerSubjectStore, issuer: str, subject: str) -> bool:
    return store.unlink(issuer, subject)
