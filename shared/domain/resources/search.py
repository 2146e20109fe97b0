"""Search answers as the SDK reads them: ``SearchResult`` and ``FilterSearchResponse``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.domain.records import SegmentRecord, VideoRecord
from shared.domain.resources.base import MarkerInfo, PaginationInfo, ResponseModel

CONTENT_PREVIEW_LENGTH = 200


class MatchedFieldInstance(ResponseModel):
    """A matched field inside nested metadata (no search here scores fields: never sent)."""

    field_path: str
    field_display_label: str | None = None
    field_instance_key: str
    field_instance_path: str
    field_instance_display_label: str | None = None
    score: float
    value_preview: str = ""


class SearchResult(ResponseModel):
    """The SDK's ``SearchResult`` for one segment. Scores and matches of search modes this API
    does not offer (reranking, image and multimodal fusion, field scores) are null."""

    result_type: Literal["segment", "video"] = "segment"
    result_id: str
    segment_id: str  # every result here is a segment
    video_id: str
    video_name: str | None
    video_uri: str | None
    media_type: Literal["video", "audio", "image"] | None
    source_index_id: str | None
    start_time: float
    end_time: float
    gcs_uri: str | None
    segment_uri: str | None
    text_content: str
    content_preview: str
    metadata_text: str | None
    metadata: dict[str, Any] | None
    extracted_metadata: dict[str, Any] | None
    similarity_score: float | None  # semantic search only; null in filter search
    run_id: str | None
    source_run_id: str | None
    thumbnail_uri: str | None = None  # a keyless preview link
    gif_uri: str | None = None  # a keyless preview link; null for audio and images
    thumbnail_available: bool = False
    gif_available: bool = False
    marker: MarkerInfo = Field(default_factory=MarkerInfo)
    extracted_metadata_markers: dict[str, MarkerInfo] = Field(default_factory=dict)
    preview_thumbnail_uri: str | None = None  # the result previews its own segment
    preview_gif_uri: str | None = None
    preview_segment_id: str | None
    preview_start_time: float | None
    preview_end_time: float | None
    preview_segment_uri: str | None
    prompt_run_id: str | None
    prompt_id: str | None = None
    reranked_score: float | None = None
    thumbnail_gcs_uri: str | None = None
    gif_gcs_uri: str | None = None
    thumbnail_data: str | None = None
    gif_data: str | None = None
    field_scores: dict[str, float] | None = None
    field_instance_scores: dict[str, float] | None = None
    matched_field_paths: list[str] | None = None
    matched_field_instances: list[MatchedFieldInstance] | None = None
    fused_score: float | None = None
    text_score: float | None = None
    image_score: float | None = None
    text_rank: int | None = None
    image_rank: int | None = None
    match_type: str | None = None
    matched_image_uri: str | None = None
    matched_image_gcs_uri: str | None = None
    matched_image_timestamp: float | None = None
    matched_image_score: float | None = None
    shot_timestamp: float | None = None
    raw_llm_response: str | None = None

    @classmethod
    def of(
        cls, segment: SegmentRecord, video: VideoRecord, similarity: float | None = None
    ) -> SearchResult:
        text = segment.metadata_text or ""
        return cls(
            result_id=segment.segment_id,
            segment_id=segment.segment_id,
            video_id=segment.video_id,
            video_name=video.title,
            video_uri=video.video_uri,
            media_type=video.media_type.value,
            source_index_id=segment.index_id,
            start_time=segment.start_time,
            end_time=segment.end_time,
            gcs_uri=segment.gcs_uri,
            segment_uri=segment.gcs_uri,
            text_content=text,
            content_preview=text[:CONTENT_PREVIEW_LENGTH],
            metadata_text=segment.metadata_text,
            metadata=segment.metadata,
            extracted_metadata=segment.metadata,
            similarity_score=similarity,
            run_id=segment.from_run_id,
            source_run_id=segment.from_run_id,
            preview_segment_id=segment.segment_id,
            preview_start_time=segment.start_time,
            preview_end_time=segment.end_time,
            preview_segment_uri=segment.gcs_uri,
            prompt_run_id=segment.from_run_id,
        )


class FilterSearchResponse(ResponseModel):
    """Both shapes the SDK's ``FilterSearchResponse`` reads, over the same rows:
    ``results`` / ``next_page_token`` / ``total_shown`` and ``data`` / ``pagination``."""

    results: list[SearchResult]
    next_page_token: str | None
    total_shown: int
    data: list[SearchResult]
    pagination: PaginationInfo
