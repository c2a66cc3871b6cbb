"""The registry cache file: regular files only, unique temporary files, atomic."""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from langchain_openrouter_free._registry_live import ListingCache, ListingSnapshot
from langchain_openrouter_free.registry import RegistryWarning
from tests.unit_tests._registry_fakes import BASE, KEY, NOW

ACCOUNT = "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"


def snapshot(tag: int = 0, note: str = "") -> ListingSnapshot:
    entries = tuple(
        {"id": f"vendor/model-{tag}-{i}:free", "name": note or f"m{i}"}
        for i in range(200)
    )
    return ListingSnapshot(
        base_url=BASE,
        fetched_at=NOW.isoformat(),
        key_fingerprint=None,
        authenticated=False,
        blocked_ids=frozenset(),
        entries=entries,
    )


def write_many(path: str, tag: int) -> None:
    for _ in range(20):
        ListingCache(Path(path)).write(snapshot(tag))


def test_a_symlink_at_the_cache_path_is_neither_read_nor_written_through(
    tmp_path: Path,
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("do not touch")
    path = tmp_path / "models.json"
    path.symlink_to(target)
    cache = ListingCache(path)
    with pytest.warns(RegistryWarning):
        assert cache.read() is None
    with pytest.warns(RegistryWarning, match="not a regular file"):
        cache.write(snapshot())
    assert target.read_text() == "do not touch"


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link", "directory"])
def test_special_files_are_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "models.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero-link":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    cache = ListingCache(path)
    started = time.monotonic()
    with pytest.warns(RegistryWarning):
        assert cache.read() is None
    with pytest.warns(RegistryWarning):
        cache.write(snapshot())
    assert time.monotonic() - started < 2.0


def test_the_cache_holds_no_key_or_account_id(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    ListingCache(path).write(
        snapshot(note=f"echo {KEY} {ACCOUNT} gw-9f8e7d"), ["gw-9f8e7d"]
    )
    text = path.read_text()
    for secret in (KEY, ACCOUNT, "gw-9f8e7d"):
        assert secret not in text
    assert ListingCache(path).read() is not None


def test_threads_writing_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    threads = [
        threading.Thread(target=write_many, args=(str(path), tag)) for tag in range(8)
    ]
    for thread in threads:
        thread.start()
    torn: list[str] = []
    while any(thread.is_alive() for thread in threads):
        if path.exists():
            try:
                json.loads(path.read_text())
            except ValueError as exc:
                torn.append(str(exc))
    for thread in threads:
        thread.join()
    assert torn == []
    assert ListingCache(path).read() is not None
    assert [p.name for p in tmp_path.iterdir()] == ["models.json"]  # no temp left


def test_processes_writing_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    with ProcessPoolExecutor(max_workers=3) as pool:
        list(pool.map(write_many, [str(path)] * 3, range(3)))
    assert ListingCache(path).read() is not None
    assert [p.name for p in tmp_path.iterdir()] == ["models.json"]
