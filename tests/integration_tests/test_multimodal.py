"""Image and PDF inputs end to end, replayed from recorded cassettes.

The standard suite (``test_standard.py``) sends its own image, PDF and audio
inputs, but checks only that the call succeeds. These tests send assets
generated in code to a free vision model and check both the answer and the
exact wire parts that were sent. (No free model takes audio input; audio
conversion is covered in ``tests/unit_tests/test_messages_multimodal.py``.)
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import zlib
from typing import Any

import httpx
import pytest
from _integration import VISION_MODEL, model_params
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_openrouter_free import ChatOpenRouterFree

pytestmark = pytest.mark.vcr


def _png(width: int = 4, height: int = 4) -> bytes:
    """A small valid RGB PNG, the same bytes on every run."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes((200, 30 * y, 90)) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class _Captured:
    """Request bodies as they left the client (hooks run before vcrpy answers)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def sync_hook(self, request: httpx.Request) -> None:
        self.bodies.append(json.loads(request.read()))

    async def async_hook(self, request: httpx.Request) -> None:
        self.bodies.append(json.loads(await request.aread()))


def _vision_model(captured: _Captured, **overrides: Any) -> ChatOpenRouterFree:
    return ChatOpenRouterFree(
        **model_params(
            model=VISION_MODEL,
            http_client=httpx.Client(event_hooks={"request": [captured.sync_hook]}),
            http_async_client=httpx.AsyncClient(
                event_hooks={"request": [captured.async_hook]}
            ),
            **overrides,
        )
    )


def test_image_as_a_standard_base64_block() -> None:
    captured = _Captured()
    data = base64.b64encode(_png()).decode()
    message = HumanMessage(
        [
            {"type": "text", "text": "Describe this image in one sentence."},
            {"type": "image", "base64": data, "mime_type": "image/png"},
        ]
    )
    answer = _vision_model(captured).invoke([message])
    assert isinstance(answer, AIMessage)
    assert answer.text
    assert answer.response_metadata["model_name"] == VISION_MODEL
    sent = captured.bodies[0]["messages"][0]["content"]
    assert sent[1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{data}"},
    }


def test_image_by_url_async() -> None:
    captured = _Captured()
    url = "https://example.org/images/red-square.png"
    message = HumanMessage(
        [
            {"type": "text", "text": "What colour is this square?"},
            {"type": "image", "url": url},
        ]
    )
    answer = asyncio.run(_vision_model(captured).ainvoke([message]))
    assert answer.text
    sent = captured.bodies[0]["messages"][0]["content"]
    assert sent[1] == {"type": "image_url", "image_url": {"url": url}}


def test_image_returned_by_a_tool() -> None:
    captured = _Captured()
    data = base64.b64encode(_png()).decode()
    history = [
        HumanMessage("Take a photo and describe it."),
        AIMessage(
            "",
            tool_calls=[{"name": "take_photo", "args": {}, "id": "call_0"}],
        ),
        ToolMessage(
            [{"type": "image", "base64": data, "mime_type": "image/png"}],
            tool_call_id="call_0",
        ),
    ]
    answer = _vision_model(captured).invoke(history)
    assert answer.text
    tool_message = captured.bodies[0]["messages"][2]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_0"
    assert tool_message["content"] == [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}
    ]


def test_pdf_through_the_file_parser_plugin() -> None:
    captured = _Captured()
    data = base64.b64encode(_PDF).decode()
    model = _vision_model(captured, plugins=[{"id": "file-parser"}])
    message = HumanMessage(
        [
            {"type": "text", "text": "Summarise this document."},
            {"type": "file", "base64": data, "mime_type": "application/pdf"},
        ]
    )
    answer = model.invoke([message])
    assert answer.text
    body = captured.bodies[0]
    assert body["plugins"] == [{"id": "file-parser"}]
    file_part = body["messages"][0]["content"][1]
    assert file_part["type"] == "file"
    assert file_part["file"]["file_data"] == f"data:application/pdf;base64,{data}"
    assert file_part["file"]["filename"].endswith(".pdf")
