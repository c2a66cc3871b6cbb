"""Outbound mapping of user content parts and data blocks to OpenRouter ``messages``."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage

from langchain_openrouter_free._messages import convert_message
from tests.unit_tests._message_cases import (
    CACHE,
    PDF_B64,
    PNG_B64,
    Case,
    ErrorCase,
    _params,
)

WAV_B64 = "UklGRiQAAABXQVZF"


def _user(*parts: Any) -> HumanMessage:
    return HumanMessage(content=list(parts))


def _user_wire(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(parts)}


# --------------------------------------------------------------------------
# user multimodal parts
# --------------------------------------------------------------------------

MULTIMODAL_CASES: list[Case] = [
    (
        "text-parts-string-items-and-cache-control",
        _user("a", {"type": "text", "text": "b", "cache_control": CACHE, "id": "x"}),
        _user_wire(
            {"type": "text", "text": "a"},
            {"type": "text", "text": "b", "cache_control": CACHE},
        ),
    ),
    (
        "openai-image-url-string-normalised",
        _user({"type": "image_url", "image_url": "https://x.test/cat.jpg"}),
        _user_wire(
            {"type": "image_url", "image_url": {"url": "https://x.test/cat.jpg"}}
        ),
    ),
    (
        "openai-image-url-with-detail",
        _user(
            {
                "type": "image_url",
                "image_url": {"url": "https://x.test/c.jpg", "detail": "high"},
            }
        ),
        _user_wire(
            {
                "type": "image_url",
                "image_url": {"url": "https://x.test/c.jpg", "detail": "high"},
            }
        ),
    ),
    (
        "v0-image-url",
        _user({"type": "image", "source_type": "url", "url": "https://x.test/c.png"}),
        _user_wire({"type": "image_url", "image_url": {"url": "https://x.test/c.png"}}),
    ),
    (
        "v0-image-base64",
        _user(
            {
                "type": "image",
                "source_type": "base64",
                "data": PNG_B64,
                "mime_type": "image/png",
            }
        ),
        _user_wire(
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
            }
        ),
    ),
    (
        "v1-image-url",
        _user({"type": "image", "url": "https://x.test/c.webp", "id": "lc_img"}),
        _user_wire(
            {"type": "image_url", "image_url": {"url": "https://x.test/c.webp"}}
        ),
    ),
    (
        "v1-image-base64",
        _user({"type": "image", "base64": PNG_B64, "mime_type": "image/png"}),
        _user_wire(
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
            }
        ),
    ),
    (
        "v1-pdf-base64-default-filename",
        _user({"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"}),
        _user_wire(
            {
                "type": "file",
                "file": {
                    "filename": "document.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
    ),
    (
        "v1-pdf-base64-filename-from-extras",
        _user(
            {
                "type": "file",
                "base64": PDF_B64,
                "mime_type": "application/pdf",
                "extras": {"filename": "report.pdf"},
            }
        ),
        _user_wire(
            {
                "type": "file",
                "file": {
                    "filename": "report.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
    ),
    (
        "v0-pdf-base64-filename",
        _user(
            {
                "type": "file",
                "source_type": "base64",
                "data": PDF_B64,
                "mime_type": "application/pdf",
                "filename": "paper.pdf",
            }
        ),
        _user_wire(
            {
                "type": "file",
                "file": {
                    "filename": "paper.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
    ),
    (
        "v1-pdf-url-filename-from-path",
        _user({"type": "file", "url": "https://x.test/docs/dummy.pdf?dl=1"}),
        _user_wire(
            {
                "type": "file",
                "file": {
                    "filename": "dummy.pdf",
                    "file_data": "https://x.test/docs/dummy.pdf?dl=1",
                },
            }
        ),
    ),
    (
        "v1-file-id",
        _user({"type": "file", "file_id": "file-abc"}),
        _user_wire({"type": "file", "file": {"file_id": "file-abc"}}),
    ),
    (
        "openai-file-passthrough",
        _user(
            {
                "type": "file",
                "file": {
                    "filename": "test_file.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
        _user_wire(
            {
                "type": "file",
                "file": {
                    "filename": "test_file.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
    ),
    (
        "v1-audio-base64-wav",
        _user({"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"}),
        _user_wire(
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
        ),
    ),
    (
        "v0-audio-base64-mpeg-is-mp3",
        _user(
            {
                "type": "audio",
                "source_type": "base64",
                "data": WAV_B64,
                "mime_type": "audio/mpeg",
            }
        ),
        _user_wire(
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "mp3"}}
        ),
    ),
    (
        "openai-input-audio-passthrough",
        _user(
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
        ),
        _user_wire(
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
        ),
    ),
    (
        "openai-video-url-passthrough",
        _user({"type": "video_url", "video_url": {"url": "https://x.test/clip.mp4"}}),
        _user_wire(
            {"type": "video_url", "video_url": {"url": "https://x.test/clip.mp4"}}
        ),
    ),
    (
        "v1-video-url",
        _user({"type": "video", "url": "https://x.test/clip.mp4"}),
        _user_wire(
            {"type": "video_url", "video_url": {"url": "https://x.test/clip.mp4"}}
        ),
    ),
    (
        "v1-video-base64",
        _user({"type": "video", "base64": "AAAA", "mime_type": "video/mp4"}),
        _user_wire(
            {"type": "video_url", "video_url": {"url": "data:video/mp4;base64,AAAA"}}
        ),
    ),
    (
        "v1-text-plain-inline",
        _user({"type": "text-plain", "text": "notes", "mime_type": "text/plain"}),
        _user_wire({"type": "text", "text": "notes"}),
    ),
    (
        "mixed-order-kept",
        _user(
            {"type": "text", "text": "What is in these?"},
            {"type": "image", "url": "https://x.test/a.png"},
            {"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"},
        ),
        _user_wire(
            {"type": "text", "text": "What is in these?"},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            {
                "type": "file",
                "file": {
                    "filename": "document.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            },
        ),
    ),
]


@_params(MULTIMODAL_CASES)
def test_convert_message(message: BaseMessage, expected: dict[str, Any]) -> None:
    before = copy.deepcopy(message)
    wire = convert_message(message)
    assert wire == expected
    # Key order of the payload is irrelevant, but the value must be JSON.
    assert json.loads(json.dumps(wire)) == expected
    # The conversion never mutates the caller's message.
    assert message == before


# --------------------------------------------------------------------------
# errors in user content parts
# --------------------------------------------------------------------------

CONTENT_PART_ERROR_CASES: list[ErrorCase] = [
    (
        "part-without-type",
        _user({"text": "hi"}),
        ValueError,
        r"user content part has no 'type' \(keys: \['text'\]\)",
    ),
    (
        "part-not-a-dict",
        HumanMessage.model_construct(content=[42]),
        TypeError,
        r"must be strings or dicts, got int",
    ),
    (
        "unknown-user-part-type",
        _user({"type": "hologram", "data": "x"}),
        ValueError,
        r"Unsupported user content part type 'hologram'",
    ),
    (
        "text-part-without-text",
        _user({"type": "text"}),
        ValueError,
        r"text content part needs a string 'text'",
    ),
    (
        "image-block-without-url-or-base64",
        _user({"type": "image", "mime_type": "image/png"}),
        ValueError,
        r"image content block needs 'url', 'base64' or 'file_id'",
    ),
    (
        "image-block-file-id",
        _user({"type": "image", "file_id": "file-1"}),
        ValueError,
        r"image content block needs 'url' or 'base64'",
    ),
    (
        "image-base64-without-mime-type",
        _user({"type": "image", "base64": PNG_B64}),
        ValueError,
        r"image content block with base64 data needs a 'mime_type'",
    ),
    (
        "image-url-part-without-url",
        _user({"type": "image_url", "image_url": {"detail": "low"}}),
        ValueError,
        r"image_url part needs",
    ),
    (
        "audio-url-rejected",
        _user({"type": "audio", "url": "https://x.test/a.wav"}),
        ValueError,
        r"OpenRouter rejects audio URLs",
    ),
    (
        "audio-v0-url-rejected",
        _user({"type": "audio", "source_type": "url", "url": "https://x.test/a.wav"}),
        ValueError,
        r"OpenRouter rejects audio URLs",
    ),
    (
        "audio-base64-without-mime-type",
        _user({"type": "audio", "base64": WAV_B64}),
        ValueError,
        r"audio content block with base64 data needs a 'mime_type'",
    ),
    (
        "input-audio-without-data",
        _user({"type": "input_audio", "input_audio": {"format": "wav"}}),
        ValueError,
        r"input_audio part needs",
    ),
    (
        "openai-file-part-empty",
        _user({"type": "file", "file": {"filename": "a.pdf"}}),
        ValueError,
        r"'file_data' or 'file_id'",
    ),
    (
        "file-block-without-data",
        _user({"type": "file", "mime_type": "application/pdf"}),
        ValueError,
        r"file content block needs 'url', 'base64' or 'file_id'",
    ),
    (
        "file-base64-without-mime-type",
        _user({"type": "file", "base64": PDF_B64}),
        ValueError,
        r"file content block with base64 data needs a 'mime_type'",
    ),
    (
        "video-file-id",
        _user({"type": "video", "file_id": "file-1"}),
        ValueError,
        r"video content block needs 'url' or 'base64'",
    ),
]


@pytest.mark.parametrize(
    ("message", "error", "match"),
    [pytest.param(m, e, p, id=name) for name, m, e, p in CONTENT_PART_ERROR_CASES],
)
def test_convert_message_errors(
    message: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        convert_message(message)


@pytest.mark.parametrize(
    ("source", "url"),
    [
        (
            {"type": "base64", "media_type": "image/png", "data": PNG_B64},
            f"data:image/png;base64,{PNG_B64}",
        ),
        (
            {"type": "url", "url": "https://example.org/cat.png"},
            "https://example.org/cat.png",
        ),
    ],
    ids=["base64", "url"],
)
def test_anthropic_image_source_becomes_an_image_url_part(
    source: dict[str, Any], url: str
) -> None:
    message = HumanMessage(
        [{"type": "text", "text": "What is this?"}, {"type": "image", "source": source}]
    )
    assert convert_message(message)["content"][1] == {
        "type": "image_url",
        "image_url": {"url": url},
    }


@pytest.mark.parametrize(
    "source",
    [{"type": "base64", "data": PNG_B64}, {"type": "file", "file_id": "f_1"}],
    ids=["no-media-type", "file-id"],
)
def test_bad_anthropic_image_source_is_named(source: dict[str, Any]) -> None:
    message = HumanMessage([{"type": "image", "source": source}])
    with pytest.raises(ValueError, match="Anthropic image source"):
        convert_message(message)
