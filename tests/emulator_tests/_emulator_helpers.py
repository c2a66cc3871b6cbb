"""Shared helpers for the emulator tests: request bodies, SSE parsing, recordings."""

from __future__ import annotations

import json
from typing import Any

from tests._repo_data import CHAT_RECORDINGS

FREE_MODEL = "meta-llama/llama-3.3-70b-instruct:free"
PAID_MODEL = "openai/gpt-4o-mini"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city", "unit"],
        },
    },
}


def chat(
    text: str = "hello there", *, model: str = FREE_MODEL, **extra: Any
) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def parse_sse(text: str) -> tuple[list[str], list[Any]]:
    """Split an SSE body into comment lines and data payloads (JSON or "[DONE]")."""
    comments: list[str] = []
    events: list[Any] = []
    for block in text.split("\n\n"):
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        if data:
            joined = "\n".join(data)
            events.append(joined if joined == "[DONE]" else json.loads(joined))
    return comments, events


def recording(record_id: str) -> dict[str, Any]:
    """One real recorded interaction from cassettes/recorded/chat."""
    path = CHAT_RECORDINGS / f"{record_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def recorded_body(record_id: str) -> Any:
    return json.loads(recording(record_id)["response"]["body"])


def recorded_events(record_id: str) -> list[Any]:
    return parse_sse(recording(record_id)["response"]["body"])[1]


def joined_content(events: list[Any]) -> str:
    return "".join(
        choice["delta"].get("content") or ""
        for event in events
        if isinstance(event, dict)
        for choice in event.get("choices", [])
    )
