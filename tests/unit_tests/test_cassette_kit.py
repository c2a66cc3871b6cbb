"""The cassette kit: secret scan, redaction hooks, matcher, yaml.gz files, plugin.

The first test scans every committed cassette under ``<repo>/cassettes/``.
vcrpy round trips go through ``httpx.MockTransport`` (vcrpy patches it like any
transport), so no socket is opened. The plugin itself is exercised with
``pytester`` in ``tests/emulator_tests/test_pytest_plugin.py``.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr as vcrpy
import yaml
from langchain_tests.conftest import CustomPersister, CustomSerializer
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import OpenRouterError
from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply
from langchain_openrouter_free.testing.cassettes import (
    RequestScrubber,
    ResponseScrubber,
    YamlGzPersister,
    YamlGzSerializer,
    assert_no_secrets,
    build_vcr_config,
    find_secrets,
    is_failed_attempt,
    iter_cassette_files,
    json_body_matcher,
    load_cassette_data,
    main,
    normalize_json_body,
    redact_text,
    register,
    scan_cassette_for_secrets,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FAKE_KEY = "sk-or-v1-" + "0123456789abcdef" * 4
BASE = "https://openrouter.ai/api/v1"
MODEL = "meta-llama/llama-3.3-70b-instruct:free"
COMPLETION = {
    "id": "gen-1",
    "model": MODEL,
    "object": "chat.completion",
    "created": 1,
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Hello there"},
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}
SSE_BODY = (
    'data: {"id":"gen-2","model":"' + MODEL + '","choices":[{"index":0,'
    '"delta":{"role":"assistant","content":"Hi"}}]}\n\n'
    ": OPENROUTER PROCESSING\n\n"
    'data: {"id":"gen-2","model":"' + MODEL + '","choices":[{"index":0,'
    '"delta":{"content":" you"},"finish_reason":"stop"}]}\n\n'
    'data: {"id":"gen-2","model":"' + MODEL + '","choices":[],'
    '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n'
    "data: [DONE]\n\n"
).encode()
SECRET_HEADERS = {
    "Authorization": f"Bearer {FAKE_KEY}",
    "Cookie": "session=abc",
    "X-API-Key": "k-123",
    "HTTP-Referer": "https://example.test/app",
    "X-Title": "my app",
    "X-OpenRouter-Title": "my app",
}


# ---------------------------------------------------------------- helpers


def _write_cassette(path: Path, *, requests: list[Any], responses: list[Any]) -> Path:
    text = yaml.safe_dump({"requests": requests, "responses": responses})
    path.write_bytes(gzip.compress(text.encode()))
    return path


def _request(body: Any, *, uri: str = f"{BASE}/chat/completions") -> Request:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Request("POST", uri, data, {"content-type": "application/json"})


def _response(status: int, body: bytes, **headers: str) -> dict[str, Any]:
    return {
        "status": {"code": status, "message": "x"},
        "headers": {name: [value] for name, value in headers.items()},
        "body": {"string": body},
    }


def _recorder() -> vcrpy.VCR:
    recorder = vcrpy.VCR()
    register(recorder)
    return recorder


class _Server:
    """An httpx MockTransport handler that answers from a queue and counts calls."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def model(self, **kwargs: Any) -> ChatOpenRouterFree:
        client = httpx.Client(transport=httpx.MockTransport(self))
        params: dict[str, Any] = {"model": MODEL, "base_url": BASE, "max_retries": 0}
        params["api_key"] = "test-key"  # openrouter.ai is not called without one
        return ChatOpenRouterFree(http_client=client, **{**params, **kwargs})


def _offline_model(**kwargs: Any) -> ChatOpenRouterFree:
    def refuse(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"replay reached the transport: {request.url}")

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    params: dict[str, Any] = {"model": MODEL, "base_url": BASE, "max_retries": 0}
    params["api_key"] = "test-key"  # openrouter.ai is not called without one
    return ChatOpenRouterFree(http_client=client, **{**params, **kwargs})


def _json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
    )


# ---------------------------------------------------------------- committed cassettes


def test_no_committed_cassette_contains_key_like_text() -> None:
    ours = list(iter_cassette_files([REPO_ROOT / "cassettes" / "integration"]))
    third_party = list(iter_cassette_files([REPO_ROOT / "cassettes" / "recorded"]))

    assert len(ours) >= 50, "the project's cassettes are missing"
    assert len(third_party) >= 400, "cassettes/recorded is missing"
    assert_no_secrets(ours)  # keys and account ids
    # Third-party recordings keep their account ids on purpose (SOURCES.md).
    assert_no_secrets(third_party, account_ids=False)


def test_committed_integration_cassettes_keep_only_safe_headers() -> None:
    allowed_request = {"accept", "content-type"}
    allowed_response = {"content-type", "retry-after"} | {
        f"x-ratelimit-{n}" for n in ("limit", "remaining", "reset")
    }
    for path in (REPO_ROOT / "cassettes" / "integration").rglob("*.yaml.gz"):
        data = load_cassette_data(path.read_bytes())
        for request in data["requests"]:
            assert set(request["headers"]) <= allowed_request, path
            assert ":" not in request["uri"].split("/")[2], f"port kept: {path}"
        for response in data["responses"]:
            assert set(response["headers"]) <= allowed_response, path
            assert "content-type" in response["headers"], path


# ---------------------------------------------------------------- secret scan


def test_scan_finds_a_key_in_headers_and_in_a_binary_body(tmp_path: Path) -> None:
    cassette = _write_cassette(
        tmp_path / "leak.yaml.gz",
        requests=[
            {
                "method": "POST",
                "uri": f"{BASE}/chat/completions",
                "body": json.dumps({"note": f"key={FAKE_KEY}"}).encode(),
                "headers": {"authorization": [f"Bearer {FAKE_KEY}"]},
            }
        ],
        responses=[_response(200, b"{}")],
    )

    findings = scan_cassette_for_secrets(cassette)

    places = " ".join(findings)
    assert "$.requests[0].headers.authorization[0]" in places
    assert "$.requests[0].body" in places
    assert any("OpenRouter key" in f for f in findings)
    assert any("bearer token" in f for f in findings)
    assert FAKE_KEY not in places, "a finding must not print the key again"


@pytest.mark.parametrize(
    "secret",
    [
        "sk-or-v1-" + "a1" * 32,
        "sk-or-" + "Zx9" * 8,
        "sk-ant-api03-" + "Q" * 40,
        "sk-proj-" + "p" * 40,
        "sk-" + "T3BlbkFJ" * 5,
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
    ],
)
def test_scan_knows_each_key_shape(tmp_path: Path, secret: str) -> None:
    body = json.dumps({"error": {"message": f"bad key {secret}"}}).encode()
    cassette = _write_cassette(
        tmp_path / "c.yaml.gz", requests=[], responses=[_response(401, body)]
    )

    assert scan_cassette_for_secrets(cassette)
    assert secret not in redact_text(f"x {secret} y")


@pytest.mark.parametrize(
    "text",
    [
        "Bearer PLACEHOLDER",
        "sk-or-v1-REDACTED",
        "sk-or-v1-0e6...b9f",
        "task-or-v1-thing",
        '"id": "gen-1790000001-00000000000000000001"',
    ],
)
def test_scan_ignores_placeholders_and_ordinary_text(tmp_path: Path, text: str) -> None:
    cassette = _write_cassette(
        tmp_path / "c.yaml.gz",
        requests=[],
        responses=[_response(200, text.encode())],
    )

    assert scan_cassette_for_secrets(cassette) == []


def test_scan_reads_gzipped_bodies_plain_yaml_and_json(tmp_path: Path) -> None:
    zipped = _response(200, gzip.compress(f"token {FAKE_KEY}".encode()))
    _write_cassette(tmp_path / "a.yaml.gz", requests=[], responses=[zipped])
    (tmp_path / "b.yaml").write_text(yaml.safe_dump({"k": f"Bearer {FAKE_KEY}"}))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text(json.dumps({"v": [FAKE_KEY]}))
    (tmp_path / "notes.txt").write_text(FAKE_KEY)  # not a cassette suffix

    files = list(iter_cassette_files([tmp_path]))

    assert [f.name for f in files] == ["a.yaml.gz", "b.yaml", "c.json"]
    assert all(scan_cassette_for_secrets(f) for f in files)


@pytest.mark.parametrize(
    "account_id",
    ["user_2tsSIuSAxDMYKP7X6YbWZaK19xm", "org_2tsSIuSAxDMYKP7X6YbWZaK19xm"],
)
def test_scan_reports_account_ids_unless_told_not_to(
    tmp_path: Path, account_id: str
) -> None:
    body = json.dumps({"data": {"owner": account_id}}).encode()
    cassette = _write_cassette(
        tmp_path / "c.yaml.gz", requests=[], responses=[_response(200, body)]
    )

    findings = scan_cassette_for_secrets(cassette)

    assert [f.split(": ")[-1].split(" ")[0:2] for f in findings] == [["account", "id"]]
    assert account_id not in " ".join(findings)
    assert scan_cassette_for_secrets(cassette, account_ids=False) == []
    assert main([str(cassette)]) == 1
    assert main(["--keys-only", str(cassette)]) == 0
    assert account_id not in redact_text(f"owner {account_id}.")


def test_undecodable_cassette_is_a_finding(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml.gz"
    broken.write_bytes(b"not gzip")

    assert "cannot decode" in scan_cassette_for_secrets(broken)[0]


def test_assert_no_secrets_and_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = _write_cassette(
        tmp_path / "clean.yaml.gz", requests=[], responses=[_response(200, b"ok")]
    )
    assert_no_secrets([clean])
    assert main([str(tmp_path)]) == 0
    assert "1 cassette file(s) scanned" in capsys.readouterr().out

    (tmp_path / "leak.json").write_text(json.dumps({"k": FAKE_KEY}))
    with pytest.raises(AssertionError, match=r"leak\.json: \$\.k: OpenRouter key"):
        assert_no_secrets([tmp_path])
    assert main([str(tmp_path)]) == 1
    assert "leak.json" in capsys.readouterr().err


# ---------------------------------------------------------------- redaction hooks


def test_request_scrubber_keeps_only_safe_headers_and_drops_loopback_port() -> None:
    request = Request(
        "POST",
        "http://127.0.0.1:54321/api/v1/chat/completions",
        json.dumps({"user": f"Bearer {FAKE_KEY}"}).encode(),
        {**SECRET_HEADERS, "Content-Type": "application/json", "User-Agent": "x"},
    )

    scrubbed = RequestScrubber()(request)

    assert dict(scrubbed.headers) == {"Content-Type": "application/json"}
    assert scrubbed.uri == "http://127.0.0.1/api/v1/chat/completions"
    assert FAKE_KEY not in scrubbed.body.decode()
    remote = RequestScrubber()(_request({}, uri="https://openrouter.ai:443/api/v1/x"))
    assert remote.uri == "https://openrouter.ai:443/api/v1/x"


def test_response_scrubber_keeps_content_type_and_rate_limit_headers() -> None:
    response = _response(
        200,
        b'{"ok": true, "user_id": "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"}',
        **{
            "Content-Type": "text/event-stream",
            "Set-Cookie": "__cf_bm=abc",
            "X-Generation-Id": "gen-1",
            "CF-RAY": "1-AMS",
            "X-RateLimit-Reset": "1790812800000",
        },
    )

    scrubbed = ResponseScrubber()(response)

    assert scrubbed is not None
    assert set(scrubbed["headers"]) == {"Content-Type", "X-RateLimit-Reset"}
    assert scrubbed["body"]["string"] == b'{"ok": true, "user_id": "REDACTED"}'


KEY_BODY = {
    "data": {
        "label": "sk-or-v1-abc...",
        "creator_user_id": "user_2tsSIuSAxDMYKP7X6YbWZaK19xm",
        "workspace_id": "ws_01J8ZQ4K7Y3V9T2M5N6P8R0S1A",
        "organization_id": "org_2tsSIuSAxDMYKP7X6YbWZaK19xm",
        "app_id": 123,
        "team_ref_id": "t_77",
        "tool_call_id": "call_0",
        "generation_id": "gen-1",
        "hugging_face_id": None,
        "free_model_daily_requests": {"used": 1, "limit": 50, "remaining": 49},
    }
}


def test_key_responses_lose_every_account_id() -> None:
    """/key (and /auth/key, /credits, /generation) bodies: every *_id is blanked."""
    raw = json.dumps(KEY_BODY).encode()

    scrubbed = ResponseScrubber()(_response(200, raw, **{"content-type": "x"}))

    assert scrubbed is not None
    data = json.loads(scrubbed["body"]["string"])["data"]
    for key in ("creator_user_id", "workspace_id", "organization_id", "team_ref_id"):
        assert data[key] == "REDACTED", key
    assert data["tool_call_id"] == "call_0"
    assert data["generation_id"] == "gen-1"
    assert data["app_id"] == 123, "only string values are blanked"
    assert data["free_model_daily_requests"]["remaining"] == 49
    assert find_secrets(scrubbed["body"]["string"].decode()) == []


def test_account_id_keys_are_blanked_in_any_body() -> None:
    text = json.dumps(
        {
            "error": {"message": "x"},
            "user_id": "anything",
            "workspace_id": "ws_1",
            "meta": {"organization_id": "o", "app_id": "a", "org_id": "o2"},
            "id": "gen-1",
            "tool_call_id": "call_1",
        }
    )

    redacted = json.loads(redact_text(text))

    assert redacted["user_id"] == redacted["workspace_id"] == "REDACTED"
    assert set(redacted["meta"].values()) == {"REDACTED"}
    assert redacted["id"] == "gen-1"
    assert redacted["tool_call_id"] == "call_1"


@pytest.mark.parametrize(
    ("body", "failed"),
    [
        (
            b'{"error":{"code":502,"message":"Provider returned error"},"user_id":"u"}',
            True,
        ),
        (b'\n         \n{"error":{"code":429,"message":"x"}}', True),
        (
            b'{"id":"g","choices":[{"finish_reason":"error","error":{"code":502}}]}',
            True,
        ),
        (json.dumps(COMPLETION).encode(), False),
        (
            b'{"id":"g","choices":[{"message":{"content":"the word \\"error\\""}}]}',
            False,
        ),
        (
            (
                b'data: {"id":"g","choices":[{"delta":{"content":"Once"}}]}\n\n'
                b'data: {"id":"g","error":{"code":502,"message":"x"},"choices":[]}\n\n'
                b"data: [DONE]\n\n"
            ),
            True,
        ),
        (SSE_BODY, False),
        (b": OPENROUTER PROCESSING\n\ndata: [DONE]\n\n", False),
    ],
    ids=[
        "error-body",
        "error-body-after-keepalive",
        "choice-error",
        "completion",
        "completion-mentioning-error",
        "sse-error-event",
        "sse-ok",
        "sse-empty",
    ],
)
def test_errors_inside_a_200_are_failed_attempts(body: bytes, failed: bool) -> None:
    response = _response(200, body, **{"content-type": "application/json"})

    assert is_failed_attempt(response) is failed
    assert (ResponseScrubber()(copy.deepcopy(response)) is None) is failed
    assert ResponseScrubber(record_errors=True)(copy.deepcopy(response)) is not None


def test_failed_responses_are_dropped_unless_asked() -> None:
    failed = _response(429, b"{}")
    switch = {"on": False}
    dynamic = ResponseScrubber(record_errors=lambda: switch["on"])

    assert ResponseScrubber()(copy.deepcopy(failed)) is None
    assert ResponseScrubber()(_response(503, b"")) is None
    assert ResponseScrubber(record_errors=True)(copy.deepcopy(failed)) is not None
    assert dynamic(copy.deepcopy(failed)) is None
    switch["on"] = True
    assert dynamic(copy.deepcopy(failed)) is not None
    assert copy.deepcopy(dynamic) is dynamic, "the switch must survive deepcopy"


def test_build_vcr_config_never_pins_the_record_mode(tmp_path: Path) -> None:
    config = build_vcr_config(cassette_library_dir=tmp_path)

    assert "record_mode" not in config
    assert config["match_on"] == ["method", "path", "query", "openrouter_json_body"]
    assert config["serializer"] == "yaml.gz"
    assert config["decode_compressed_response"] is True
    assert config["allow_playback_repeats"] is True
    assert config["cassette_library_dir"] == str(tmp_path)
    assert "cassette_library_dir" not in build_vcr_config()


# ---------------------------------------------------------------- matcher


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "8d3c6b1e-0a4f-4b7e-9c2d-1f0e3a5b6c7d"}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "add",
                    "description": "Add two integers.\n\n    Takes a and b.",
                },
            }
        ],
        **extra,
    }


def test_matcher_ignores_uuids_description_indentation_and_key_order() -> None:
    recorded = _body()
    live = _body()
    live["messages"][1]["tool_calls"][0]["id"] = "00000000-1111-4222-8333-444444444444"
    live["tools"][0]["function"]["description"] = "Add two integers.\n\nTakes a and b."
    reordered = dict(reversed(list(live.items())))

    json_body_matcher(_request(reordered), _request(recorded))
    assert normalize_json_body(live) == normalize_json_body(recorded)


def test_matcher_tells_different_bodies_apart() -> None:
    with pytest.raises(AssertionError, match=r"\$\.messages\[0\]\.content"):
        json_body_matcher(
            _request(_body()),
            _request(json.loads(json.dumps(_body()).replace("hi", "yo"))),
        )
    with pytest.raises(AssertionError, match=r"\$\.stream: present on one side"):
        json_body_matcher(_request(_body(stream=True)), _request(_body()))
    with pytest.raises(AssertionError, match="not JSON"):
        json_body_matcher(_request(b"a=1"), _request(b"a=2"))
    json_body_matcher(_request(b"a=1"), _request(b"a=1"))


# ---------------------------------------------------------------- yaml.gz files


def test_serializer_is_deterministic_and_langchain_tests_compatible(
    tmp_path: Path,
) -> None:
    cassette = {
        "requests": [_request(_body())],
        "responses": [_response(200, b'{"ok": 1}', **{"content-type": "x"})],
    }
    path = tmp_path / "ours.yaml.gz"
    YamlGzPersister.save_cassette(path, cassette, YamlGzSerializer())

    assert YamlGzSerializer.serialize(cassette) == path.read_bytes()
    assert path.read_bytes()[4:8] == b"\0\0\0\0", "gzip header must not hold a time"
    theirs = CustomPersister.load_cassette(path, CustomSerializer())
    ours = YamlGzPersister().load_cassette(path, YamlGzSerializer())
    assert [r.uri for r in theirs[0]] == [r.uri for r in ours[0]]
    assert theirs[1][0]["body"] == ours[1][0]["body"] == {"string": b'{"ok": 1}'}

    their_path = tmp_path / "theirs.yaml.gz"
    CustomPersister.save_cassette(
        their_path, copy.deepcopy(cassette), CustomSerializer()
    )
    requests, _ = YamlGzPersister().load_cassette(their_path, YamlGzSerializer())
    assert requests[0].body == cassette["requests"][0].body


def test_persister_loads_extra_cassettes_and_reports_missing_ones(
    tmp_path: Path,
) -> None:
    serializer = YamlGzSerializer()
    for name in ("a", "b"):
        one = {"requests": [_request({"n": name})], "responses": [_response(200, b"")]}
        YamlGzPersister.save_cassette(tmp_path / f"{name}.yaml.gz", one, serializer)

    requests, responses = YamlGzPersister([str(tmp_path / "b.yaml.gz")]).load_cassette(
        tmp_path / "a.yaml.gz", serializer
    )

    assert [json.loads(r.body)["n"] for r in requests] == ["a", "b"]
    assert len(responses) == 2
    with pytest.raises(CassetteNotFoundError):
        YamlGzPersister().load_cassette(tmp_path / "missing.yaml.gz", serializer)


# ---------------------------------------------------------------- vcrpy end to end


def test_recording_strips_secrets_and_replay_matches_any_host(tmp_path: Path) -> None:
    path = str(tmp_path / "chat.yaml.gz")
    server = _Server(_json_response(200, COMPLETION, **{"set-cookie": "s=1"}))
    with _recorder().use_cassette(path, record_mode="once", **build_vcr_config()):
        recorded = server.model(default_headers=SECRET_HEADERS).invoke("hi")

    data = load_cassette_data(Path(path).read_bytes())
    assert set(data["requests"][0]["headers"]) <= {"accept", "content-type"}
    assert list(data["responses"][0]["headers"]) == ["content-type"]
    assert scan_cassette_for_secrets(path) == []

    with _recorder().use_cassette(path, record_mode="none", **build_vcr_config()):
        replayed = _offline_model(base_url="http://127.0.0.1:9/api/v1").invoke("hi")
        with pytest.raises(CannotOverwriteExistingCassetteException):
            _offline_model().invoke("a different question")
        with pytest.raises(CannotOverwriteExistingCassetteException):
            _offline_model(base_url="https://openrouter.ai/v2").invoke("hi")
    assert replayed.text == recorded.text == "Hello there"
    assert len(server.requests) == 1


def test_replay_tells_queries_apart(tmp_path: Path) -> None:
    path = str(tmp_path / "models.yaml.gz")
    transport = httpx.MockTransport(
        lambda r: _json_response(200, {"q": r.url.query.decode()})
    )
    with _recorder().use_cassette(path, record_mode="once", **build_vcr_config()):
        httpx.Client(transport=transport).get(f"{BASE}/models?a=1")

    offline = httpx.Client(transport=httpx.MockTransport(lambda r: pytest.fail("net")))
    with _recorder().use_cassette(path, record_mode="none", **build_vcr_config()):
        assert offline.get("http://127.0.0.1:9/api/v1/models?a=1").json() == {
            "q": "a=1"
        }
        with pytest.raises(CannotOverwriteExistingCassetteException):
            offline.get(f"{BASE}/models?a=2")


def test_streams_replay_because_content_type_is_kept(tmp_path: Path) -> None:
    path = str(tmp_path / "stream.yaml.gz")
    sse = httpx.Response(
        200, content=SSE_BODY, headers={"content-type": "text/event-stream"}
    )
    with _recorder().use_cassette(path, record_mode="once", **build_vcr_config()):
        live = "".join(c.text for c in _Server(sse).model().stream("hi"))

    with _recorder().use_cassette(path, record_mode="none", **build_vcr_config()):
        chunks = list(_offline_model().stream("hi"))

    assert "".join(c.text for c in chunks) == live == "Hi you"
    assert chunks[-1].usage_metadata is not None


def test_failed_attempts_are_not_recorded_by_default(tmp_path: Path) -> None:
    error = {"error": {"code": 429, "message": "Rate limit exceeded"}}
    for record_errors, expected in ((False, []), (True, [429])):
        path = tmp_path / f"errors-{record_errors}.yaml.gz"
        server = _Server(_json_response(429, error), _json_response(200, COMPLETION))
        config = build_vcr_config(record_errors=record_errors)
        with (
            _recorder().use_cassette(str(path), record_mode="once", **config),
            pytest.raises(Exception, match="Rate limit"),
        ):
            server.model().invoke("hi")
        statuses = (
            [
                r["status"]["code"]
                for r in load_cassette_data(path.read_bytes())["responses"]
            ]
            if path.exists()
            else []
        )
        assert statuses == expected


SSE_ERROR_BODY = (
    b'data: {"id":"g","model":"m","error":{"code":502,"message":'
    b'"Provider returned error"},"choices":[{"index":0,"delta":'
    b'{"content":""},"finish_reason":"error"}]}\n\ndata: [DONE]\n\n'
)


def test_an_error_in_a_200_then_a_retry_records_only_the_answer(
    tmp_path: Path,
) -> None:
    """The userproj4 case: a recorded 200 error body would replay forever."""
    path = tmp_path / "retry.yaml.gz"
    failed = _json_response(200, {"error": {"code": 502, "message": "Provider x"}})
    server = _Server(failed, _json_response(200, COMPLETION))

    config = build_vcr_config()
    with _recorder().use_cassette(str(path), record_mode="once", **config):
        assert server.model(max_retries=2).invoke("hi").text == "Hello there"
    assert len(server.requests) == 2, "the client retried the error"

    data = load_cassette_data(path.read_bytes())
    assert len(data["responses"]) == 1
    assert b"error" not in data["responses"][0]["body"]["string"]
    with _recorder().use_cassette(str(path), record_mode="none", **config):
        assert _offline_model().invoke("hi").text == "Hello there"


def test_a_stream_that_fails_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "stream.yaml.gz"
    failed = httpx.Response(
        200, content=SSE_ERROR_BODY, headers={"content-type": "text/event-stream"}
    )
    answer = httpx.Response(
        200, content=SSE_BODY, headers={"content-type": "text/event-stream"}
    )
    config = build_vcr_config()

    with (
        _recorder().use_cassette(str(path), record_mode="once", **config),
        pytest.raises(OpenRouterError, match="Provider returned error"),
    ):
        list(_Server(failed).model().stream("hi"))
    assert not path.exists(), "the failed stream was recorded"

    with _recorder().use_cassette(str(path), record_mode="once", **config):
        live = "".join(c.text for c in _Server(answer).model().stream("hi"))
    with _recorder().use_cassette(str(path), record_mode="none", **config):
        assert "".join(c.text for c in _offline_model().stream("hi")) == live
    assert live == "Hi you"


def test_a_recorded_error_replays_even_when_errors_are_not_recorded(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "error.yaml.gz")
    error = {"error": {"code": 404, "message": "No endpoints found for x"}}
    server = _Server(_json_response(404, error))
    with (
        _recorder().use_cassette(path, **build_vcr_config(record_errors=True)),
        pytest.raises(Exception, match="No endpoints"),
    ):
        server.model().invoke("hi")

    with (
        _recorder().use_cassette(path, record_mode="none", **build_vcr_config()),
        pytest.raises(Exception, match="No endpoints"),
    ):
        _offline_model().invoke("hi")


# ---------------------------------------------------------------- the fixture


def test_fake_openrouter_fixture_is_reachable_under_disable_socket(
    fake_openrouter: FakeOpenRouter, request: pytest.FixtureRequest
) -> None:
    fake_openrouter.add_replies(FakeReply("scripted"))
    model = ChatOpenRouterFree(model=MODEL, base_url=fake_openrouter.base_url)

    assert model.invoke("hi").text == "scripted"
    assert fake_openrouter.count() == 1
    assert request.node.get_closest_marker("allow_hosts").args[0] == ["127.0.0.1"]
    model.close()
