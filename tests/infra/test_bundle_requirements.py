"""Each bundle's requirements are what its code imports: every third-party distribution the
import closure reaches is declared (or installed by a declared one), and nothing declared goes
unused (infra/bundle.py's REQUIREMENTS; docs/decisions/053)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from packaging.requirements import Requirement

from infra.bundle import REQUIREMENTS, ROOT, pinned_requirements
from infra.bundle_imports import function_closure
from infra.local.routes import load_table

FUNCTIONS, _ = load_table()


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _owners() -> dict[Path, str]:
    """Installed file -> the distribution that installed it."""
    owners: dict[Path, str] = {}
    for dist in importlib.metadata.distributions():
        for file in dist.files or []:
            owners[Path(str(dist.locate_file(file))).resolve()] = _normalized(dist.metadata["Name"])
    return owners


def _imported_distributions(modules: frozenset[str], owners: dict[Path, str]) -> set[str]:
    found = set()
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue  # ``from package import attribute``: the package is in the set too
        if spec is not None and spec.origin and spec.origin not in {"built-in", "frozen"}:
            owner = owners.get(Path(spec.origin).resolve())
            assert owner is not None, f"{name} ({spec.origin}) belongs to no distribution"
            found.add(owner)
    return found


def _installed_by(requirements: list[Requirement]) -> set[str]:
    """The named distributions and everything they install, extras included."""
    seen: set[str] = set()
    pending = list(requirements)
    while pending:
        requirement = pending.pop()
        name = _normalized(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(requirement.name) or []:
            dependency = Requirement(line)
            extras = [{"extra": e} for e in requirement.extras] or [{"extra": ""}]
            if dependency.marker is None or any(dependency.marker.evaluate(e) for e in extras):
                pending.append(dependency)
    return seen


# Run the bundle (the relay's uvicorn with its loop and parser); imported by no module of it.
SERVERS = {"functions-framework", "uvicorn", "uvloop", "httptools"}


def test_declared_requirements_are_what_the_code_imports() -> None:
    owners = _owners()
    pins = pinned_requirements()
    assert set(REQUIREMENTS) == set(FUNCTIONS)
    for name, spec in FUNCTIONS.items():
        declared = [Requirement(pins[_normalized(d)]) for d in REQUIREMENTS[name]]
        imported = _imported_distributions(function_closure(ROOT / spec.source).third_party, owners)
        missing = imported - _installed_by(declared)
        assert not missing, f"{name} imports {sorted(missing)}: declare them in infra/bundle.py"
        unused = {_normalized(r.name) for r in declared} - imported - SERVERS
        assert not unused, f"{name} declares {sorted(unused)} but imports none of it"
