"""Property-based tests of the SSE parser of our stream client (``shared/clients/sse.py``):
whatever a server or a proxy sends, it parses without raising, and fields follow the WHATWG
event-stream rules the client's resume logic relies on."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.clients.sse import parse_frames

FIELDS = ["data", "event", "id", "retry", "", ":", "x"]
values = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789\u00b2\u0661\uff11 -", max_size=6),
)
lines = st.one_of(
    st.builds(lambda name, value: f"{name}: {value}", st.sampled_from(FIELDS), values),
    st.builds(lambda name, value: f"{name}:{value}", st.sampled_from(FIELDS), values),
    st.just(""),
    st.text(max_size=12).map(lambda text: text.replace("\n", "")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=12))
def test_any_lines_parse_and_retry_is_only_ever_ascii_digits(stream: list[str]) -> None:
    frames = list(parse_frames([*stream, ""]))
    retries = [
        line.partition(":")[2].removeprefix(" ") for line in stream if line.startswith("retry:")
    ]
    valid = {int(v) for v in retries if re.fullmatch(r"[0-9]+", v)}
    for frame in frames:
        assert frame.retry_ms is None or frame.retry_ms in valid
        assert frame.id is None or "\0" not in frame.id


def test_a_retry_in_other_digits_is_ignored() -> None:
    """Found by the property above: ``str.isdigit`` is true for "²" (then ``int`` raised) and
    for other scripts' digits; WHATWG takes a retry field of ASCII digits only."""
    for value in ("\u00b2", "\u0661\u0662", "\uff11"):
        (frame,) = parse_frames([f"retry: {value}", "data: x", ""])
        assert frame.retry_ms is None and frame.data == "x"
