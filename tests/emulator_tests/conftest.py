"""Emulator tests talk to FakeOpenRouter over 127.0.0.1 and nowhere else.

pytest-socket runs with ``--disable-socket --allow-unix-socket``. Every test in
this directory gets pytest-socket's ``allow_hosts(["127.0.0.1"])`` marker: socket
creation is allowed, ``connect`` only to loopback. (``enable_socket`` is not
used: in pytest-socket 0.8 it wins over ``allow_hosts`` and would open
everything.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from langchain_openrouter_free.testing import FakeOpenRouter
from tests._loopback import mark_loopback_only

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    mark_loopback_only(HERE, items)


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        yield server


@pytest.fixture
def client(fake: FakeOpenRouter) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.base_url, timeout=10, trust_env=False) as http:
        yield http
