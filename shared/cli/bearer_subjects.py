"""Link a bearer token's subject to a user, or unlink it.

    python -m shared.cli.bearer_subjects link --issuer ISS --subject SUB --user USER
    python -m shared.cli.bearer_subjects unlink --issuer ISS --subject SUB

The issuer must be spelled exactly as the tokens' ``iss`` claim (and as in VV_BEARER_ISSUERS);
the subject is the configured subject claim's value (``sub`` by default).
"""

from __future__ import annotations

import argparse
import sys

from shared.bootstrap import get_container
from shared.cli.exit_codes import exit_code
from shared.services.bearer_subjects import link_subject, unlink_subject


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bearer_subjects", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser("link", help="link a subject to a user (replacing any link)")
    unlink = commands.add_parser("unlink", help="remove a subject's link")
    for command in (link, unlink):
        command.add_argument("--issuer", required=True)
        command.add_argument("--subject", required=True)
    link.add_argument("--user", required=True)
    args = parser.parse_args(argv)
    container = get_container()
    configured = {issuer.issuer for issuer in container.settings.bearer_issuers}
    if not configured:
        print(
            "warning: VV_BEARER_ISSUERS is empty here: this deployment refuses every bearer "
            "token until it trusts the issuer",
            file=sys.stderr,
        )
    elif args.issuer not in configured:
        print(f"warning: {args.issuer!r} is not in VV_BEARER_ISSUERS", file=sys.stderr)
    store = container.bearer_subjects
    cached = f"{container.settings.api_key_cache_seconds:g} s"
    if args.command == "link":

        def linked() -> None:
            previous = store.get(args.issuer, args.subject)
            link_subject(store, args.issuer, args.subject, args.user)
            print(f"linked: tokens of {args.issuer} for {args.subject!r} act for {args.user}")
            if previous is not None and previous.user_id != args.user:
                # Moving a subject is allowed, but it should never go unnoticed.
                print(
                    f"moved from {previous.user_id}: instances that cached the old link keep "
                    f"it for up to {cached} (VV_API_KEY_CACHE_SECONDS)",
                    file=sys.stderr,
                )

        return exit_code(linked, "")

    def unlinked() -> bool:
        done = unlink_subject(store, args.issuer, args.subject)
        if done:
            print(f"unlinked: tokens of {args.issuer} for {args.subject!r} now act for no one")
        return done

    return exit_code(unlinked, "no such link")


if __name__ == "__main__":
    raise SystemExit(main())
