"""One process of the shared-budget tests: N calls through a shared store.

Run as ``python _budget_worker.py BASE_URL STORE_URL CALLS WINDOW MARGIN``;
prints one JSON object: the outcome of each call (``"ok"`` or the error class
name and whether a request was sent for it).
"""

from __future__ import annotations

import json
import sys

from langchain_openrouter_free import ChatOpenRouterFree
from langchain_openrouter_free.errors import FreeQuotaExhaustedError, OpenRouterError
from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter

MODEL = "meta-llama/llama-3.3-70b-instruct:free"
KEY = "sk-or-v1-" + "5" * 64


def main() -> None:
    base_url, store, calls, window, margin = sys.argv[1:6]
    limiter = FreeTierRateLimiter(
        store=store,
        api_key=KEY,
        window_seconds=float(window),
        safety_margin=float(margin),
    )
    model = ChatOpenRouterFree(
        base_url=base_url, api_key=KEY, model=MODEL, rate_limiter=limiter
    )
    # Open the connection first (GET /key is free): the first request of a
    # process is the slowest, and the window is measured where requests arrive.
    model.quota()
    outcomes: list[dict[str, object]] = []
    for n in range(int(calls)):
        try:
            model.invoke(f"call {n}")
        except FreeQuotaExhaustedError as error:
            outcomes.append({"error": type(error).__name__, "sent": error.sent})
        except OpenRouterError as error:
            outcomes.append({"error": type(error).__name__, "sent": True})
        else:
            outcomes.append({"ok": True})
    report = {"outcomes": outcomes, "attempts": limiter.attempts_today()}
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
