"""Ingest a local media file for a user and watch it being processed.

    python -m shared.cli.ingest FILE --user USER [--index INDEX] [--title TITLE] [--no-wait]

Uploads to the media bucket; the bucket's finalize notification (published by this command
where the GCS emulator sends none) triggers the processing worker. Exits 0 when processed,
1 when processing failed, 2 on bad input, 3 on timeout.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shared.bootstrap import get_container
from shared.domain.records import RunVideoStatus, VideoRecord, VideoStatus
from shared.errors import VideoVectorError
from shared.services.event_publishing import run_counters
from shared.services.processing_ingest import ingest_file, wait_for_processing


def describe_progress(video: VideoRecord | None, run: RunVideoStatus | None) -> str:
    if video is None:
        return "  queued: waiting for the worker"
    line = f"  {video.status.value}"
    if run is not None:
        counts = run_counters(run)
        done = counts["successful_segments"] + counts["failed_segments"]
        line += f": {done}/{counts['total_segments']} segments"
        if counts["failed_segments"]:
            line += f" ({counts['failed_segments']} failed)"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--user", default=os.environ.get("VV_USER_ID"), help="owner's user id")
    parser.add_argument("--index", default=None, help="index id (default: the playground)")
    parser.add_argument("--title", default=None)
    parser.add_argument("--no-wait", action="store_true", help="return once uploaded")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait")
    args = parser.parse_args(argv)
    if not args.user:
        parser.error("--user is required (or set VV_USER_ID)")
    container = get_container()
    try:
        ticket = ingest_file(
            container.media,
            container.upload_notifier,
            args.file,
            args.user,
            index_id=args.index or None,
            title=args.title,
        )
    except VideoVectorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"uploaded {ticket.uri} ({ticket.size_bytes:,} bytes)")
    print(f"video_id={ticket.video_id}", flush=True)
    if args.no_wait:
        return 0
    try:
        video = wait_for_processing(
            container.catalog,
            ticket,
            lambda v, r: print(describe_progress(v, r), flush=True),
            timeout=args.timeout,
        )
    except TimeoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if video.status is VideoStatus.FAILED:
        print(f"failed: {video.error_message}", file=sys.stderr)
        return 1
    duration = f"{video.duration_seconds:.2f}s " if video.duration_seconds else ""
    print(f"processed: {video.media_type.value} {duration}{video.title!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
