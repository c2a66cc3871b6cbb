"""``openrouter-free models``: the free-model registry as a table or JSON.

Works with no key and no network (the bundled snapshot); ``--refresh`` reads the
live listing instead. Uses only the public API of
:mod:`langchain_openrouter_free.registry`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast, get_args

import click

from langchain_openrouter_free.cli._common import CliState, CommandFailed, one_line
from langchain_openrouter_free.registry import FreeModel, FreeModelRegistry, ModelKind

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["format_table", "models"]

_HEADERS = ("ID", "CONTEXT", "MAX OUTPUT", "TOOLS", "STRUCTURED", "REASONING", "STATUS")
_RIGHT_ALIGNED = frozenset({1, 2})
_MODALITIES = ("text", "image", "file", "audio", "video")
_KINDS: tuple[ModelKind, ...] = get_args(ModelKind)


@click.command(
    epilog="\b\nExamples:\n"
    "  openrouter-free models --tools --min-context 100000\n"
    "  openrouter-free models --input image --json\n"
    "  openrouter-free models --kind embedding --refresh\n"
    "  OPENROUTER_API_KEY=sk-or-... openrouter-free models --refresh",
)
@click.option("--author", help="Only this author, e.g. google.")
@click.option(
    "--min-context", type=int, metavar="TOKENS", help="Only this much context."
)
@click.option("--tools", is_flag=True, help="Only tool calling.")
@click.option(
    "--structured", is_flag=True, help="Only structured output (JSON schema)."
)
@click.option("--reasoning", is_flag=True, help="Only reasoning.")
@click.option(
    "--input",
    "input_modality",
    type=click.Choice(_MODALITIES),
    help="Only models accepting this input.",
)
@click.option(
    "--kind",
    type=click.Choice([*_KINDS, "all"]),
    default="chat",
    show_default=True,
    help="Only models of this kind (what they output); all: every kind.",
)
@click.option(
    "--all", "include_all", is_flag=True, help="Include retired and unverified."
)
@click.option("--json", "as_json", is_flag=True, help="Print full entries as JSON.")
@click.option(
    "--refresh",
    is_flag=True,
    help="Read the live listing (GET /models?output_modalities=all; /models/user "
    "with OPENROUTER_API_KEY); exit 1 if it fails.",
)
@click.option("--cache-dir", help="Cache folder for --refresh (default: user cache).")
@click.pass_obj
def models(
    state: CliState,
    *,
    author: str | None,
    min_context: int | None,
    tools: bool,
    structured: bool,
    reasoning: bool,
    input_modality: str | None,
    kind: str,
    include_all: bool,
    as_json: bool,
    refresh: bool,
    cache_dir: str | None,
) -> None:
    """List OpenRouter's free models, their limits and abilities.

    Bundled snapshot unless --refresh; largest context first. A flag filter
    keeps only the models that have the ability ("?" in the table: the listing
    did not say).
    """
    registry = _refreshed(state, cache_dir) if refresh else FreeModelRegistry.bundled()
    found = registry.list(
        author=author,
        min_context=min_context,
        tools=tools or None,
        structured_output=structured or None,
        reasoning=reasoning or None,
        input_modality=input_modality,
        include_retired=include_all,
        kind=None if kind == "all" else cast("ModelKind", kind),
    )
    if as_json:
        entries = [
            {
                **m.to_dict(),
                "kind": m.kind,
                "capabilities_known": m.capabilities_known,
                "blocked_by_privacy": m.id in registry.blocked_ids,
            }
            for m in found
        ]
        # ASCII escapes: printable on any console encoding (cp1252, C locale...).
        click.echo(json.dumps(entries, indent=2, ensure_ascii=True))
        return
    if not found:
        click.echo("No free model matches these filters.")
        if kind != "chat" and registry.source == "bundled":
            click.echo(
                "The bundled snapshot lists chat models only; --refresh reads "
                "every kind from the live listing."
            )
        return
    click.echo(format_table(found, blocked_ids=registry.blocked_ids))
    source = registry.fetched_at or registry.snapshot_date
    click.echo(f"\n{len(found)} models; {registry.source} listing of {source}")


def _refreshed(state: CliState, cache_dir: str | None) -> FreeModelRegistry:
    """Read the live listing; any failure becomes one reported line."""
    try:
        return FreeModelRegistry.refresh(
            force=True,
            strict=True,
            cache_dir=cache_dir,
            http_client=state.http_client,
        )
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        msg = f"refresh failed: {one_line(exc)}"
        raise CommandFailed(msg) from None


def _flag(model: FreeModel, *, supported: bool) -> str:
    if not model.capabilities_known:
        return "?"  # the listing did not publish its parameters
    return "yes" if supported else "no"


def _row(model: FreeModel, *, blocked: bool) -> tuple[str, ...]:
    max_output = model.max_output_tokens
    return (
        model.id,
        f"{model.context_length:,}",
        "-" if max_output is None else f"{max_output:,}",
        _flag(model, supported=model.supports_tools),
        _flag(model, supported=model.supports_structured_output),
        _flag(model, supported=model.supports_reasoning),
        f"{model.status} (blocked)" if blocked else model.status,
    )


def format_table(
    models: Sequence[FreeModel], *, blocked_ids: frozenset[str] = frozenset()
) -> str:
    """Render models as a plain-text table with aligned columns.

    Args:
        models: The rows, in order.
        blocked_ids: Ids to mark as blocked by the account's privacy settings.

    Returns:
        The table, header first, no trailing newline. ``?`` means the listing
        did not say.
    """
    rows = [_HEADERS, *(_row(m, blocked=m.id in blocked_ids) for m in models)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = [
        "  ".join(
            cell.rjust(width) if i in _RIGHT_ALIGNED else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    return "\n".join(lines)
