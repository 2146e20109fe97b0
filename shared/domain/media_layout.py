"""Where an upload lives in the media bucket: ``users/{user_id}/videos/{video_id}/{file}``.

The owner and the video id are in the object name, so a finalize notification alone says
whose media it is; the object's own metadata carries the rest (title, index)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.identifiers import is_valid_id

MAX_FILE_NAME = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class MediaObjectName:
    user_id: str
    video_id: str
    file_name: str

    def __str__(self) -> str:
        return f"users/{self.user_id}/videos/{self.video_id}/{self.file_name}"

    @classmethod
    def build(cls, user_id: str, video_id: str, original_name: str) -> MediaObjectName:
        safe = _UNSAFE.sub("-", original_name).strip(".-")[-MAX_FILE_NAME:] or "media"
        if not (is_valid_id(user_id) and is_valid_id(video_id)):
            raise ValueError("user and video ids must be plain identifiers")
        return cls(user_id, video_id, safe)

    @classmethod
    def parse(cls, name: str) -> MediaObjectName | None:
        parts = name.split("/")
        if len(parts) != 5 or parts[0] != "users" or parts[2] != "videos":
            return None
        _, user_id, _, video_id, file_name = parts
        if not (is_valid_id(user_id) and is_valid_id(video_id)) or not file_name:
            return None
        return cls(user_id, video_id, file_name)
