"""Request and response models are built on first use, not at import (``defer_build``, decision
053: cold starts). A cold instance's first requests arrive on several threads at once: each must
validate with the model's own rules, never a half-built one's. Run in a fresh interpreter, so no
model has been used yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIRST_USE_ON_MANY_THREADS = """
import sys
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pydantic import ValidationError

from batch_api.models import BatchSegmentsRequest, BatchVideosRequest

assert not BatchSegmentsRequest.__pydantic_complete__, "built at import"
THREADS = 16
barrier = Barrier(THREADS)


def first_use(i: int) -> str:
    barrier.wait()
    if i % 2:
        return ",".join(BatchVideosRequest.model_validate({"video_ids": [f"v{i}"]}).video_ids)
    try:
        BatchSegmentsRequest.model_validate({"video_ids": ["a"], "targets": [], "extra": 1})
    except ValidationError as error:
        return ",".join(sorted(e["type"] for e in error.errors()))
    return "accepted"


with ThreadPoolExecutor(THREADS) as pool:
    results = list(pool.map(first_use, range(THREADS)))
print("\\n".join(results))
"""


def test_first_use_on_many_threads_validates_with_the_models_own_rules() -> None:
    run = subprocess.run(
        [sys.executable, "-c", FIRST_USE_ON_MANY_THREADS],
        cwd=ROOT / "functions" / "batch",
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[1::2] == [f"v{i}" for i in range(1, 16, 2)]
    assert set(lines[0::2]) == {"extra_forbidden,too_short"}, lines
