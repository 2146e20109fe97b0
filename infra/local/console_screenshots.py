"""The README's screenshots of the developer console (``make screenshots``): a private local
stack on a free port, ``tests/browser/screenshots.mjs`` in Debian's headless Chromium against
it, and the demo media ingested for the demo user when the page asks ("NEED_DEMO": it is then
listening, so the events timeline shows the pipeline's real events). Everything it starts is
stopped before it returns."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.local.demo import DEMO_USER_ID
from infra.local.demo_media import ingest_demo_media
from infra.local.stack import ROOT, LocalStack
from shared.bootstrap import Container
from shared.config import Settings

SCRIPT = ROOT / "tests" / "browser" / "screenshots.mjs"


def take(out_dir: Path, state_dir: Path) -> int:
    stack = LocalStack(state_dir=state_dir, gateway_port=0).start()
    try:
        process = subprocess.Popen(
            ["node", str(SCRIPT), stack.base_url, stack.api_key, str(out_dir)],
            cwd=SCRIPT.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.strip() == "NEED_DEMO":
                    ingest_demo_media(Container(Settings()), state_dir / "demo-media", DEMO_USER_ID)
            return process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vv-screenshots-") as state:
        sys.exit(take(args.out.resolve(), Path(state)))


if __name__ == "__main__":
    main()
