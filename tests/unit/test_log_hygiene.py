from pathlib import Path

from shared.domain.principals import generate_api_key
from tests.log_hygiene import find_secrets


def test_scanner_finds_keys_and_signatures(tmp_path: Path) -> None:
    (tmp_path / "clean.log").write_text('{"severity":"INFO","message":"GET /api/v2/markers 200"}\n')
    assert find_secrets(tmp_path) == []
    (tmp_path / "leaky.log").write_text(
        f"key={generate_api_key()} url=https://x/o?X-Goog-Signature={'ab' * 64}\n"
    )
    assert find_secrets(tmp_path) == ["leaky.log: api key", "leaky.log: signed URL signature"]
