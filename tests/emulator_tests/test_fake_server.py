"""The server itself: lifecycle, routing, recording, auth, catalog, concurrency, sockets."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import wave

import httpx
import pytest
from pytest_socket import SocketConnectBlockedError

from langchain_openrouter_free.testing import (
    FakeOpenRouter,
    FakeReply,
    Fault,
    RecordedRequest,
    fake_openrouter_fixture,
)
from langchain_openrouter_free.testing._fake_catalog import BUILTIN_MODELS
from tests.emulator_tests._emulator_helpers import (
    FREE_MODEL,
    PAID_MODEL,
    chat,
    joined_content,
    parse_sse,
)


def test_non_loopback_connections_stay_blocked() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with (
            pytest.warns(UserWarning, match="127.0.0.1"),
            pytest.raises(SocketConnectBlockedError),
        ):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1, never routable
    finally:
        sock.close()


def test_lifecycle_and_base_url() -> None:
    fake = FakeOpenRouter()
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.base_url
    fake.start()
    try:
        assert fake.base_url == f"http://127.0.0.1:{fake.port}/api/v1"
        with pytest.raises(RuntimeError, match="already running"):
            fake.start()
        response = httpx.get(f"{fake.base_url}/models", trust_env=False)
        assert response.status_code == 200
    finally:
        fake.stop()
    fake.stop()  # idempotent
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.port


def test_fixture_function_yields_a_running_server_and_stops_it() -> None:
    generator = fake_openrouter_fixture()
    fake = next(generator)
    assert httpx.get(f"{fake.base_url}/key", trust_env=False).status_code == 200
    with pytest.raises(StopIteration):
        next(generator)
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.base_url


def test_every_request_is_recorded(fake: FakeOpenRouter, client: httpx.Client) -> None:
    client.post(
        "/chat/completions",
        json=chat("hi", stream=True),
        headers={"Authorization": "Bearer test-key", "X-Title": "tests"},
    )
    client.get("/models", params={"supported_parameters": "tools"})
    client.get("/key")
    client.get("/nowhere")
    requests = fake.requests
    assert [(r.method, r.path) for r in requests] == [
        ("POST", "/api/v1/chat/completions"),
        ("GET", "/api/v1/models"),
        ("GET", "/api/v1/key"),
        ("GET", "/api/v1/nowhere"),
    ]
    chat_request = fake.chat_requests[0]
    assert isinstance(chat_request, RecordedRequest)
    assert chat_request.headers["authorization"] == "Bearer test-key"
    assert chat_request.headers["x-title"] == "tests"
    assert chat_request.json == chat("hi", stream=True)
    assert (chat_request.model, chat_request.stream, chat_request.last_user_text) == (
        FREE_MODEL,
        True,
        "hi",
    )
    assert requests[1].query == "supported_parameters=tools"
    assert requests[0].received_at <= requests[-1].received_at
    assert fake.count() == 4
    assert (
        fake.count("/chat/completions") == fake.count("/api/v1/chat/completions") == 1
    )
    assert fake.count("/models", method="get") == 1
    assert fake.count("/models", method="POST") == 0


def test_unknown_paths_and_methods_get_404_json(client: httpx.Client) -> None:
    for response in (
        client.get("/nowhere"),
        client.get("/chat/completions"),
        client.post("/models", json={}),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": {"message": "Not Found", "code": 404}}


def test_stand_in_assets_for_recording_offline(
    fake: FakeOpenRouter, client: httpx.Client
) -> None:
    root = f"http://127.0.0.1:{fake.port}"
    png = client.get(f"{root}/langchain-ai/docs/abc/src/images/diagram.png")
    pdf = client.get(f"{root}/WAI/ER/tests/dummy.pdf")
    wav = client.get(f"{root}/wikipedia/commons/6/6a/Bird.wav")

    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.content[12:16] == b"IHDR"
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4")
    assert pdf.content.endswith(b"%%EOF\n")
    startxref = int(pdf.content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf.content[startxref:].startswith(b"xref\n"), "xref offset is right"
    assert wav.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(wav.content)) as audio:
        assert (audio.getnchannels(), audio.getframerate()) == (1, 8000)
        assert audio.getnframes() == 2000
    again = client.get(f"{root}/elsewhere/other-name.png")
    assert again.content == png.content, "the same bytes on every request"
    assert client.get(f"{root}/a/file.jpg").status_code == 404
    assert client.get(f"{root}/api/v1/x.png").status_code == 404
    assert fake.count(method="GET") == 6


def test_bad_chat_bodies_get_400(client: httpx.Client) -> None:
    not_json = client.post(
        "/chat/completions",
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    no_messages = client.post("/chat/completions", json={"model": FREE_MODEL})
    assert no_messages.status_code == 400
    assert (
        no_messages.json()["error"]["message"]
        == 'Input required: specify "prompt" or "messages"'
    )


def test_require_key_answers_the_real_401() -> None:
    with (
        FakeOpenRouter(require_key=True) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        for headers in (
            {},
            {"Authorization": "Bearer"},
            {"Authorization": ""},
            {"Authorization": "Basic abc"},
        ):
            for response in (
                http.post("/chat/completions", json=chat(), headers=headers),
                http.get("/key", headers=headers),
                http.get("/models/user", headers=headers),
            ):
                assert response.status_code == 401
                assert (
                    response.text
                    == '{"error":{"message":"No auth credentials found","code":401}}'
                )
        assert http.get("/models").status_code == 200  # public
        auth = {"Authorization": "Bearer sk-test"}
        assert (
            http.post("/chat/completions", json=chat(), headers=auth).status_code == 200
        )
        assert http.get("/models/user", headers=auth).status_code == 200
        assert fake.count() == 15
        assert fake.free_model_daily_requests["used"] == 1


def test_models_default_to_the_bundled_free_registry(client: httpx.Client) -> None:
    for path in ("/models", "/models/user"):
        models = client.get(path).json()["data"]
        assert models
        assert all(
            m["id"].endswith(":free") or m["id"] == "openrouter/free" for m in models
        )
        assert all(
            {"id", "name", "context_length", "pricing"} <= set(m) for m in models
        )


def test_models_fall_back_to_the_builtin_list_without_a_registry(
    monkeypatch: pytest.MonkeyPatch, client: httpx.Client
) -> None:
    monkeypatch.setitem(sys.modules, "langchain_openrouter_free.registry", None)
    models = client.get("/models").json()["data"]
    assert [m["id"] for m in models] == [m["id"] for m in BUILTIN_MODELS]


def test_models_filter_on_supported_parameters() -> None:
    models = [
        {"id": "a/tools:free", "supported_parameters": ["tools", "tool_choice"]},
        {"id": "b/plain:free", "supported_parameters": ["temperature"]},
    ]
    with (
        FakeOpenRouter(models=models) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        tools = http.get(
            "/models", params={"supported_parameters": "tools,tool_choice"}
        )
        both = http.get("/models", params={"supported_parameters": "tools,temperature"})
    assert [m["id"] for m in tools.json()["data"]] == ["a/tools:free"]
    assert both.json()["data"] == []


def test_models_and_key_info_can_be_given() -> None:
    custom = [{"id": "acme/tiny:free", "name": "Tiny"}]
    with (
        FakeOpenRouter(
            models=custom, key_info={"label": "mine", "is_free_tier": False}
        ) as fake,
        httpx.Client(base_url=fake.base_url, trust_env=False) as http,
    ):
        assert http.get("/models").json() == {"data": custom}
        http.post("/chat/completions", json=chat(model="acme/tiny:free"))
        data = http.get("/auth/key").json()["data"]
    assert data["label"] == "mine"
    assert data["is_free_tier"] is False
    assert data["free_model_daily_requests"] == {
        "used": 1,
        "limit": 50,
        "remaining": 49,
    }
    assert data["rate_limit"]["requests"] == -1


def test_chunked_request_bodies_and_http_1_0(fake: FakeOpenRouter) -> None:
    body = b'{"model":"a/b","messages":[{"role":"user","content":"raw"}]}'
    half = len(body) // 2
    request = (
        b"POST /api/v1/chat/completions HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n"
        % (half, body[:half], len(body) - half, body[half:])
    )
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Connection: close" in head
    assert b"You said: raw" in payload


def test_expect_100_continue_is_answered(fake: FakeOpenRouter) -> None:
    body = b'{"model":"a/b","messages":[{"role":"user","content":"curl"}]}'
    head = (
        b"POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(head)
        interim = b""
        while len(interim) < 25 and (part := sock.recv(25 - len(interim))):
            interim += part
        sock.sendall(body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert b"You said: curl" in received


def test_garbage_gets_400_and_a_closed_connection(fake: FakeOpenRouter) -> None:
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
        sock.sendall(b"NOT HTTP\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 400 Bad Request")


async def test_200_concurrent_streams_all_complete() -> None:
    def responder(request: RecordedRequest) -> FakeReply | Fault:
        reply = FakeReply(f"answer to {request.last_user_text}")
        return Fault.slow_keepalives(
            count=2, interval=0.05, reply=reply
        )  # hold streams open

    limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
    with FakeOpenRouter(responder=responder) as fake:
        async with httpx.AsyncClient(
            base_url=fake.base_url, limits=limits, timeout=30, trust_env=False
        ) as http:

            async def one(i: int) -> tuple[str, str]:
                payload = chat(f"q{i}", model=PAID_MODEL, stream=True)
                async with http.stream(
                    "POST", "/chat/completions", json=payload
                ) as response:
                    text = "".join([part async for part in response.aiter_text()])
                _, events = parse_sse(text)
                assert events[-1] == "[DONE]"
                return joined_content(events), events[0]["id"]

            results = await asyncio.gather(*(one(i) for i in range(200)))
        assert fake.count("/chat/completions") == 200
    assert [content for content, _ in results] == [
        f"answer to q{i}" for i in range(200)
    ]
    assert len({gen_id for _, gen_id in results}) == 200
