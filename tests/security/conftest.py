"""Security tests drive the end-to-end stack (and its emulators), with processes of their own
where a test needs small limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from infra.local.processes import ManagedProcess
from infra.local.routes import load_table
from infra.local.stack import LocalStack, function_process
from shared.adapters.ffmpeg_previews import FfmpegPreviewRenderer
from shared.bootstrap import Container
from tests.support.media_world import Listener, World, world_of


@pytest.fixture
def function_factory(
    stack: LocalStack,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """Start one HTTP function of the stack a second time, with settings of its own (e.g.
    small budgets); answers its base URL. Stopped when the test ends."""
    started: list[ManagedProcess] = []
    log_dir = tmp_path_factory.mktemp("function-logs")
    functions, _ = load_table()

    def make(name: str, **env: str) -> str:
        process = function_process(
            functions[name],
            stack.env,
            log_dir,
            f"{name}-{len(started) + 1}",
            VV_LOG_LEVEL="INFO",
            **env,
        )
        started.append(process.run(timeout=60))
        return f"http://127.0.0.1:{process.port}"

    yield make
    for process in started:
        process.stop()


@pytest.fixture
def world(cloud: Container, user_id: str) -> Iterator[World]:
    with world_of(cloud, user_id, FfmpegPreviewRenderer()) as world:
        yield world


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()
