"""``openrouter-free``: the package's command line.

``openrouter-free models`` prints the free-model registry as a table. It works
with no key and no network (the bundled snapshot); ``--refresh`` reads the live
listing instead. Uses only the public API of :mod:`langchain_openrouter_free.registry`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from langchain_openrouter_free.errors import redact_secrets
from langchain_openrouter_free.registry import FreeModel, FreeModelRegistry

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

__all__ = ["build_parser", "format_table", "main"]

_HEADERS = ("ID", "CONTEXT", "MAX OUTPUT", "TOOLS", "STRUCTURED", "REASONING", "STATUS")
_RIGHT_ALIGNED = frozenset({1, 2})
_MODALITIES = ("text", "image", "file", "audio", "video")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser; each subcommand sets ``handler``.

    Returns:
        The parser for ``openrouter-free``.
    """
    parser = argparse.ArgumentParser(
        prog="openrouter-free",
        description="OpenRouter free models for LangChain.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_models_command(commands)
    return parser


def _add_models_command(commands: Any) -> None:
    models = commands.add_parser(
        "models",
        help="list the free models, their limits and abilities",
        description="List OpenRouter's free models (bundled snapshot unless "
        "--refresh), largest context first.",
    )
    models.add_argument("--author", help="only this author, e.g. google")
    models.add_argument(
        "--min-context", type=int, metavar="TOKENS", help="only this much context"
    )
    models.add_argument(
        "--tools", action="store_true", default=None, help="only tool calling"
    )
    models.add_argument(
        "--structured",
        action="store_true",
        default=None,
        help="only structured output (JSON schema)",
    )
    models.add_argument(
        "--reasoning", action="store_true", default=None, help="only reasoning"
    )
    models.add_argument(
        "--input", choices=_MODALITIES, help="only models accepting this input"
    )
    models.add_argument(
        "--all",
        action="store_true",
        help="include retired and unverified models",
    )
    models.add_argument(
        "--json", action="store_true", help="print full entries as JSON"
    )
    models.add_argument(
        "--refresh",
        action="store_true",
        help="read the live listing (GET /models; /models/user with "
        "OPENROUTER_API_KEY); exit 1 if it fails",
    )
    models.add_argument(
        "--cache-dir", help="cache folder for --refresh (default: user cache dir)"
    )
    models.set_defaults(handler=_run_models)


def main(
    argv: Sequence[str] | None = None, *, http_client: httpx.Client | None = None
) -> int:
    """Run ``openrouter-free``.

    Args:
        argv: Arguments without the program name; default ``sys.argv[1:]``.
        http_client: httpx client for ``--refresh`` (tests inject one).

    Returns:
        The exit status.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error; report, do not exit
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    args.http_client = http_client
    status: int = args.handler(args)
    return status


def _refreshed(args: argparse.Namespace) -> FreeModelRegistry | None:
    """Read the live listing; on any failure print one line and return None."""
    try:
        return FreeModelRegistry.refresh(
            force=True,
            strict=True,
            cache_dir=args.cache_dir,
            http_client=args.http_client,
        )
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        text = " ".join(redact_secrets(str(exc)).split()) or type(exc).__name__
        print(f"openrouter-free: refresh failed: {text}", file=sys.stderr)
        return None


def _run_models(args: argparse.Namespace) -> int:
    registry = _refreshed(args) if args.refresh else FreeModelRegistry.bundled()
    if registry is None:
        return 1
    models = registry.list(
        author=args.author,
        min_context=args.min_context,
        tools=args.tools,
        structured_output=args.structured,
        reasoning=args.reasoning,
        input_modality=args.input,
        include_retired=args.all,
    )
    if args.json:
        entries = [
            {
                **m.to_dict(),
                "capabilities_known": m.capabilities_known,
                "blocked_by_privacy": m.id in registry.blocked_ids,
            }
            for m in models
        ]
        # ASCII escapes: printable on any console encoding (cp1252, C locale...).
        print(json.dumps(entries, indent=2, ensure_ascii=True))
        return 0
    if not models:
        print("No free model matches these filters.")
        return 0
    print(format_table(models, blocked_ids=registry.blocked_ids))
    source = registry.fetched_at or registry.snapshot_date
    print(f"\n{len(models)} models; {registry.source} listing of {source}")
    return 0


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


if __name__ == "__main__":
    raise SystemExit(main())
