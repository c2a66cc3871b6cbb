"""Cassettes: every content coding decoded before redaction; URIs and binary redacted."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import pytest
import yaml
import zstandard
from vcr.request import Request

from langchain_openrouter_free.testing._codecs import CassetteDecodeError
from langchain_openrouter_free.testing.cassettes import (
    RequestScrubber,
    ResponseScrubber,
    scan_cassette_for_secrets,
)

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
ACCOUNT = "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"
BODY = json.dumps(
    {"id": "gen-1", "note": f"echo Bearer {KEY}", "user_id": ACCOUNT, "who": ACCOUNT}
).encode()

ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def response(body: bytes, **headers: str) -> dict[str, Any]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {name: [value] for name, value in headers.items()},
        "body": {"string": body},
    }


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_a_compressed_answer_is_stored_decoded_and_redacted(encoding: str) -> None:
    raw = ENCODINGS[encoding](BODY)
    recorded = ResponseScrubber()(
        response(
            raw,
            **{
                "Content-Type": "application/json",
                "Content-Encoding": encoding,
                "Content-Length": str(len(raw)),
            },
        )
    )
    assert recorded is not None
    stored = recorded["body"]["string"]
    assert isinstance(stored, bytes)
    assert KEY.encode() not in stored
    assert ACCOUNT.encode() not in stored
    assert json.loads(stored)["id"] == "gen-1"  # replayable as it is
    assert {name.lower() for name in recorded["headers"]} == {"content-type"}


def test_an_unknown_coding_refuses_to_record_rather_than_store_a_secret() -> None:
    with pytest.raises(CassetteDecodeError, match="compress"):
        ResponseScrubber()(response(b"\x1f\x9d...", **{"Content-Encoding": "compress"}))


def test_a_body_that_is_not_utf8_is_redacted_around_its_binary_bytes() -> None:
    body = b"\xff\xfe binary " + KEY.encode() + b" \x80 tail " + ACCOUNT.encode()
    recorded = ResponseScrubber()(response(body, **{"Content-Type": "text/plain"}))
    assert recorded is not None
    stored = recorded["body"]["string"]
    assert KEY.encode() not in stored
    assert ACCOUNT.encode() not in stored
    assert stored.startswith(b"\xff\xfe binary ")
    assert b" \x80 tail " in stored


def test_a_recorded_uri_loses_keys_account_ids_and_credentials() -> None:
    uri = f"https://bob:hunter2pw@openrouter.ai/api/v1/models?key={KEY}&u={ACCOUNT}"
    request = Request("GET", uri, b"", {"Authorization": f"Bearer {KEY}"})
    scrubbed = RequestScrubber()(request)
    for secret in (KEY, ACCOUNT, "hunter2pw"):
        assert secret not in scrubbed.uri
    assert scrubbed.uri.startswith("https://REDACTED@openrouter.ai/api/v1/models?")
    assert dict(scrubbed.headers) == {}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_the_scan_decodes_a_compressed_body_whose_header_was_dropped(
    tmp_path: Path, encoding: str
) -> None:
    raw = ENCODINGS[encoding](BODY)
    text = yaml.safe_dump({"requests": [], "responses": [response(raw)]})
    cassette = tmp_path / "leaky.yaml.gz"
    cassette.write_bytes(gzip.compress(text.encode()))
    findings = scan_cassette_for_secrets(cassette)
    kinds = " ".join(findings)
    assert "OpenRouter key" in kinds
    assert "account id" in kinds
