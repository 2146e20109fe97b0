"""The Firestore subject store, against the real emulator, passes the fake's contract."""

from __future__ import annotations

import uuid

import pytest

from shared.bootstrap import Container
from shared.domain.bearer import BearerSubjectStore
from tests.contracts.bearer_subject_store import BearerSubjectStoreContract

pytestmark = pytest.mark.emulator


class TestFirestoreBearerSubjectStore(BearerSubjectStoreContract):
    @pytest.fixture
    def store(self, cloud: Container) -> BearerSubjectStore:
        return cloud.bearer_subjects


def test_the_cli_links_and_unlinks(cloud: Container, capsys: pytest.CaptureFixture[str]) -> None:
    from shared import bootstrap
    from shared.cli.bearer_subjects import main

    issuer, subject = "https://issuer.example", f"user_{uuid.uuid4().hex}"
    bootstrap.override(cloud)
    try:
        assert main(["link", "--issuer", issuer, "--subject", subject, "--user", "dana"]) == 0
        link = cloud.bearer_subjects.get(issuer, subject)
        assert link is not None and link.user_id == "dana"
        said = capsys.readouterr()
        assert "act for dana" in said.out and "moved from" not in said.err  # a first link
        # Moving a linked subject to another user works, and says so.
        assert main(["link", "--issuer", issuer, "--subject", subject, "--user", "erin"]) == 0
        assert "moved from dana" in capsys.readouterr().err
        assert main(["link", "--issuer", issuer, "--subject", subject, "--user", "dana"]) == 0
        assert main(["link", "--issuer", issuer, "--subject", subject, "--user", "a/b"]) == 2
        assert main(["unlink", "--issuer", issuer, "--subject", subject]) == 0
        assert main(["unlink", "--issuer", issuer, "--subject", subject]) == 1
        assert cloud.bearer_subjects.get(issuer, subject) is None
    finally:
        bootstrap.override(None)
    assert "user_id is not a valid id" in capsys.readouterr().err
