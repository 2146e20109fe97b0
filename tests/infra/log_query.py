"""The part of the Cloud Logging query language that infra/monitoring_metrics.tf uses, evaluated
against the JSON lines our code writes, so a metric whose filter or extractor no longer fits
those lines fails a test instead of staying silently empty.

A stdout line becomes a LogEntry as Cloud Run's agent makes it: the special fields
(``severity``, ``time``, ``httpRequest``, ``logging.googleapis.com/labels``) move out of the
payload, everything else is ``jsonPayload``. Supported: ``path OP value`` with OP one of
``= != > >= < <= :``, ``path:*`` (present), terms joined by ``AND``; ``EXTRACT(path)`` and
``REGEXP_EXTRACT(path, "re")`` (one capture group). Anything else raises, so the metrics cannot
quietly use syntax this evaluator does not check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SEVERITIES = ["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT"]
PROMOTED = {
    "severity": "severity",
    "time": "timestamp",
    "httpRequest": "httpRequest",
    "logging.googleapis.com/labels": "labels",
}
TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|>=|<=|=|>|<|:)|(?P<word>[A-Za-z0-9_.*/-]+))'
)
TERM = re.compile(r"^(?P<path>[A-Za-z_][\w.]*)(?P<op>!=|>=|<=|=|>|<|:)(?P<value>.+)$")
EXTRACTOR = re.compile(
    r'^(?:EXTRACT\((?P<path>[\w.]+)\)|REGEXP_EXTRACT\((?P<rpath>[\w.]+),\s*(?P<re>"(?:[^"\\]|\\.)*")\))$'
)

Entry = dict[str, Any]


def log_entry(line: dict[str, Any]) -> Entry:
    payload = dict(line)
    entry: Entry = {"severity": "DEFAULT"}
    for field, target in PROMOTED.items():
        if field in payload:
            entry[target] = payload.pop(field)
    entry["jsonPayload"] = payload
    return entry


def entries_in(paths: Iterable[Path]) -> list[Entry]:
    """Every JSON object line of these files (uvicorn's and the emulators' text lines skipped)."""
    found = []
    for path in paths:
        for text in path.read_text(errors="replace").splitlines():
            if text.startswith("{"):
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    continue
                if isinstance(line, dict):
                    found.append(log_entry(line))
    return found


def lookup(entry: Entry, path: str) -> Any:
    node: Any = entry
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _value(token: str) -> Any:
    if token.startswith('"'):
        return json.loads(token)
    try:
        return float(token)
    except ValueError:
        return token  # a bare word, e.g. a severity or `*`


def _compare(actual: Any, op: str, expected: Any, path: str) -> bool:
    if actual is None:
        return False
    if op == ":":
        return expected == "*" or str(expected).lower() in str(actual).lower()
    left: Any
    right: Any
    if path == "severity":
        rank = SEVERITIES.index
        left, right = rank(str(actual)), rank(str(expected))
    elif isinstance(expected, float):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        left, right = actual, expected
    else:
        left, right = str(actual), str(expected)
    return {
        "=": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


def compile_filter(text: str) -> Callable[[Entry], bool]:
    terms = []
    for raw in re.split(r"\s+AND\s+", text.strip()):
        tokens = [m.group(0).strip() for m in TOKEN.finditer(raw)]
        if "".join(tokens) != re.sub(r"\s+", "", raw) or " OR " in raw or raw.startswith("NOT"):
            raise ValueError(f"unsupported filter syntax: {raw!r}")
        match = TERM.match("".join(tokens))
        if match is None:
            raise ValueError(f"not a comparison: {raw!r}")
        terms.append((match["path"], match["op"], _value(match["value"])))

    def matches(entry: Entry) -> bool:
        return all(_compare(lookup(entry, p), op, v, p) for p, op, v in terms)

    return matches


def compile_extractor(text: str) -> Callable[[Entry], str | None]:
    match = EXTRACTOR.match(text.strip())
    if match is None:
        raise ValueError(f"unsupported extractor: {text!r}")
    if match["path"]:
        path = match["path"]
        return lambda entry: None if lookup(entry, path) is None else str(lookup(entry, path))
    path, pattern = match["rpath"], re.compile(json.loads(match["re"]))
    if pattern.groups != 1:
        raise ValueError(f"REGEXP_EXTRACT needs exactly one capture group: {text!r}")

    def extract(entry: Entry) -> str | None:
        value = lookup(entry, path)
        found = pattern.search(str(value)) if value is not None else None
        return found.group(1) if found else None

    return extract
