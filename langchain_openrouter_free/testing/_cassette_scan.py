"""The secret scan of `langchain_openrouter_free.testing.cassettes`.

What looks like a key (`SECRET_PATTERNS`) or an OpenRouter account id
(`ACCOUNT_ID_PATTERNS`) in a cassette is a finding. Imported and re-exported
by ``cassettes``; see that module for the command line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml  # type: ignore[import-untyped, unused-ignore]

from langchain_openrouter_free._constants import ACCOUNT_ID_PATTERNS, SECRET_PATTERNS
from langchain_openrouter_free.testing._codecs import sniff_decode

if TYPE_CHECKING:
    import re

__all__ = [
    "ACCOUNT_ID_PATTERNS",
    "CASSETTE_SUFFIXES",
    "SECRET_PATTERNS",
    "assert_no_secrets",
    "find_secrets",
    "iter_cassette_files",
    "scan_cassette_for_secrets",
]

CASSETTE_SUFFIXES: Final = (".yaml.gz", ".yaml", ".yml", ".json")
"""Files `iter_cassette_files` picks up in a directory."""


def _patterns(*, account_ids: bool) -> dict[str, re.Pattern[str]]:
    return {**SECRET_PATTERNS, **(ACCOUNT_ID_PATTERNS if account_ids else {})}


def find_secrets(text: str, *, account_ids: bool = True) -> list[tuple[str, str]]:
    """Key-like text (and account ids) in a string.

    Args:
        text: The text to search.
        account_ids: Also report `ACCOUNT_ID_PATTERNS` matches.

    Returns:
        ``(kind, masked match)`` pairs; the match is cut to its first 12
        characters so a report does not leak the secret again.
    """
    found: list[tuple[str, str]] = []
    for kind, pattern in _patterns(account_ids=account_ids).items():
        found.extend((kind, f"{m.group()[:12]}...") for m in pattern.finditer(text))
    return found


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield f"{where}.{key}", str(key)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif isinstance(value, bytes):
        yield where, _bytes_text(value)
    elif isinstance(value, str):
        yield where, value


def _bytes_text(data: bytes) -> str:
    """Bytes as text, decompressed first when they look like gzip, zstd or br."""
    return sniff_decode(data).decode("utf-8", errors="replace")


def _decode_file(path: Path) -> Any:
    raw = path.read_bytes()
    name = path.name.lower()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
        name = name.removesuffix(".gz")
    text = raw.decode("utf-8", errors="replace")
    if name.endswith((".yaml", ".yml")):
        return yaml.safe_load(text)
    if name.endswith(".json"):
        return json.loads(text)
    return text


def scan_cassette_for_secrets(
    path: str | Path, *, account_ids: bool = True
) -> list[str]:
    """Search one cassette for anything that looks like a key or an account id.

    ``yaml.gz``, ``yaml`` and ``json`` cassettes are decoded first, so
    ``!!binary`` bodies (and gzipped bodies inside them) are searched as text;
    every string, including mapping keys, is checked against
    `SECRET_PATTERNS` (and `ACCOUNT_ID_PATTERNS`). Other files are searched
    as text.

    Args:
        path: The cassette file.
        account_ids: Also report account ids (``user_…``, ``org_…``).

    Returns:
        One line per finding (``"<file>: <where>: <kind> <masked>"``); empty
        when the cassette is clean. A file that cannot be decoded is a finding.
    """
    path = Path(path)
    try:
        data = _decode_file(path)
    except (OSError, EOFError, ValueError, yaml.YAMLError) as error:
        return [f"{path}: cannot decode ({type(error).__name__}: {error})"]
    return [
        f"{path}: {where}: {kind} {masked}"
        for where, text in _strings(data, "$")
        for kind, masked in find_secrets(text, account_ids=account_ids)
    ]


def iter_cassette_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and directories into cassette files.

    Args:
        paths: Files (taken as given) and directories (searched recursively
            for `CASSETTE_SUFFIXES`).

    Yields:
        Cassette files, sorted within each directory.
    """
    for entry in map(Path, paths):
        if entry.is_dir():
            yield from sorted(
                p
                for p in entry.rglob("*")
                if p.is_file() and p.name.lower().endswith(CASSETTE_SUFFIXES)
            )
        else:
            yield entry


def assert_no_secrets(paths: Iterable[str | Path], *, account_ids: bool = True) -> None:
    """Fail if any cassette under ``paths`` contains key-like text.

    Args:
        paths: Cassette files and directories.
        account_ids: Also fail on account ids (``user_…``, ``org_…``).

    Raises:
        AssertionError: Listing every finding.
    """
    findings = [
        line
        for path in iter_cassette_files(paths)
        for line in scan_cassette_for_secrets(path, account_ids=account_ids)
    ]
    if findings:
        msg = "cassettes contain key-like text:\n" + "\n".join(findings)
        raise AssertionError(msg)
