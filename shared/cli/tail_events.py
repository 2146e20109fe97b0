"""Follow a user's processing events in the terminal, resuming by itself across drops.

    python -m shared.cli.tail_events [--run-id R] [--index-id I] [--video-ids a,b]
                                     [--event-types media.created,...] [--last-event-id ID]
                                     [--json]

Reads ``VV_BASE_URL`` and ``VV_API_KEY`` from the environment (``make tail-events`` loads
``.local/dev.env``). Ctrl-C stops; the last id seen is printed so a later run can resume.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from shared.clients.event_stream import EventStreamClient, StreamEnded, StreamRefused


def _list(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tail_events", description=__doc__.splitlines()[0])
    parser.add_argument("--run-id")
    parser.add_argument("--index-id")
    parser.add_argument("--video-ids", type=_list, default=[])
    parser.add_argument("--event-types", type=_list, default=[])
    parser.add_argument("--last-event-id", help="resume after this event id")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    base_url, api_key = os.environ.get("VV_BASE_URL"), os.environ.get("VV_API_KEY")
    if not base_url or not api_key:
        print(
            "Set VV_BASE_URL and VV_API_KEY (make tail-events reads .local/dev.env).",
            file=sys.stderr,
        )
        return 2
    client = EventStreamClient(
        base_url,
        api_key,
        run_id=args.run_id,
        index_id=args.index_id,
        video_ids=args.video_ids,
        event_types=args.event_types,
        last_event_id=args.last_event_id,
    )
    print(f"following {base_url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        for event in client.events():
            if args.json:
                print(json.dumps(event.data), flush=True)
                continue
            data = event.data
            where = " ".join(
                f"{name}={data[name]}"
                for name in ("run_id", "video_id", "segment_id", "index_id")
                if data.get(name)
            )
            payload = json.dumps(data.get("payload") or {}, separators=(",", ":"))
            print(f"{event.event_id}  {event.event_type:<30} {where}  {payload}", flush=True)
    except KeyboardInterrupt:
        pass
    except StreamEnded as ended:
        print(f"stream ended: {ended.code}: {ended}", file=sys.stderr)
        return 1
    except StreamRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    finally:
        if client.last_event_id:
            print(f"last event id: {client.last_event_id}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
