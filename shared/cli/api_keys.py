"""Create or revoke an API key.

    python -m shared.cli.api_keys create --user USER --scopes read,write
    python -m shared.cli.api_keys revoke --key sk_live_...

``create`` prints only the key, once, on standard output; it is stored as a SHA-256 hash.
"""

from __future__ import annotations

import argparse

from shared.bootstrap import get_container
from shared.cli.exit_codes import exit_code
from shared.services.api_keys import create_api_key, revoke_api_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="api_keys", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--user", required=True)
    create.add_argument("--scopes", default="read", help="comma list of search,read,write,admin")
    revoke = commands.add_parser("revoke", help="revoke a key")
    revoke.add_argument("--key", required=True)
    args = parser.parse_args(argv)
    container = get_container()
    store = container.api_keys
    if args.command == "create":
        return exit_code(
            lambda: print(create_api_key(store, args.user, args.scopes.split(","))), ""
        )

    def revoked() -> bool:
        done = revoke_api_key(store, args.key)
        if done:
            # Instances that cached the key keep accepting it that long (decision 004).
            cached = container.settings.api_key_cache_seconds
            print(f"revoked: refused everywhere within {cached:g} s")
        return done

    return exit_code(revoked, "no such key")


if __name__ == "__main__":
    raise SystemExit(main())
