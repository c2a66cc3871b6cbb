"""SSE bodies and StreamAccumulator helpers shared by the streaming tests.

The ``*_SSE`` constants are response bodies copied verbatim from
/work/shared/traffic/chat/<id>.json (only repeated keep-alive comment lines
were dropped). `data_lines` does what the transport does: it skips comment
lines and hands over each ``data:`` payload, ``[DONE]`` included.
"""

from __future__ import annotations

import functools
import json
import operator

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_openrouter_free._streaming import StreamAccumulator

# chat/ruby_llm-48.json, response.body (keep-alive comment lines after the first dropped)
BEDROCK_TOOL_SSE = r""": OPENROUTER PROCESSING


data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"id":"toolu_bdrk_01FnJwNhnbF7UbXLQGHJ5dda","type":"function","function":{"name":"weather","arguments":""}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":""}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":""}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":"{\"latitude\": \"52.5200"}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":"\", \"longitude\": \"13"}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":".4050"}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":null,"role":"assistant","tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"finish_reason":null,"native_finish_reason":null}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","choices":[{"index":0,"delta":{"content":"","role":"assistant"},"finish_reason":"tool_calls","native_finish_reason":"tool_use"}]}

data: {"id":"gen-1780944556-miRHpYrMqwlqZtVoXXKe","object":"chat.completion.chunk","created":1780944556,"model":"anthropic/claude-4.5-haiku-20251001","provider":"Amazon Bedrock","service_tier":null,"choices":[{"index":0,"delta":{"content":"","role":"assistant"},"finish_reason":"tool_calls","native_finish_reason":"tool_use"}],"usage":{"prompt_tokens":633,"completion_tokens":75,"total_tokens":708,"cost":0.001008,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":0.001008,"upstream_inference_prompt_cost":0.000633,"upstream_inference_completions_cost":0.000375},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0,"audio_tokens":0}}}

data: [DONE]

"""


GEN_ID = "gen-1790412345-Hc3kPq9ZyXw2LmNbVt0R"


def data_lines(sse: str) -> list[str]:
    """What the transport yields: data payloads, comment lines skipped."""
    return [
        line.removeprefix("data:").removeprefix(" ")
        for line in sse.splitlines()
        if line.startswith("data:")
    ]


def wire_chunk(
    delta: dict[str, object] | None = None,
    *,
    finish_reason: str | None = None,
    native_finish_reason: str | None = None,
    choices: list[object] | None = None,
    **top: object,
) -> str:
    """One chunk in the §4.3 wire shape (field order and nulls as sent)."""
    body: dict[str, object] = {
        "id": GEN_ID,
        "provider": "Chutes",
        "model": "qwen/qwen3-coder:free",
        "object": "chat.completion.chunk",
        "created": 1790412345,
    }
    if choices is None:
        choices = [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": None, **(delta or {})},
                "finish_reason": finish_reason,
                "native_finish_reason": native_finish_reason,
                "logprobs": None,
            }
        ]
    body["choices"] = choices
    body.update(top)
    return json.dumps(body, separators=(",", ":"))


def run(
    payloads: list[str], *, finish: bool = True
) -> tuple[StreamAccumulator, list[ChatGenerationChunk]]:
    acc = StreamAccumulator()
    chunks: list[ChatGenerationChunk] = []
    for payload in payloads:
        chunks.extend(acc.feed(payload))
    if finish:
        chunks.extend(acc.finish())
    return acc, chunks


def ai(chunk: ChatGenerationChunk) -> AIMessageChunk:
    assert isinstance(chunk.message, AIMessageChunk)
    return chunk.message


def merge(chunks: list[ChatGenerationChunk]) -> ChatGenerationChunk:
    merged = functools.reduce(operator.add, chunks)
    assert isinstance(merged.message, AIMessageChunk)
    return merged


def message(chunks: list[ChatGenerationChunk]) -> AIMessageChunk:
    msg = merge(chunks).message
    assert isinstance(msg, AIMessageChunk)
    return msg
