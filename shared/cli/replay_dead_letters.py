"""Replay dead-lettered messages once their cause is fixed (docs/runbooks/dead-letter-backlog.md).

    python -m shared.cli.replay_dead_letters --dry-run
    python -m shared.cli.replay_dead_letters --reason validation_failed
    python -m shared.cli.replay_dead_letters --source-subscription vv-processing-worker-push \
        --topic media-uploads

Pulls from the dead-letter hold subscription, publishes each selected message again to the
topic (the processing-events topic unless --topic says otherwise), then acknowledges it.
Messages not selected stay on the hold subscription. Prints one line per message.
"""

from __future__ import annotations

import argparse
import sys

from shared.adapters.pubsub_dead_letter_replay import Selection, replay_dead_letters
from shared.config import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(
        prog="replay_dead_letters", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--subscription", default=f"{settings.dead_letter_topic}-hold")
    parser.add_argument("--topic", default=settings.events_topic)
    parser.add_argument("--reason", help="only dead letters of this dead_letter_reason")
    parser.add_argument("--source-subscription", help="only those Pub/Sub moved from here")
    parser.add_argument("--limit", type=int, help="replay at most this many")
    parser.add_argument("--dry-run", action="store_true", help="list, replay nothing")
    args = parser.parse_args(argv)

    from google.cloud import pubsub_v1

    from shared.adapters.pubsub_client import publisher_client

    project = settings.project_id
    with pubsub_v1.SubscriberClient() as subscriber:
        report = replay_dead_letters(
            subscriber,
            publisher_client(),
            subscriber.subscription_path(project, args.subscription),
            f"projects/{project}/topics/{args.topic}",
            Selection(args.reason, args.source_subscription, args.limit),
            dry_run=args.dry_run,
        )
    for verb, letters in (("replayed", report.replayed), ("left", report.left)):
        for letter in letters:
            origin, source = letter.origin or "-", letter.source or "-"
            print(
                f"{verb} {letter.message_id} reason={letter.reason} origin={origin} "
                f"source={source} bytes={letter.size}"
            )
    print(
        f"{len(report.replayed)} replayed to {args.topic}, {len(report.left)} left", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
