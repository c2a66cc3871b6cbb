"""``openrouter-free chat``: one question, or a conversation in the terminal.

With a prompt argument (or text piped on stdin) it answers once and exits;
without one it opens a session that keeps the history, with ``/model``,
``/reset`` and ``/exit``. Ctrl-C stops the answer being streamed; Ctrl-C at
the prompt (or Ctrl-D) leaves.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from langchain_core.messages import SystemMessage
from rich.console import Console

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free._constants import (
    DEFAULT_BASE_URL,
    FREE_ROUTER_ID,
    OPENROUTER_HOST,
)
from langchain_openrouter_free.cli._chat_turn import (
    Answer,
    ask,
    ask_structured,
    footer,
    user_message,
)
from langchain_openrouter_free.cli._common import CliState, CommandFailed, one_line
from langchain_openrouter_free.registry import FreeModelRegistry, get_free_model

if TYPE_CHECKING:
    from collections.abc import Sequence

    from click.shell_completion import CompletionItem
    from langchain_core.messages import BaseMessage

__all__ = ["chat"]

NO_KEY = (
    "chat needs an OpenRouter API key and OPENROUTER_API_KEY is not set. Free "
    "models cost nothing: sign in at https://openrouter.ai, create a key under "
    "Keys (no credits needed; free models allow 20 requests a minute and 50 a "
    "day), then `export OPENROUTER_API_KEY=sk-or-v1-...`. To try it without a "
    "key, run `openrouter-free serve` in another terminal and export the two "
    "variables it prints: chat then talks to the local emulator."
)
SESSION_HELP = (
    "/model ID switches model (/model alone shows it), /reset forgets the "
    "conversation, /exit leaves. Ctrl-C stops an answer; Ctrl-C at the prompt "
    "or Ctrl-D leaves."
)
_PROMPT = "you> "


def _complete_model(
    _ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Free ids and aliases from the bundled registry that start with ``incomplete``."""
    from click.shell_completion import CompletionItem  # noqa: PLC0415 - completion only

    names = {FREE_ROUTER_ID}
    for model in FreeModelRegistry.bundled().list():
        names.update((model.id, *model.aliases))
    return [CompletionItem(n) for n in sorted(names) if n.startswith(incomplete)]


@dataclass
class ChatSession:
    """The conversation: the model, its settings and the history so far."""

    settings: dict[str, Any]
    system: str | None
    schema: dict[str, Any] | None
    console: Console
    model: ChatOpenRouterFree = field(init=False)
    history: list[BaseMessage] = field(init=False)

    def __post_init__(self) -> None:
        """Build the first model and an empty history."""
        self.model = self._build(self.settings["model"])
        self.reset()

    def _build(self, model_id: str) -> ChatOpenRouterFree:
        try:
            return ChatOpenRouterFree(**{**self.settings, "model": model_id})
        except Exception as exc:  # noqa: BLE001 - reported as one line
            raise CommandFailed(one_line(exc)) from None

    def reset(self) -> None:
        """Forget the conversation (the system prompt stays)."""
        self.history = [SystemMessage(self.system)] if self.system else []

    def switch(self, model_id: str) -> None:
        """Use another model from the next turn on; the history is kept."""
        self.model = self._build(model_id)

    def turn(self, text: str, images: Sequence[Path] = ()) -> Answer:
        """Ask, show the answer and its footer, and keep both in the history.

        An interrupted or failed turn leaves the history as it was.
        """
        self.history.append(user_message(text, images))
        try:
            if self.schema is None:
                answer = ask(self.model, self.history, self.console)
            else:
                structured = self.model.with_structured_output(
                    self.schema, include_raw=True
                )
                answer = ask_structured(structured, self.history, self.console)
        except BaseException:
            self.history.pop()
            raise
        self.history.append(answer.message)
        self.console.print(footer(answer), style="dim", markup=False)
        return answer


def _load_schema(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path} is not a readable JSON file: {one_line(exc)}"
        raise click.BadParameter(msg, param_hint="'--json'") from None
    if not isinstance(schema, dict):
        msg = f"{path} holds {type(schema).__name__}, not a JSON schema object"
        raise click.BadParameter(msg, param_hint="'--json'")
    schema.setdefault("title", path.stem.replace("-", "_") or "answer")
    return schema


def _check_images(model_id: str, images: Sequence[Path]) -> None:
    """Refuse images for a model the registry says takes text only."""
    if not images:
        return
    try:
        inputs = get_free_model(model_id).input_modalities
    except KeyError:
        return  # not in the registry: the model itself decides
    if "image" not in inputs:
        msg = (
            f"{model_id} does not accept images; pick one from "
            "`openrouter-free models --input image`"
        )
        raise click.BadParameter(msg, param_hint="'--image'")


def _require_key() -> None:
    """Explain how to get a key when OpenRouter itself would be called without one.

    Another base URL (``openrouter-free serve``, a proxy) may run keyless.
    """
    base_url = os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_BASE_URL
    keyless = not os.environ.get("OPENROUTER_API_KEY", "").strip()
    if keyless and urlsplit(base_url).hostname == OPENROUTER_HOST:
        raise CommandFailed(NO_KEY)


def _interactive(session: ChatSession, images: Sequence[Path]) -> None:
    """Read prompts until /exit, Ctrl-D or Ctrl-C at the prompt."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401, PLC0415 - line editing and history for input()
    console = session.console
    console.print(f"Chatting with {session.model.model}. {SESSION_HELP}", style="dim")
    while True:
        try:
            line = input(_PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if line.startswith("/"):
            if not _command(session, line):
                return
            continue
        if not line:
            continue
        try:
            session.turn(line, images)
            images = ()  # sent once, with the first question
        except KeyboardInterrupt:
            console.print("\n(answer stopped)", style="dim")
        except Exception as exc:  # noqa: BLE001 - the session goes on
            console.print(f"error: {one_line(exc)}", style="red", markup=False)


def _command(session: ChatSession, line: str) -> bool:
    """Run a /command; False means leave."""
    name, _, arg = line.partition(" ")
    console = session.console
    if name in {"/exit", "/quit"}:
        return False
    if name == "/reset":
        session.reset()
        console.print("(conversation forgotten)", style="dim")
    elif name == "/model" and arg.strip():
        try:
            session.switch(arg.strip())
        except CommandFailed as exc:
            console.print(f"error: {exc.format_message()}", style="red", markup=False)
        else:
            console.print(f"(now {session.model.model})", style="dim", markup=False)
    elif name == "/model":
        console.print(session.model.model, markup=False)
    else:
        console.print(SESSION_HELP, style="dim")
    return True


@click.command(
    epilog="\b\nExamples:\n"
    '  openrouter-free chat "Name three prime numbers."\n'
    "  openrouter-free chat --model deepseek/deepseek-r1-0528:free\n"
    '  openrouter-free chat --json person.schema.json "Invent a person."\n'
    "  openrouter-free chat --image cat.png --model google/gemma-3-27b-it:free "
    '"What is this?"\n'
    "  echo 'Summarise: ...' | openrouter-free chat",
)
@click.argument("prompt", required=False)
@click.option(
    "--model",
    "-m",
    default=FREE_ROUTER_ID,
    show_default=True,
    shell_complete=_complete_model,
    help="Any free id or alias (see `openrouter-free models`).",
)
@click.option("--system", "-s", help="System prompt for the whole conversation.")
@click.option("--temperature", type=click.FloatRange(0, 2), help="0 to 2.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Longest answer.")
@click.option(
    "--json",
    "schema_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="SCHEMA_FILE",
    help="Answer as JSON matching this JSON schema file.",
)
@click.option(
    "--image",
    "images",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Image to send with the (first) prompt; repeatable; vision models.",
)
@click.pass_obj
def chat(
    state: CliState,
    *,
    prompt: str | None,
    model: str,
    system: str | None,
    temperature: float | None,
    max_tokens: int | None,
    schema_file: Path | None,
    images: tuple[Path, ...],
) -> None:
    """Talk to a free model: one PROMPT, or a session when none is given.

    The answer streams as it is written (reasoning dimmed), then one line says
    which model answered, the tokens, the cost and the time. Reads
    OPENROUTER_API_KEY (and OPENROUTER_BASE_URL, e.g. from `openrouter-free
    serve`).
    """
    schema = None if schema_file is None else _load_schema(schema_file)
    _check_images(model, images)
    _require_key()
    settings: dict[str, Any] = {"model": model, "http_client": state.http_client}
    if temperature is not None:
        settings["temperature"] = temperature
    if max_tokens is not None:
        settings["max_tokens"] = max_tokens
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    session = ChatSession(settings, system, schema, console)
    if prompt is None and not sys.stdin.isatty():
        prompt = sys.stdin.read().strip()
    if prompt is None:
        _interactive(session, images)
        return
    try:
        session.turn(prompt, images)
    except (KeyboardInterrupt, click.ClickException):
        raise
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        raise CommandFailed(one_line(exc)) from None
