"""Helpers for the registry tests: a MockTransport /models API and a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from langchain_openrouter_free.registry import FreeModelRegistry
from tests._repo_data import MODEL_LISTINGS

NEWEST = "2026-02-19"
NOW = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
KEY = "sk-or-v1-" + "0123456789abcdef" * 4
BASE = "https://openrouter.ai/api/v1"


class FakeAPI:
    """MockTransport handler for /models and /models/user."""

    def __init__(
        self,
        models: bytes | Exception,
        *,
        models_status: int = 200,
        user_ids: set[str] | None = None,
        user_status: int = 200,
        user_body: bytes | None = None,
    ) -> None:
        self.models, self.models_status = models, models_status
        self.user_ids, self.user_status, self.user_body = (
            user_ids,
            user_status,
            user_body,
        )
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.models, Exception):
            raise self.models
        if request.url.path == "/api/v1/models":
            return httpx.Response(self.models_status, content=self.models)
        if request.url.path == "/api/v1/models/user":
            body = (
                self.user_body
                or json.dumps(
                    {"data": [{"id": i} for i in sorted(self.user_ids or ())]}
                ).encode()
            )
            return httpx.Response(self.user_status, content=body)
        return httpx.Response(404, json={"error": {"code": 404, "message": "nope"}})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def refresh(api: FakeAPI, cache: Path, **kwargs: Any) -> FreeModelRegistry:
    kwargs.setdefault("clock", clock(NOW))
    kwargs.setdefault("max_retries", 0)
    return FreeModelRegistry.refresh(
        http_client=api.client(), cache_dir=cache, **kwargs
    )


def read_listings() -> dict[str, bytes]:
    """The real recorded listings in cassettes/recorded/models, by date."""
    return {p.stem: p.read_bytes() for p in sorted(MODEL_LISTINGS.glob("*.json"))}


def listing_with(
    listing: bytes, new_id: str, *, like: str = "qwen/qwen3-4b:free", **facts: Any
) -> bytes:
    """The listing plus a copy of ``like``'s entry under ``new_id``."""
    payload = json.loads(listing)
    entry = dict(next(e for e in payload["data"] if e["id"] == like))
    entry.update(id=new_id, **facts)
    payload["data"].append(entry)
    return json.dumps(payload).encode()
