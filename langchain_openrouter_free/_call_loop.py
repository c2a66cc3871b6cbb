"""The I/O loops of one chat call: send what `CallPlan` says, until it is done.

Four thin shells (sync and async, whole answers and streams) that differ only
in ``await`` / ``async for``. Every decision is `CallPlan`'s
(`langchain_openrouter_free._call_plan`); `StreamAttempt` (pure) turns one
stream's events into chunks and keeps the facts the plan needs. A stream
fails over only before its first chunk went out: after that an error ends
the call, carrying the text streamed so far in ``partial_text``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessageChunk

from langchain_openrouter_free._call_plan import Answer
from langchain_openrouter_free._streaming import StreamAccumulator
from langchain_openrouter_free.errors import OpenRouterError, OpenRouterStreamError

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterator,
        Awaitable,
        Callable,
        Iterator,
    )
    from contextlib import AbstractAsyncContextManager, AbstractContextManager

    from langchain_core.outputs import ChatGenerationChunk, ChatResult

    from langchain_openrouter_free._call_plan import CallPlan
    from langchain_openrouter_free._step_down import Reshape

__all__ = ["StreamAttempt", "arun_call", "astream_call", "run_call", "stream_call"]

_Body = dict[str, Any]


def run_call(plan: CallPlan, send: Callable[[_Body], ChatResult]) -> ChatResult:
    """Send requests until the plan accepts an answer (or raises)."""
    body = plan.first()
    while True:
        try:
            result = send(body)
        except OpenRouterError as error:
            body = plan.after_error(error)
            continue
        again = plan.after_answer(Answer.of(_message(result)))
        if again is None:
            return plan.finish(result)
        body = again


async def arun_call(
    plan: CallPlan, send: Callable[[_Body], Awaitable[ChatResult]]
) -> ChatResult:
    """Async `run_call`."""
    body = plan.first()
    while True:
        try:
            result = await send(body)
        except OpenRouterError as error:
            body = plan.after_error(error)
            continue
        again = plan.after_answer(Answer.of(_message(result)))
        if again is None:
            return plan.finish(result)
        body = again


def stream_call(
    plan: CallPlan,
    open_stream: Callable[[_Body], AbstractContextManager[Iterator[str]]],
) -> Iterator[ChatGenerationChunk]:
    """Stream the answer, moving on (before the first chunk) as the plan says."""
    body: _Body | None = plan.first()
    while body is not None:
        attempt = StreamAttempt(plan.reshape)
        try:
            with open_stream(body) as events, _partial_text_on_error(attempt):
                for data in events:
                    chunk = attempt.feed(data)
                    if chunk is not None:
                        yield chunk
                    elif attempt.done:
                        break
                yield from attempt.finish()
        except OpenRouterError as error:
            if attempt.started:
                raise
            body = plan.after_error(error)
            continue
        body = plan.after_answer(attempt.answer())
        if body is None:
            yield attempt.last(plan)


async def astream_call(
    plan: CallPlan,
    open_stream: Callable[[_Body], AbstractAsyncContextManager[AsyncIterator[str]]],
) -> AsyncGenerator[ChatGenerationChunk, None]:
    """Async `stream_call`."""
    body: _Body | None = plan.first()
    while body is not None:
        attempt = StreamAttempt(plan.reshape)
        try:
            async with open_stream(body) as events:
                with _partial_text_on_error(attempt):
                    async for data in events:
                        chunk = attempt.feed(data)
                        if chunk is not None:
                            yield chunk
                        elif attempt.done:
                            break
                    for chunk in attempt.finish():
                        yield chunk
        except OpenRouterError as error:
            if attempt.started:
                raise
            body = plan.after_error(error)
            continue
        body = plan.after_answer(attempt.answer())
        if body is None:
            yield attempt.last(plan)


class StreamAttempt:
    """One streamed request: its chunks (the last one held back) and facts."""

    def __init__(self, reshape: Reshape | None) -> None:
        """Start an attempt whose chunks are reshaped by ``reshape``, if any."""
        self._state = StreamAccumulator()
        self._reshape = reshape
        self._output = False
        self._reasoning: list[str] = []
        self._final: ChatGenerationChunk | None = None
        self.started = False
        """Whether a chunk went out (no failover after that)."""

    @property
    def done(self) -> bool:
        """Whether ``[DONE]`` arrived."""
        return self._state.done

    @property
    def text(self) -> str:
        """The answer text received so far."""
        return self._state.text

    def feed(self, data: str) -> ChatGenerationChunk | None:
        """The chunk to emit for one SSE ``data`` payload, if any.

        None also when the chunk is the last one, which is held back (`last`);
        `done` then says whether ``[DONE]`` arrived.
        """
        chunk = self._state.step(data)
        return None if chunk is None else self._emit(chunk)

    def finish(self) -> list[ChatGenerationChunk]:
        """Close the stream (see `StreamAccumulator.finish`)."""
        emitted = (self._emit(chunk) for chunk in self._state.finish())
        return [chunk for chunk in emitted if chunk is not None]

    def answer(self) -> Answer:
        """The facts of the finished answer."""
        message = self._final.message if self._final is not None else None
        meta = message.response_metadata if message is not None else {}
        usage = message.usage_metadata if isinstance(message, AIMessageChunk) else None
        cost = meta.get("cost")
        return Answer(
            has_output=self._output,
            reasoning="".join(self._reasoning),
            finish_reason=meta.get("finish_reason") or meta.get("native_finish_reason"),
            model_name=meta.get("model_name"),
            cost=float(cost) if isinstance(cost, (int, float)) else None,
            completion_tokens=usage["output_tokens"] if usage else None,
        )

    def last(self, plan: CallPlan) -> ChatGenerationChunk:
        """The held-back last chunk, annotated by the plan."""
        final = self._final
        if final is None:  # finish() or [DONE] always produce it
            msg = "OpenRouter stream ended without its final chunk"
            raise OpenRouterStreamError(msg, partial_text=self.text)
        # The last chunk is this attempt's own and not yet out: annotated in
        # place (its metadata dict was built for it), no copies.
        plan.annotate(final.message.response_metadata)
        return final

    def _emit(self, chunk: ChatGenerationChunk) -> ChatGenerationChunk | None:
        message = chunk.message
        if isinstance(message, AIMessageChunk):
            if message.chunk_position == "last":
                self._final = chunk
                return None
            seen = self._see(message)
            if seen is not message:  # reshaped: a copy, else the chunk as is
                chunk = chunk.model_copy(update={"message": seen})
        self.started = True
        return chunk

    def _see(self, message: AIMessageChunk) -> AIMessageChunk:
        if self._reshape is not None:
            message = self._reshape.chunk(message, first=not self._output)
        reasoning = message.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str):
            self._reasoning.append(reasoning)
        if message.content or message.tool_call_chunks:
            self._output = True
        return message


def _message(result: ChatResult) -> Any:
    return result.generations[0].message


@contextmanager
def _partial_text_on_error(attempt: StreamAttempt) -> Iterator[None]:
    """Attach the text streamed so far to an error that broke the stream."""
    try:
        yield
    except OpenRouterError as error:
        if not error.partial_text:
            error.partial_text = attempt.text
        raise
