"""Build ``langchain_openrouter_free/data/_free_models.py`` from recorded listings.

Inputs: every ``GET /api/v1/models`` listing in a folder (``YYYY-MM-DD.json``,
default ``<repo>/cassettes/recorded/models``) and the user's seed catalog (a
Markdown document whose table rows name free model ids and context lengths,
default ``<repo>/seed/``). Provenance: ``cassettes/recorded/SOURCES.md`` and
``seed/README.md``.

Rules:

- Free = an id ending in ``:free``, plus the ``openrouter/free`` router.
- An entry's facts come from the NEWEST listing that contains it, parsed with
  the package's own :func:`parse_listing_entry` (the same code a live refresh
  uses); ``first_seen`` / ``last_seen`` are the first and last listing dates;
  ``status`` is ``available`` if in the newest listing, else ``retired``.
- Every seed id must resolve: as itself, through :data:`SEED_ALIASES` (a
  reviewed table, checked against the listings at build time, never guessed),
  or as an ``unverified`` entry listed in :data:`SEED_UNVERIFIED`, which keeps
  the seed's own name, context and description. The seed's context length is
  kept as ``seed_context_length``; where it disagrees, the listing wins.

The output is pretty-printed deterministically: re-running produces identical
bytes. ``--check`` exits 1 when the committed file is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from langchain_openrouter_free.registry import (
    FreeModel,
    is_free_model_id,
    parse_listing_entry,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_LISTINGS: Final = REPO_ROOT / "cassettes" / "recorded" / "models"
DEFAULT_SEED: Final = REPO_ROOT / "seed" / "000_1b2c6b46aa72104f.txt"
DEFAULT_OUTPUT: Final = (
    REPO_ROOT / "langchain_openrouter_free" / "data" / "_free_models.py"
)

# Seed spelling -> real API id. Each target was looked up by hand in the
# listings (dates = first..last listing that has it); names match the seed's.
SEED_ALIASES: Final[Mapping[str, str]] = {
    # Google's instruction-tuned ids end in "-it" (2025-04-21..2026-02-19).
    "google/gemma-3-27b:free": "google/gemma-3-27b-it:free",
    # "-it" again (2025-04-21..2026-02-19); listing context 32,768, seed 131,072.
    "google/gemma-3-4b:free": "google/gemma-3-4b-it:free",
    # Gemma 3n 4B is "E4B-IT", as the seed's own description says (2025-07-22..).
    "google/gemma-3n-4b:free": "google/gemma-3n-e4b-it:free",
    # Gemma 3n 2B is "E2B IT", as the seed's own description says (2025-07-22..).
    "google/gemma-3n-2b:free": "google/gemma-3n-e2b-it:free",
    # "-it" (2024-11-10..2025-08-20); the only Gemma 2 9B free id ever listed.
    "google/gemma-2-9b:free": "google/gemma-2-9b-it:free",
    # Qwen2.5 text models are spelled "qwen-2.5" (the VL ones "qwen2.5");
    # listed 2025-04-21..2025-08-20 under the seed's display name.
    "qwen/qwen2.5-coder-32b-instruct:free": "qwen/qwen-2.5-coder-32b-instruct:free",
    # Same "qwen-2.5" spelling, same display name (2025-04-21..2025-08-20).
    "qwen/qwen2.5-72b-instruct:free": "qwen/qwen-2.5-72b-instruct:free",
    # The id carries "-instruct" (2025-07-22..2025-08-20).
    "mistralai/mistral-small-3.2-24b:free": (
        "mistralai/mistral-small-3.2-24b-instruct:free"
    ),
    # "-instruct" (2025-04-21..2026-02-19); listing context 128,000, seed 131,072.
    "mistralai/mistral-small-3.1-24b:free": (
        "mistralai/mistral-small-3.1-24b-instruct:free"
    ),
    # Named "Mistral: Mistral Small 3 (free)"; the id is the dated 2501 release.
    "mistralai/mistral-small-3:free": "mistralai/mistral-small-24b-instruct-2501:free",
    # "llama3.3" without a hyphen (2025-04-21..2025-08-20), same display name.
    "shisa-ai/shisa-v2-llama-3.3-70b:free": "shisa-ai/shisa-v2-llama3.3-70b:free",
    # The id repeats "arliai" (2025-04-21..2025-08-20), same display name.
    "arliai/qwq-32b-rpr-v1:free": "arliai/qwq-32b-arliai-rpr-v1:free",
    # The slug carries the "reka-" prefix (2025-04-21..2025-08-20), same name.
    "rekaai/flash-3:free": "rekaai/reka-flash-3:free",
}

# Seed ids that no listing contains under any spelling: kept as "unverified".
SEED_UNVERIFIED: Final[Mapping[str, str]] = {
    "qwen/qwen3-32b:free": (
        "only the paid qwen/qwen3-32b is listed (2025-07-22..2026-02-19)"
    ),
    "openrouter/cypher-alpha:free": (
        "a short-lived cloaked model; in no listing and no recorded traffic"
    ),
}

_SEED_ROW: Final = re.compile(
    r"^\|\s*(?P<name>[^|]+?)\s*\|\s*`(?P<id>[^`]+)`\s*\|\s*(?P<context>[\d,]+)\s*\|"
    r"[^|]*\|[^|]*\|\s*(?P<description>.*?)\s*\|\s*$",
    re.MULTILINE,
)


class BuildError(Exception):
    """The inputs contradict the reviewed tables; fix the tables, not the data."""


@dataclass(frozen=True, slots=True)
class SeedRow:
    """One model row of the seed catalog."""

    name: str
    id: str
    context_length: int
    description: str


def parse_seed(text: str) -> list[SeedRow]:
    """Return the seed's model rows in document order."""
    return [
        SeedRow(
            name=m["name"],
            id=m["id"],
            context_length=int(m["context"].replace(",", "")),
            description=m["description"],
        )
        for m in _SEED_ROW.finditer(text)
    ]


def load_listings(directory: Path) -> dict[str, list[Mapping[str, Any]]]:
    """Return ``{listing date: data list}`` for every ``YYYY-MM-DD.json`` file."""
    listings: dict[str, list[Mapping[str, Any]]] = {}
    for path in sorted(directory.glob("*.json")):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", path.stem):
            listings[path.stem] = json.loads(path.read_text(encoding="utf-8"))["data"]
    if not listings:
        msg = f"no YYYY-MM-DD.json listings in {directory}"
        raise BuildError(msg)
    return listings


def free_counts(listings: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, int]:
    """Return the number of ``:free`` ids per listing date."""
    return {
        date: sum(1 for e in data if str(e.get("id", "")).endswith(":free"))
        for date, data in sorted(listings.items())
    }


def models_from_listings(
    listings: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[str, FreeModel]:
    """Return every free model, its facts from the newest listing containing it."""
    newest = max(listings)
    seen: dict[str, list[str]] = {}
    latest: dict[str, Mapping[str, Any]] = {}
    for date in sorted(listings):
        for entry in listings[date]:
            model_id = entry["id"]
            if is_free_model_id(model_id):
                seen.setdefault(model_id, []).append(date)
                latest[model_id] = entry
    models = {}
    for model_id, entry in sorted(latest.items()):
        dates = seen[model_id]
        model = parse_listing_entry(entry, seen=dates[-1])
        models[model_id] = replace(
            model,
            first_seen=dates[0],
            status="available" if dates[-1] == newest else "retired",
        )
    return models


def _seed_target(row: SeedRow, models: Mapping[str, FreeModel]) -> str | None:
    """Return the real id a seed row names, or None if it is unverified."""
    in_tables = (row.id in SEED_ALIASES) + (row.id in SEED_UNVERIFIED)
    if row.id in models:
        if in_tables:
            msg = f"{row.id} is a listed id; drop it from SEED_ALIASES/SEED_UNVERIFIED"
            raise BuildError(msg)
        return row.id
    if row.id in SEED_ALIASES:
        target = SEED_ALIASES[row.id]
        if target not in models:
            msg = f"SEED_ALIASES maps {row.id} to {target}, which no listing has"
            raise BuildError(msg)
        return target
    if row.id in SEED_UNVERIFIED:
        return None
    msg = (
        f"seed id {row.id} is in no listing: add it to SEED_ALIASES or SEED_UNVERIFIED"
    )
    raise BuildError(msg)


def _unverified(row: SeedRow) -> FreeModel:
    return FreeModel(
        id=row.id,
        name=row.name,
        author=row.id.split("/", 1)[0],
        context_length=row.context_length,
        max_output_tokens=None,
        description=row.description,
        input_modalities=("text",),
        output_modalities=("text",),
        supported_parameters=(),
        supports_tools=False,
        supports_structured_output=False,
        supports_reasoning=False,
        created=None,
        expiration_date=None,
        first_seen=None,
        last_seen=None,
        status="unverified",
    )


def apply_seed(models: dict[str, FreeModel], seed: Sequence[SeedRow]) -> dict[str, int]:
    """Resolve every seed row into ``models``; return ``{id: seed context}``.

    Aliases are recorded on the real entry; unverified rows become entries.
    """
    seed_ids = {row.id for row in seed}
    stale = (SEED_ALIASES.keys() | SEED_UNVERIFIED.keys()) - seed_ids
    if stale:
        msg = f"table entries for ids not in the seed: {sorted(stale)}"
        raise BuildError(msg)
    seed_context: dict[str, int] = {}
    for row in seed:
        target = _seed_target(row, models)
        if target is None:
            models[row.id] = _unverified(row)
            target = row.id
        elif target != row.id:
            model = models[target]
            models[target] = replace(model, aliases=(*model.aliases, row.id))
        if target in seed_context:
            msg = f"two seed rows resolve to {target}"
            raise BuildError(msg)
        seed_context[target] = row.context_length
    return seed_context


def _literal(value: Any) -> str:
    """Render JSON-like data as a Python literal (strings double-quoted)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid Python literal too
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if value is None or isinstance(value, bool | int):
        return repr(value)
    msg = f"cannot render {type(value).__name__}"
    raise BuildError(msg)


def render_module(
    *,
    snapshot_date: str,
    listing_counts: Mapping[str, int],
    models: Mapping[str, FreeModel],
    seed_context: Mapping[str, int],
    sources: Sequence[str],
) -> str:
    """Render the generated module's text (deterministic: ids sorted)."""
    lines = [
        "# Generated by scripts/build_registry.py — DO NOT EDIT.",
        "# Regenerate with: python scripts/build_registry.py",
        f"# Sources: {', '.join(sources)}",
        '"""Bundled snapshot of OpenRouter\'s free models (plain data)."""',
        "",
        f"SNAPSHOT_DATE = {_literal(snapshot_date)}",
        "",
        "# Number of ':free' ids in each recorded listing.",
        "LISTINGS = {",
        *(f"    {_literal(d)}: {n}," for d, n in sorted(listing_counts.items())),
        "}",
        "",
        "MODELS = (",
    ]
    for model_id in sorted(models):
        model = models[model_id]
        entry = asdict(replace(model, aliases=tuple(sorted(model.aliases))))
        entry["seed_context_length"] = seed_context.get(model_id)
        lines.append("    {")
        lines.extend(f"        {_literal(k)}: {_literal(v)}," for k, v in entry.items())
        lines.append("    },")
    lines.append(")")
    return "\n".join(lines) + "\n"


def build(listings_dir: Path, seed_path: Path) -> str:
    """Read the inputs and return the generated module text."""
    listings = load_listings(listings_dir)
    seed = parse_seed(seed_path.read_text(encoding="utf-8"))
    if not seed:
        msg = f"no model rows in the seed {seed_path}"
        raise BuildError(msg)
    models = models_from_listings(listings)
    seed_context = apply_seed(models, seed)
    sources = [f"{date}.json" for date in sorted(listings)] + [seed_path.name]
    return render_module(
        snapshot_date=max(listings),
        listing_counts=free_counts(listings),
        models=models,
        seed_context=seed_context,
        sources=sources,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=Path, default=DEFAULT_LISTINGS)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --output is out of date"
    )
    args = parser.parse_args(argv)
    try:
        text = build(args.listings, args.seed)
    except (BuildError, OSError, ValueError) as exc:
        print(f"build_registry: {exc}", file=sys.stderr)
        return 1
    if args.check:
        current = (
            args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        )
        if current != text:
            print(f"build_registry: {args.output} is out of date", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
