"""The developer console (static JavaScript, no build step) keeps its own copies of a few
contract lists; these tests keep each one equal to the server's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from infra.local.routes import load_table
from shared.domain.colors import NAMED_COLORS
from shared.domain.events import STREAM_ERROR_EVENT, STREAM_PATH, EventType

CONSOLE = Path(__file__).resolve().parents[2] / "console"


def js_constant(file: str, name: str) -> object:
    """A ``const NAME = <JSON literal>;`` of a console module, as Python."""
    source = (CONSOLE / file).read_text()
    found = re.search(rf"^const {name} = (.+?);$", source, flags=re.M | re.S)
    assert found, f"console/{file} no longer declares {name}"
    literal = re.sub(r",(\s*\])", r"\1", found.group(1))  # JSON allows no trailing comma
    return json.loads(literal)


def test_the_console_filters_on_exactly_the_server_event_types() -> None:
    assert js_constant("events.js", "EVENT_TYPES") == [t.value for t in EventType]


def test_the_console_streams_from_the_server_paths_and_error_event() -> None:
    assert js_constant("events.js", "STREAM_PATH") == STREAM_PATH
    assert js_constant("events.js", "STREAM_ERROR") == STREAM_ERROR_EVENT
    _, endpoints = load_table()
    paths = {(e.method, e.path) for e in endpoints}
    assert ("GET", STREAM_PATH) in paths
    assert ("POST", js_constant("events.js", "TOKEN_PATH")) in paths


def test_every_path_the_console_calls_is_routed() -> None:
    _, endpoints = load_table()
    patterns = [(e.method, e.pattern) for e in endpoints]
    calls = []
    for file in CONSOLE.glob("*.js"):
        text = file.read_text()
        calls += re.findall(r'api\("(GET|PUT|POST|DELETE)", [`"](/api/v2/[^`"]+)[`"]', text)
    assert calls, "the pattern no longer finds the console's API calls"
    for method, path in calls:
        concrete = re.sub(r"\$\{[^}]+\}", "x", path)
        assert any(m == method and p.match(concrete) for m, p in patterns), (method, path)


def test_the_console_offers_only_colours_the_server_accepts() -> None:
    colours = js_constant("search.js", "COLORS")
    assert isinstance(colours, list) and set(colours) <= NAMED_COLORS
