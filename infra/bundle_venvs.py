"""A clean virtual environment per bundle: a fresh ``python -m venv`` holding only the bundle's
own ``requirements.txt``, so what boots there boots in Cloud Functions.

Environments are cached under ``.local/bundle-venvs/<hash of the pinned lines>``: bundles with
the same requirements share one and a rerun reuses it; a new one costs 20-100 s of pip (pip's
cache is pointed at ``.local/pip-cache``).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".local" / "bundle-venvs"
PIP_CACHE = ROOT / ".local" / "pip-cache"
READY = ".ready"


def venv_for(bundle: Path, base: Path = VENVS) -> Path:
    """The python of a clean environment holding ``bundle/requirements.txt``, made if missing."""
    lines = (bundle / "requirements.txt").read_text().splitlines()
    requirements = "\n".join(sorted(x for x in lines if x.strip() and not x.startswith("#")))
    home = base / hashlib.sha256(requirements.encode()).hexdigest()[:16]
    python = home / "bin" / "python"
    if (home / READY).is_file():
        return python
    if home.exists():
        shutil.rmtree(home)  # a half-made environment from an interrupted run
    home.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
    (home / "requirements.txt").write_text(requirements + "\n")
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--cache-dir",
            str(PIP_CACHE),
            "-r",
            str(home / "requirements.txt"),
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        raise RuntimeError(f"pip install into {home} failed:\n{installed.stderr[-4000:]}")
    (home / READY).write_text("ok\n")
    return python
