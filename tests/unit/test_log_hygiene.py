import json
import logging
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.principals import generate_api_key
from shared.log_redaction import redact
from shared.structured_logging import CloudLoggingFormatter
from tests.log_hygiene import SECRET_PATTERNS, find_secrets


def test_scanner_finds_keys_and_signatures(tmp_path: Path) -> None:
    (tmp_path / "clean.log").write_text('{"severity":"INFO","message":"GET /api/v2/markers 200"}\n')
    assert find_secrets(tmp_path) == []
    (tmp_path / "leaky.log").write_text(
        f"key={generate_api_key()} url=https://x/o?X-Goog-Signature={'ab' * 64}\n"
    )
    assert find_secrets(tmp_path) == ["leaky.log: api key", "leaky.log: signed URL signature"]


def test_scanner_finds_preview_tokens_stream_tokens_and_encoded_signatures(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text(
        "GET /api/v2/previews/eyJlIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl 200\n"
    )
    (tmp_path / "b.log").write_text(f"?stream_token=st_{'A' * 40}\n")
    (tmp_path / "c.log").write_text(f"'https://x/o?X-Goog-Signature%3D{'ab' * 64}'\n")
    assert find_secrets(tmp_path) == [
        "a.log: preview token",
        "b.log: stream token",
        "c.log: signed URL signature",
    ]


def test_every_formatted_line_is_redacted(tmp_path: Path) -> None:
    """Access-log paths with preview tokens, a query's stream token, and an exception whose
    text holds a signed URL (ffmpeg's argv on a timeout): none survives formatting."""
    signed = f"https://storage.googleapis.com/b/o?X-Goog-Algorithm=x&X-Goog-Signature={'ab' * 64}"
    records = [
        logging.LogRecord(
            "videovector.access", logging.INFO, __file__, 1, "%s %s %s",
            ("GET", "/api/v2/previews/eyJlIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJl", 200),
            None,
        ),
        logging.LogRecord(
            "x", logging.INFO, __file__, 1, "opened ?stream_token=st_%s&run_id=r", ("B" * 48,), None
        ),
    ]  # fmt: skip
    try:
        raise TimeoutError(f"ffmpeg timed out: ['ffmpeg', '-i', '{signed}', 'out.gif']")
    except TimeoutError:
        records.append(
            logging.LogRecord("x", logging.ERROR, __file__, 1, "render failed", (), sys.exc_info())
        )
    records[0].__dict__["httpRequest"] = {"requestUrl": records[0].args[1]}  # type: ignore[index]
    formatter = CloudLoggingFormatter()
    lines = [formatter.format(r) for r in records]
    (tmp_path / "formatted.log").write_text("\n".join(lines))
    assert find_secrets(tmp_path) == []
    assert all(json.loads(line) for line in lines)  # still JSON
    assert "/api/v2/previews/[redacted]" in lines[0] and "X-Goog-Algorithm=x" in lines[2]


@given(
    st.text(max_size=40),
    st.sampled_from(
        [
            "/api/v2/previews/" + "Ab9_-" * 8,
            "?stream_token=st_" + "x" * 40,
            "st_" + "Q" * 40,
            "url=https://h/o?X-Goog-Date=1&X-Goog-Signature=" + "ab" * 64,
            "'https://h/o?x-goog-signature%3D" + "0f" * 64 + "'",
            generate_api_key(),
        ]
    ),
    st.text(max_size=40),
)
def test_redaction_removes_each_kind_wherever_it_sits(before: str, secret: str, after: str) -> None:
    line = redact(before + " " + secret + " " + after)
    assert not any(rx.search(line) for rx in SECRET_PATTERNS.values()), line
