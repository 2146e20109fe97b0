"""Demo media with known content, made with ffmpeg's own sources (never committed): clips
with hard cuts at known times between scenes of distinct colour and sound, one sound file
and one image. ``make dev`` renders what is missing and ingests it for the demo user in the
background, so the stack is usable at once and fills with content within seconds."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from shared.adapters.ffmpeg_synthesis import render
from shared.bootstrap import Container
from shared.domain.media_recipes import MediaRecipe, SceneRecipe
from shared.domain.records import MediaType
from shared.services.processing_ingest import IngestTicket, ingest_file

logger = logging.getLogger("videovector.demo")
S = SceneRecipe

DEMO_MEDIA: tuple[MediaRecipe, ...] = (
    MediaRecipe(
        "red-blue-green.mp4",
        MediaType.VIDEO,
        (
            S(2, "red", tone_hz=440, volume=4),  # a loud tone
            S(2, "blue"),  # silence
            S(2, "green", moving_box=True, tone_hz=880, volume=0.1),  # fast motion, quiet
        ),
        tags={"title": "Red, blue, green"},
    ),
    MediaRecipe(
        "night-and-day.mp4",
        MediaType.VIDEO,
        (S(2.5, "navy", accent="black"), S(2.5, "yellow", tone_hz=220, volume=4)),
        width=480,
        height=270,
        tags={"title": "Night and day"},
    ),
    MediaRecipe(
        "long-purple-take.mp4",
        MediaType.VIDEO,
        (S(8, "purple", accent="white", tone_hz=330, volume=1),),  # one scene: fixed windows
        tags={"title": "A long purple take"},
    ),
    MediaRecipe(
        "tones.mp3",
        MediaType.AUDIO,
        (S(3, tone_hz=440, volume=4), S(3), S(2, tone_hz=660, volume=0.1)),
        tags={"title": "Tones and silence"},
    ),
    MediaRecipe(
        "poster.png",
        MediaType.IMAGE,
        (S(1, "orange", accent="navy"),),
        width=640,
        height=360,
        tags={"title": "Orange poster"},
    ),
)


def ensure_demo_media(folder: Path) -> list[Path]:
    """Render each demo file that is not there yet; rendering is deterministic."""
    paths = []
    for recipe in DEMO_MEDIA:
        path = folder / recipe.name
        if not path.exists():
            render(recipe, path)
        paths.append(path)
    return paths


def ingest_demo_media(container: Container, folder: Path, user_id: str) -> list[IngestTicket]:
    tickets = []
    for recipe, path in zip(DEMO_MEDIA, ensure_demo_media(folder), strict=True):
        tickets.append(
            ingest_file(
                container.media,
                container.upload_notifier,
                path,
                user_id,
                title=str(recipe.tags.get("title", recipe.name)),
            )
        )
    return tickets


def ingest_demo_media_in_background(
    container: Container, folder: Path, user_id: str
) -> threading.Thread:
    def run() -> None:
        try:
            tickets = ingest_demo_media(container, folder, user_id)
            print(
                f"Demo media: {len(tickets)} files uploaded for {user_id}; processing.", flush=True
            )
        except Exception:  # the stack stays usable without its demo content
            logger.exception("demo media could not be ingested")

    thread = threading.Thread(target=run, name="demo-media", daemon=True)
    thread.start()
    return thread
