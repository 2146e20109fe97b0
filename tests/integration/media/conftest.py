"""Fixtures of the media integration tests: test media made once per session."""

from __future__ import annotations

import pytest

from tests.media.fixtures import Samples, make_samples


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    return make_samples(tmp_path_factory.mktemp("media-samples"))
