"""pytest plugin ``openrouter_free``: opt-in safe cassettes, and the emulator.

Loaded automatically (``pytest11`` entry point) once
``langchain-openrouter-free[testing]`` is installed. It imports neither vcrpy
nor pytest-recording nor langchain-tests at import time, and everything it
adds works, or stays inert, when they are missing. It changes nothing for
``@pytest.mark.vcr`` tests that do not opt in: pytest-recording's own
``vcr_config`` (and any conftest's) is left alone, so cassettes of other APIs
keep their format, matching and content.

Fixtures:
    ``openrouter_vcr_config`` (module scope): the vcrpy options for
        OpenRouter cassettes; see
        `langchain_openrouter_free.testing.cassettes.build_vcr_config`. Only
        ``content-type``, ``accept`` and rate-limit headers are recorded,
        key-like text and account ids in bodies are redacted, requests match
        on method + path + query + normalized JSON body (any host, so a cassette
        recorded against FakeOpenRouter or openrouter.ai replays anywhere),
        files are gzipped YAML (``*.yaml.gz``, langchain-tests' layout),
        ``record_mode`` is not set (pytest-recording's default, ``none``,
        never touches the network; ``--record-mode=once`` records), and
        failed attempts (status >= 400, or an error inside a 200) are not
        recorded. Cassettes live in pytest-recording's ``vcr_cassette_dir``.
        Opt in with one line in a ``conftest.py``::

            from langchain_openrouter_free.testing.pytest_plugin import (
                openrouter_vcr_config as vcr_config,
            )

        or with a fixture that can also extend it::

            @pytest.fixture(scope="module")
            def vcr_config(openrouter_vcr_config):
                return openrouter_vcr_config

    ``fake_openrouter``: a running
        `langchain_openrouter_free.testing.FakeOpenRouter`; tests using it
        may connect to 127.0.0.1 even under ``--disable-socket``.

pytest-recording hook:
    ``pytest_recording_configure`` registers the ``yaml.gz`` serializer and
    persister only on the VCR of a test whose config uses that serializer,
    and the ``openrouter_json_body`` matcher (inert unless a config names it
    in ``match_on``). Other tests keep pytest-recording's persister.

Recording failed attempts:
    ``@pytest.mark.openrouter_record_errors`` on a test, ``--openrouter-record-errors``,
    the ini option ``openrouter_record_errors = true`` or the environment
    variable ``OPENROUTER_RECORD_ERRORS=1``. A cassette that already holds an
    error replays it whatever the setting.

Secret check:
    Every ``yaml.gz`` cassette written during the session is scanned for
    key-like text and account ids at the end; a finding is reported and fails
    the run. Other cassettes are not scanned.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    from langchain_openrouter_free.testing import FakeOpenRouter

__all__ = [
    "RECORD_ERRORS_ENV",
    "RECORD_ERRORS_MARKER",
    "fake_openrouter",
    "openrouter_vcr_config",
]

RECORD_ERRORS_MARKER: Final = "openrouter_record_errors"
"""Marker that records failed responses in the marked test's cassette."""
RECORD_ERRORS_ENV: Final = "OPENROUTER_RECORD_ERRORS"
"""Environment variable that records failed responses in every cassette."""
_RECORD_ERRORS_INI: Final = "openrouter_record_errors"
_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})
_LOOPBACK: Final = ["127.0.0.1"]
_SOCKET_MARKERS: Final = ("allow_hosts", "enable_socket", "disable_socket")
_SCANNED_SUFFIX: Final = ".yaml.gz"
REPLAY_PLACEHOLDER_KEY: Final = "replay-without-a-key"
"""Set as ``OPENROUTER_API_KEY`` while a write-protected cassette replays and no
key is set: ``ChatOpenRouterFree`` refuses to call openrouter.ai without a key,
and such a cassette never lets a request reach the network."""


class _SessionState:
    """Per-run state: the error-recording switch and the cassettes used."""

    def __init__(self, *, record_errors: bool) -> None:
        self.record_errors_by_default = record_errors
        self.record_errors_in_test = False
        self.started_at = time.time()
        self.cassettes: set[Path] = set()

    def records_errors(self) -> bool:
        """Whether a failed response is recorded right now."""
        return self.record_errors_by_default or self.record_errors_in_test


_STATE: Final = pytest.StashKey[_SessionState]()
_CASSETTE: Final = pytest.StashKey[Path]()
"""The cassette file of a test that uses ``vcr``."""
_SOCKET_BLOCKED_ERRORS: Final = frozenset(
    {"SocketBlockedError", "SocketConnectBlockedError"}
)
_SOCKET_BLOCKED_WARNING: Final = "A test tried to use socket"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--openrouter-record-errors`` and its ini twin."""
    group = parser.getgroup("openrouter-free", "langchain-openrouter-free cassettes")
    group.addoption(
        "--openrouter-record-errors",
        action="store_true",
        default=False,
        help="Record failed attempts (status >= 400, errors in a 200) in cassettes.",
    )
    parser.addini(
        _RECORD_ERRORS_INI,
        type="bool",
        default=False,
        help="Record failed attempts (status >= 400, errors in a 200) in cassettes.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the run state."""
    config.addinivalue_line(
        "markers",
        f"{RECORD_ERRORS_MARKER}: record failed attempts (status >= 400, "
        "errors in a 200) in this test's cassette (langchain-openrouter-free).",
    )
    env = os.environ.get(RECORD_ERRORS_ENV, "").strip().lower()
    record_errors = (
        bool(config.getoption("--openrouter-record-errors"))
        or bool(config.getini(_RECORD_ERRORS_INI))
        or env in _TRUE_WORDS
    )
    config.stash[_STATE] = _SessionState(record_errors=record_errors)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:  # noqa: ARG001
    """Register our serializer and persister where a test's config uses them.

    Only a VCR whose cassettes get the ``.yaml.gz`` suffix (its config's
    ``serializer`` is ``yaml.gz``) gets the ``yaml.gz`` serializer and
    persister; every other test keeps pytest-recording's persister and
    files untouched. The ``openrouter_json_body`` matcher is registered
    everywhere: it is inert unless a config names it in ``match_on``.

    ``tryfirst``: a conftest's own ``pytest_recording_configure`` runs after
    this one and may replace what it registers.
    """
    from langchain_openrouter_free.testing.cassettes import (  # noqa: PLC0415
        MATCHER_NAME,
        json_body_matcher,
        register,
        uses_yaml_gz,
    )

    if uses_yaml_gz(vcr):
        register(vcr)
    else:
        vcr.register_matcher(MATCHER_NAME, json_body_matcher)


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Let tests that use ``fake_openrouter`` reach 127.0.0.1 (pytest-socket)."""
    if not config.pluginmanager.has_plugin("socket"):
        return
    for item in items:
        uses_fake = "fake_openrouter" in getattr(item, "fixturenames", ())
        if uses_fake and not any(item.get_closest_marker(m) for m in _SOCKET_MARKERS):
            item.add_marker(pytest.mark.allow_hosts(_LOOPBACK))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Scan the cassettes written during the run; fail the run on a finding."""
    state = session.config.stash.get(_STATE, None)
    if state is None or not state.cassettes:
        return
    from langchain_openrouter_free.testing.cassettes import (  # noqa: PLC0415
        scan_cassette_for_secrets,
    )

    written = [
        path
        for path in sorted(state.cassettes)
        if path.is_file() and path.stat().st_mtime >= state.started_at - 1
    ]
    findings = [line for path in written for line in scan_cassette_for_secrets(path)]
    if not findings:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "key-like text in recorded cassettes", red=True)
        for line in findings:
            reporter.write_line(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Name the missing cassette when recording was stopped by blocked sockets.

    ``--record-mode=once`` records a cassette that does not exist yet, so the
    request goes to the network, where pytest-socket's ``--disable-socket``
    stops it with an error that says nothing about cassettes.
    """
    report = yield
    cassette = item.stash.get(_CASSETTE, None)
    if (
        call.excinfo is not None
        and cassette is not None
        and not cassette.exists()
        and _socket_blocked(call.excinfo.value)
    ):
        report.longrepr = missing_cassette_message(cassette)
    return report


def missing_cassette_message(cassette: Path) -> str:
    """What to say when the cassette is missing and sockets are blocked.

    Args:
        cassette: The cassette file the test would replay.

    Returns:
        The message shown in place of pytest-socket's error.
    """
    return (
        f"cassette {cassette} is missing. With --record-mode=once it would be "
        "recorded, but sockets are disabled (--disable-socket), so the request "
        "could not reach the network. Record it where the network is allowed "
        "(for this project: scripts/record_cassettes.py), or commit the "
        "cassette; --record-mode=none replays only."
    )


def _socket_blocked(error: BaseException | None) -> bool:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if type(error).__name__ in _SOCKET_BLOCKED_ERRORS or (
            # pytest-socket warns first; under -W error the warning is raised.
            isinstance(error, UserWarning)
            and str(error).startswith(_SOCKET_BLOCKED_WARNING)
        ):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _default_cassette_dir(request: pytest.FixtureRequest) -> str:
    try:
        return str(request.getfixturevalue("vcr_cassette_dir"))
    except pytest.FixtureLookupError:
        module = Path(str(request.path))
        return str(module.parent / "cassettes" / module.stem)


@pytest.fixture(scope="module")
def openrouter_vcr_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The vcrpy options for OpenRouter cassettes (see the module doc).

    Not used unless a conftest makes it the ``vcr_config``::

        from langchain_openrouter_free.testing.pytest_plugin import (
            openrouter_vcr_config as vcr_config,
        )

    Returns:
        `build_vcr_config` with the run's error switch and pytest-recording's
        ``vcr_cassette_dir``.
    """
    from langchain_openrouter_free.testing.cassettes import (  # noqa: PLC0415
        build_vcr_config,
    )

    state = request.config.stash[_STATE]
    return build_vcr_config(
        record_errors=state.records_errors,
        cassette_library_dir=_default_cassette_dir(request),
    )


@pytest.fixture(autouse=True, name="_openrouter_free_cassette_guard")
def openrouter_free_cassette_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Apply the per-test error switch; remember the test's ``yaml.gz`` cassette.

    While a cassette replays without recording (``write_protected``: record
    mode ``none``, or ``once`` with the cassette present) and no
    ``OPENROUTER_API_KEY`` is set, the variable is set to
    `REPLAY_PLACEHOLDER_KEY` for the test, so replay needs no key.

    A replaying cassette (``write_protected``) is never throttled by the
    automatic free-tier limiter of `ChatOpenRouterFree` (its requests go to
    OpenRouter's host, but a replay sends nothing); recording live is, and a
    limiter passed as ``rate_limiter=`` always applies.
    """
    state = request.config.stash[_STATE]
    marker = request.node.get_closest_marker(RECORD_ERRORS_MARKER)
    state.record_errors_in_test = marker is not None
    throttling: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if "vcr" in request.fixturenames:
        cassette = request.getfixturevalue("vcr")
        path = getattr(cassette, "_path", None)
        if path:
            request.node.stash[_CASSETTE] = Path(path)
        if path and str(path).endswith(_SCANNED_SUFFIX):
            state.cassettes.add(Path(path))
        if getattr(cassette, "write_protected", False):
            from langchain_openrouter_free._budget import (  # noqa: PLC0415
                suspend_throttling,
            )

            throttling = suspend_throttling()
            if not os.environ.get("OPENROUTER_API_KEY"):
                monkeypatch = request.getfixturevalue("monkeypatch")
                monkeypatch.setenv("OPENROUTER_API_KEY", REPLAY_PLACEHOLDER_KEY)
    try:
        with throttling:
            yield
    finally:
        state.record_errors_in_test = False


@pytest.fixture
def fake_openrouter() -> Iterator[FakeOpenRouter]:
    """A running FakeOpenRouter (default settings), stopped afterwards.

    Script it in the test with ``add_replies`` or ``responder``.

    Yields:
        The running emulator.
    """
    from langchain_openrouter_free.testing import (  # noqa: PLC0415
        fake_openrouter_fixture,
    )

    yield from fake_openrouter_fixture()
