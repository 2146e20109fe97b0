"""The developer console in a real headless Chromium against the local stack.

Runs ``tests/browser/console.spec.mjs`` (playwright-core driving Debian's chromium; installed
by ``make browser-deps``, which ``make test`` runs first). When the page asks, it ingests a
small real video through the pipeline, or publishes one event on the real topic, so the page
must show the events live.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.local.demo_media import DEMO_MEDIA
from infra.local.stack import LocalStack
from shared.adapters.ffmpeg_synthesis import render
from shared.domain.events import EventType, OutgoingEvent
from shared.services.processing_ingest import ingest_file

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "browser" / "console.spec.mjs"
SCREENSHOTS = ROOT / ".local" / "screenshots" / "console"
DEADLINE_SECONDS = 240
STEPS = "key,tabs,events,resume,media,search,filter,marker,phone"
CLIP = next(recipe for recipe in DEMO_MEDIA if recipe.name == "night-and-day.mp4")  # 5 s


def _lines(process: subprocess.Popen[str], into: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.put(line.rstrip("\n"))
    into.put(None)


def test_console_in_headless_chromium(stack: LocalStack, cloud, new_key, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    user = f"user-{uuid.uuid4().hex[:10]}"
    key = new_key(user, "write")
    clip = tmp_path / CLIP.name
    render(CLIP, clip)
    process = subprocess.Popen(
        ["node", str(SPEC), stack.base_url, key, str(SCREENSHOTS), STEPS],
        cwd=SPEC.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process, lines), daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            line = lines.get(timeout=DEADLINE_SECONDS)
            if line is None:
                break
            seen.append(line)
            if line == "NEED_INGEST":
                ingest_file(cloud.media, cloud.upload_notifier, clip, user, title="Night and day")
            elif line.startswith("NEED_EVENT "):
                label = line.split(" ", 1)[1]
                cloud.events.publish(
                    OutgoingEvent(
                        EventType.MEDIA_CREATED,
                        user,
                        f"{label}-{uuid.uuid4().hex}",
                        datetime.now(UTC),
                        video_id=label,
                        payload={"label": label},
                    )
                )
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read() if process.stderr else ""
    assert returncode == 0, "\n".join(seen) + "\n" + stderr
    assert seen[-1] == "CONSOLE_OK"
    assert [s for s in seen if s.startswith("STEP ")] == [f"STEP {s}" for s in STEPS.split(",")]
    assert (SCREENSHOTS / "02-live-events.png").stat().st_size > 0
