"""A small playground library shaped like the pipeline's output (features in ``metadata``,
plain words in ``metadata_text``, vectors from the real embedder), for tests that must not
wait for media to be processed. End-to-end tests use the pipeline's demo media instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from shared.clock import utcnow
from shared.domain.ports import MediaCatalog, TextEmbedder
from shared.domain.records import (
    MediaType,
    RunStatus,
    RunVideoStatus,
    SegmentRecord,
    SegmentRunStatus,
    SegmentStatus,
    VideoRecord,
    VideoStatus,
)

RUN = "run-demo"
OTHER_RUN = "run-second"


def _visual(colour: str, brightness: str, motion: str) -> dict[str, Any]:
    return {
        "dominant_color": colour,
        "palette": [{"name": colour, "share": 0.9}],
        "brightness_label": brightness,
        "motion_label": motion,
    }


def _audio(label: str, loudness: float, pitch: float | None = None) -> dict[str, Any]:
    return {"audio_label": label, "loudness_db": loudness, "pitch_hz": pitch}


# (video key, media type, [(start, end, metadata, metadata_text)])
LIBRARY: list[tuple[str, MediaType, list[tuple[float, float, dict[str, Any], str]]]] = [
    (
        "colours",
        MediaType.VIDEO,
        [
            (
                0.0,
                2.0,
                {
                    "media_type": "video",
                    **_visual("red", "bright", "static, no motion"),
                    **_audio("loud audio", -8.5, 440.0),
                    "tags": ["warm", "title card"],
                },
                "red scene; colours: red; bright; static, no motion; loud audio, a tone around "
                "440 Hz.",
            ),
            (
                2.0,
                4.0,
                {
                    "media_type": "video",
                    **_visual("blue", "dark", "fast motion"),
                    **_audio("silence", -90.0),
                    "tags": ["cool"],
                },
                "blue scene; colours: blue; dark; fast motion; silence, no sound.",
            ),
        ],
    ),
    (
        "forest",
        MediaType.VIDEO,
        [
            (
                0.0,
                3.0,
                {
                    "media_type": "video",
                    **_visual("green", "medium brightness", "some motion"),
                    **_audio("quiet audio", -38.0, 220.0),
                    "tags": [],
                    "people": [{"name": "Ada", "emotion": "calm"}],
                },
                "green scene; colours: green; medium brightness; some motion; quiet audio, a "
                "tone around 220 Hz.",
            ),
        ],
    ),
    (
        "tone",
        MediaType.AUDIO,
        [
            (
                0.0,
                2.0,
                {
                    "media_type": "audio",
                    **_audio("loud audio", -6.0, 880.0),
                    "people": [
                        {"name": "Bo", "emotion": "angry"},
                        {"name": "Cy", "emotion": "joy"},
                    ],
                },
                "audio only, no picture; loud audio, a tone around 880 Hz.",
            ),
        ],
    ),
    (
        "still",
        MediaType.IMAGE,
        [
            (
                0.0,
                0.0,
                {
                    "media_type": "image",
                    **_visual("yellow", "very bright", "static, no motion"),
                    "title": "Sunflower field",
                    "rating": 4,
                    "score": 0.75,
                    "approved": True,
                },
                "yellow still image; colours: yellow; very bright; no audio.",
            ),
        ],
    ),
]


@dataclass
class Seeded:
    user_id: str
    videos: dict[str, VideoRecord] = field(default_factory=dict)  # key → record
    segments: dict[str, list[SegmentRecord]] = field(default_factory=dict)  # key → segments

    def segment(self, key: str, index: int = 0) -> SegmentRecord:
        return self.segments[key][index]


def seed_playground(catalog: MediaCatalog, embedder: TextEmbedder, user_id: str) -> Seeded:
    """Write the library for ``user_id``: videos newest-first in LIBRARY order, one completed
    run with a segment snapshot per video, and segment embeddings."""
    seeded = Seeded(user_id)
    now = utcnow()
    for position, (key, media_type, parts) in enumerate(LIBRARY):
        created = now - timedelta(minutes=position)
        video = VideoRecord(
            video_id=f"{user_id}-{key}",
            user_id=user_id,
            title=f"Demo {key}",
            video_uri=f"gs://videovector-media/{user_id}/{key}",
            media_type=media_type,
            status=VideoStatus.PROCESSED,
            created_at=created,
            updated_at=created,
            duration_seconds=max(end for _, end, _, _ in parts),
            metadata_keys=sorted({k for _, _, meta, _ in parts for k in meta}),
        )
        segments = [
            SegmentRecord(
                segment_id=f"{video.video_id}-s{i}",
                video_id=video.video_id,
                user_id=user_id,
                start_time=start,
                end_time=end,
                created_at=created,
                metadata=meta,
                metadata_text=text,
                segment_status=SegmentStatus.COMPLETED,
                from_run_id=RUN,
                processed_at=created,
            )
            for i, (start, end, meta, text) in enumerate(parts)
        ]
        catalog.put_video(video)
        catalog.put_segments(segments)
        catalog.put_run_status(
            RunVideoStatus(
                run_id=RUN,
                video_id=video.video_id,
                user_id=user_id,
                status=RunStatus.COMPLETED,
                created_at=created,
                updated_at=created,
                prompt_id="prompt-describe",
                segments=[
                    SegmentRunStatus(
                        s.segment_id, SegmentStatus.COMPLETED, s.start_time, s.end_time
                    )
                    for s in segments
                ],
            )
        )
        vectors = embedder.embed_documents([s.metadata_text or "" for s in segments])
        catalog.put_segment_embeddings(
            embedder.model_id, {s.segment_id: v for s, v in zip(segments, vectors, strict=True)}
        )
        seeded.videos[key] = video
        seeded.segments[key] = segments
    return seeded


# query → (video key, segment index) that must rank first
LABELLED_QUERIES: dict[str, tuple[str, int]] = {
    "red scene": ("colours", 0),
    "blue scene": ("colours", 1),
    "silence": ("colours", 1),
    "green forest": ("forest", 0),
    "loud audio without picture": ("tone", 0),
    "yellow still image": ("still", 0),
}
