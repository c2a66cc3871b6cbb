"""Free-tier goodput: 100 prompts through one scripted mix of free-tier faults.

Every contender answers the same 100 prompts, one after the other, each
against a fresh FakeOpenRouter (time-scaled: `TIME_SCALE` simulated seconds a
real second) that plays the same mix (`Mix`):

- the account-wide limit of 20 requests per simulated minute (every request
  counts, failed ones too, as on OpenRouter);
- upstream 429s ("temporarily rate-limited upstream") on the first two
  requests of prompts `UPSTREAM` that only name the three listed models;
- the primary model retired from prompt `RETIRED_FROM` on (OpenRouter's
  server-side ``models`` list then answers from the next model);
- one 502 on the first request of prompts `FIVE_XX`;
- the daily cap from prompt `DAILY_CAP_AT` on: every later request is
  refused, so at most `DAILY_CAP_AT` prompts can be answered.

Contenders are configured for resilience as their docs allow: the same
server-side fallback list (``models``, via ``model_kwargs`` / ``extra_body``)
for all, default retries; ChatOpenRouterFree also gets two more client-side
``fallbacks``. ChatOpenRouter runs with ``streaming=True`` because its SDK
refuses the emulator's non-streamed completions (no ``system_fingerprint``).
ChatOpenRouterFree gets its free-tier budget (`FreeTierRateLimiter`, 20
requests a rolling minute and the daily-cap block) on the emulator's clock
(``window_seconds=60 / TIME_SCALE``); it is built in only for openrouter.ai.

Reported: prompts answered, requests sent, requests per answer, requests sent
after the first daily-cap 429, and the wall time on the emulator's clock.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import _contenders as c
from benchmarks._report import Section

PROMPTS = 100
TIME_SCALE = 30.0
PRIMARY = "meta-llama/llama-3.3-70b-instruct:free"
LISTED = (
    PRIMARY,
    "qwen/qwen3-next-80b-a3b-instruct:free",
    "openai/gpt-oss-120b:free",
)
EXTRA = ("z-ai/glm-4.5-air:free", "arcee-ai/trinity-mini:free")
UPSTREAM = frozenset({10, 11, 12, 60, 61})
UPSTREAM_FAILURES = 2
RETIRED_FROM = 30
FIVE_XX = frozenset({20, 45, 70})
DAILY_CAP_AT = 90
KEY = "sk-or-v1-goodput-benchmark-not-a-real-key"
_PROMPT = re.compile(r"prompt (\d+):")
_RUNS = itertools.count()


@dataclass
class Mix:
    """The scripted faults, as a FakeOpenRouter responder (thread-safe)."""

    seen: dict[int, int] = field(default_factory=dict)
    capped_after: int | None = None
    """How many chat requests had arrived when the daily cap first struck."""
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Any) -> Any:
        from langchain_openrouter_free.testing import FakeReply, Fault

        number = _prompt_number(request.last_user_text)
        route = _route(request.json)
        with self.lock:
            self.requests += 1
            tries = self.seen.get(number, 0)
            self.seen[number] = tries + 1
            if number >= DAILY_CAP_AT or self.capped_after is not None:
                if self.capped_after is None:
                    self.capped_after = self.requests
                return Fault.daily_cap(limit=1000)
        if number in FIVE_XX and tries == 0:
            return Fault.server_error(502)
        upstream = set(route) <= set(LISTED)
        if number in UPSTREAM and upstream and tries < UPSTREAM_FAILURES:
            return Fault.upstream_rate_limit(route[-1])
        answering = route[0]
        if answering == PRIMARY and number >= RETIRED_FROM:
            if len(route) == 1:
                return Fault.no_endpoints(PRIMARY)
            answering = route[1]
        return FakeReply(f"answer {number}", model=answering, keepalives=0)


@dataclass
class Outcome:
    name: str
    answered: int
    requests: int
    after_cap: int
    simulated_seconds: float
    errors: dict[str, int]

    def row(self) -> list[str]:
        per = self.requests / self.answered if self.answered else float("inf")
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
        return [
            self.name,
            f"{self.answered} / {DAILY_CAP_AT}",
            str(self.requests),
            f"{per:.2f}",
            str(self.after_cap),
            f"{self.simulated_seconds:.0f}",
            errors or "-",
        ]


def _prompt_number(text: str) -> int:
    found = _PROMPT.search(text)
    return int(found.group(1)) if found else -1


def _route(payload: Any) -> list[str]:
    model = payload.get("model") if isinstance(payload, dict) else None
    listed = payload.get("models") if isinstance(payload, dict) else None
    route = [model] if isinstance(model, str) else []
    route += [m for m in listed or () if isinstance(m, str)]
    return list(dict.fromkeys(route))


# ------------------------------------------------------------------ contenders


_Built = tuple[Any, list[Callable[[], Any]]]


def _ours(base_url: str) -> _Built:
    from langchain_openrouter_free import ChatOpenRouterFree
    from langchain_openrouter_free.rate_limiter import FreeTierRateLimiter

    # The free-tier budget on the emulator's clock (a fresh account each run,
    # so one run's daily-cap block does not reach the next).
    limiter = FreeTierRateLimiter(
        20,
        api_key=f"{KEY}-{next(_RUNS)}",
        window_seconds=60 / TIME_SCALE,
        safety_margin=1 / TIME_SCALE,
    )
    model = ChatOpenRouterFree(
        model=PRIMARY,
        fallbacks=[*LISTED[1:], *EXTRA],
        base_url=base_url,
        api_key=KEY,
        rate_limiter=limiter,
    )
    return model, [model.close, limiter.close]


def _openai(base_url: str) -> _Built:
    import httpx2
    from langchain_openai import ChatOpenAI

    client = httpx2.Client(trust_env=False, timeout=120)
    model = ChatOpenAI(
        model=PRIMARY,
        base_url=base_url,
        api_key=KEY,
        http_client=client,
        extra_body={"models": list(LISTED)},
    )
    return model, [client.close]


def _openrouter(base_url: str) -> _Built:
    import httpx
    import openrouter
    from langchain_openrouter import ChatOpenRouter

    client = httpx.Client(trust_env=False, timeout=120)
    aclient = httpx.AsyncClient(trust_env=False, timeout=120)
    sdk = openrouter.OpenRouter(
        api_key=KEY, server_url=base_url, client=client, async_client=aclient
    )
    model = ChatOpenRouter(
        model=PRIMARY,
        api_key=KEY,
        client=sdk,
        streaming=True,
        model_kwargs={"models": list(LISTED)},
    )
    return model, [client.close]


FACTORIES: dict[str, Callable[[str], _Built]] = {
    c.OURS: _ours,
    c.OPENAI: _openai,
    c.OPENROUTER: _openrouter,
}


def play(name: str, prompts: int = PROMPTS) -> Outcome:
    """Run the workload for one contender against a fresh emulator."""
    from langchain_openrouter_free.testing import FakeOpenRouter, FreeTierLimits

    mix = Mix()
    limits = FreeTierLimits(per_minute=20, per_day=100_000)
    with FakeOpenRouter(responder=mix, free_tier=limits, time_scale=TIME_SCALE) as fake:
        model, closers = FACTORIES[name](fake.base_url)
        errors: dict[str, int] = {}
        answered = 0
        started = fake.simulated_time
        for number in range(prompts):
            try:
                model.invoke(f"prompt {number}: say something short")
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                kind = type(exc).__name__
                errors[kind] = errors.get(kind, 0) + 1
            else:
                answered += 1
        elapsed = fake.simulated_time - started
        total = len(fake.chat_requests)
        for close in closers:
            close()
    after = 0 if mix.capped_after is None else mix.requests - mix.capped_after
    return Outcome(name, answered, total, after, elapsed, errors)


def run(config: Any) -> list[Section]:
    """The goodput section (the runner's ``--only goodput``)."""
    names = [n for n in c.CONTENDERS if n in getattr(config, "names", c.CONTENDERS)]
    prompts = 30 if getattr(config, "smoke", False) else PROMPTS
    return [section(play_all(names, prompts), prompts)]


def play_all(names: Sequence[str], prompts: int = PROMPTS) -> list[Outcome]:
    outcomes = []
    for name in names:
        start = time.perf_counter()
        try:
            outcomes.append(play(name, prompts))
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name})")
        print(f"  goodput {name}: {time.perf_counter() - start:.1f} s real")
    return outcomes


_MIX_NOTE = (
    "Mix: 20 requests per simulated minute for the account; upstream 429 "
    f"on the first {UPSTREAM_FAILURES} requests of prompts "
    f"{sorted(UPSTREAM)} that name only the three listed models; the "
    f"primary model retired from prompt {RETIRED_FROM}; one 502 on "
    f"prompts {sorted(FIVE_XX)}; the daily cap from prompt "
    f"{DAILY_CAP_AT} (so {DAILY_CAP_AT} prompts can be answered)."
)
_CONFIG_NOTE = (
    "Every client sends the same server-side `models` list of three free "
    "models; ChatOpenRouterFree also has two client-side `fallbacks`."
)


def section(outcomes: Sequence[Outcome], prompts: int = PROMPTS) -> Section:
    return Section(
        title=f"Free-tier goodput ({prompts} prompts, one scripted fault mix)",
        header=[
            "client",
            "answered / answerable",
            "requests",
            "requests per answer",
            "requests after the daily cap",
            "wall time (emulator s)",
            "errors raised",
        ],
        rows=[o.row() for o in outcomes],
        notes=[_MIX_NOTE, _CONFIG_NOTE],
        slug="goodput",
    )
