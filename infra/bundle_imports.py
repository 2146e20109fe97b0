"""What a function's bundle must hold, read from the code: the first-party modules its
``main.py`` reaches by import and the third-party top-level packages those import.

Imports are read with ``ast``, not executed, and followed everywhere, including imports inside
functions (a lazy import runs in production too), except blocks under ``if TYPE_CHECKING:``.
One refinement keeps a bundle from carrying every adapter: the composition root builds its
adapters in ``Container`` members (written in parts: the classes of ``COMPOSITION_PARTS``), and
a member's imports are followed only when code of the bundle names that member as an attribute
(``ctx.container.markers``), or another followed member does (``self.firestore``). A name
shared by chance only adds modules, never drops one.
See docs/decisions/053.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPOSITION_ROOT = "shared.bootstrap"
# The composition root's classes, by module: ``Container`` and the base it inherits.
COMPOSITION_PARTS = {COMPOSITION_ROOT: "Container", "shared.bootstrap_adapters": "Adapters"}

# Never deployed: test code (the fakes of our ports live in tests/fakes), the scripted analyzer
# and the demo media it describes, the command-line tools and the stream client. Reaching one
# from a function is an error.
EXCLUDED_PREFIXES = (
    "tests.",
    "shared.adapters.scripted_analyzer",
    "shared.adapters.ffmpeg_synthesis",
    "shared.domain.media_recipes",
    "shared.cli",
    "shared.clients",
)
# Alternatives the composition root picks only in local development (settings say which);
# deployed functions run the other branch, so the bundle leaves these out.
LOCAL_ONLY = frozenset({"shared.adapters.e5_embedder"})


def is_excluded(module: str) -> bool:
    return module.startswith(EXCLUDED_PREFIXES) or module in LOCAL_ONLY


@dataclass
class ModuleImports:
    """One module's imports: those run when it loads or any function of it runs, and those
    of each ``Container`` member (the composition root's modules only)."""

    imports: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)
    members: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Closure:
    first_party: frozenset[str]  # dotted module names, packages included ("shared.http")
    third_party: frozenset[str]  # dotted names as imported ("google.cloud.firestore")
    files: frozenset[Path]  # relative to the repository root


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _names_in(nodes: Iterable[ast.AST], package: str) -> tuple[set[str], set[str]]:
    """Imported module names (``from a import b`` gives ``a`` and ``a.b``) and attribute names
    used, skipping ``if TYPE_CHECKING:`` blocks."""
    imports: set[str] = set()
    attributes: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            imports.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            imports.add(base)
            imports.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Attribute):
            attributes.add(node.attr)
        stack.extend(ast.iter_child_nodes(node))
    return imports, attributes


def read_module(path: Path, module: str) -> ModuleImports:
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = ModuleImports()
    rest: list[ast.stmt] = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and COMPOSITION_PARTS.get(module) == node.name):
            rest.append(node)
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name != "__init__":
                found.members[item.name] = _names_in(item.body, package)
            else:
                rest.append(item)
    found.imports, found.attributes = _names_in(rest, package)
    return found


class ImportGraph:
    """First-party modules under ``roots`` (``shared`` and one function's folder)."""

    def __init__(self, roots: dict[str, Path]) -> None:
        self.roots = roots  # top-level name -> folder holding it
        self._cache: dict[str, ModuleImports] = {}

    def path_of(self, module: str) -> Path | None:
        top = module.split(".")[0]
        if top not in self.roots:
            return None
        base = self.roots[top].joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def is_first_party(self, module: str) -> bool:
        return module.split(".")[0] in self.roots

    def imports_of(self, module: str) -> ModuleImports:
        if module not in self._cache:
            path = self.path_of(module)
            self._cache[module] = read_module(path, module) if path else ModuleImports()
        return self._cache[module]

    def _container_members(self, seen: set[str]) -> dict[str, tuple[set[str], set[str]]]:
        members: dict[str, tuple[set[str], set[str]]] = {}
        for module in COMPOSITION_PARTS:
            if module in seen:
                members.update(self.imports_of(module).members)
        return members

    def closure(self, start: str) -> Closure:
        seen: set[str] = set()
        third: set[str] = set()
        attributes: set[str] = set()
        members_done: set[str] = set()
        pending = [start]
        while pending:
            while pending:
                module = pending.pop()
                if module in seen:
                    continue
                if is_excluded(module):
                    raise ValueError(f"{start}: reaches {module}, which bundles never ship")
                if not self.is_first_party(module):
                    third.add(module)
                    continue
                if self.path_of(module) is None:
                    continue  # ``from pkg import name`` where name is not a module
                seen.add(module)
                parts = module.split(".")
                pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
                found = self.imports_of(module)
                pending.extend(found.imports)
                attributes |= found.attributes
            members = self._container_members(seen)
            for name, (imports, used) in members.items():
                if name in attributes and name not in members_done:
                    members_done.add(name)
                    attributes |= used
                    pending.extend(m for m in imports if m not in LOCAL_ONLY)
            if pending:
                continue
            # A member named only by another member: loop until no new member is reached.
            if any(n in attributes and n not in members_done for n in members):
                continue
        files = frozenset(
            path.relative_to(ROOT) for m in seen if (path := self.path_of(m)) is not None
        )
        return Closure(frozenset(seen), frozenset(_outside_stdlib(third)), files)


def _outside_stdlib(modules: Iterable[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}


def function_closure(source: Path) -> Closure:
    """The closure of ``<source>/main.py`` (or of its package, for an ASGI service)."""
    source = source.resolve()
    roots = {"shared": ROOT}
    for child in source.iterdir():
        if child.is_dir() and (child / "__init__.py").is_file():
            roots[child.name] = source
    roots["main"] = source
    return ImportGraph(roots).closure("main")
