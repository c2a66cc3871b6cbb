"""The pytest plugin ``openrouter_free``: opt-in cassettes, fixtures, secret check.

Every scenario runs in a throw-away project through ``pytester`` (in process),
with the plugin installed as users get it (the ``pytest11`` entry point).
HTTP goes through ``httpx.MockTransport``, which vcrpy patches like any
transport, so no socket is opened; the plugin must leave cassettes of other
APIs exactly as pytest-recording and vcrpy make them.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from typing import Any

import pytest
import vcr as vcrpy
import yaml

from langchain_openrouter_free import testing
from langchain_openrouter_free.testing.cassettes import (
    scan_cassette_for_secrets,
    uses_yaml_gz,
)

pytest_plugins = ["pytester"]

LOADED_MARK = "__openrouter_free_loaded__"

_INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

_OPT_IN = """
from langchain_openrouter_free.testing.pytest_plugin import (
    openrouter_vcr_config as vcr_config,
)
"""

_PROBE = """
import json, pytest

def test_probe(vcr_config, openrouter_vcr_config, request):
    print("CONFIG", json.dumps({
        "plain": sorted(vcr_config),
        "keys": sorted(openrouter_vcr_config),
        "dir": openrouter_vcr_config["cassette_library_dir"],
        "errors": openrouter_vcr_config["before_record_response"].records_errors(),
    }))

@pytest.mark.openrouter_record_errors
def test_marked(openrouter_vcr_config):
    assert openrouter_vcr_config["before_record_response"].records_errors()
"""

_RECORDING_TEST = """
import httpx, pytest
from langchain_openrouter_free import ChatOpenRouterFree

pytestmark = pytest.mark.vcr
KEY = "sk-or-v1-" + "ab" * 32

def answer(request):
    body = b'{"id":"g","model":"qwen/qwen3-4b:free","choices":[{"index":0,"finish_reason":"stop",'
    body += b'"message":{"role":"assistant","content":"hello"}}]}'
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})

def test_chat():
    client = httpx.Client(transport=httpx.MockTransport(answer))
    model = ChatOpenRouterFree(model="qwen/qwen3-4b:free", api_key=KEY, http_client=client)
    assert model.invoke("hi").text == "hello"
"""

# A user's own test of some other API, with plain vcrpy YAML cassettes.
_OTHER_API_TEST = """
import httpx, pytest

def handler(request):
    return httpx.Response(200, json={"path": request.url.path})

@pytest.mark.vcr
def test_other_api():
    c = httpx.Client(transport=httpx.MockTransport(handler))
    assert c.get("http://api.example.com/v1/one?id=1").json() == {"path": "/v1/one"}
    assert c.get("http://api.example.com/v1/two").json() == {"path": "/v1/two"}
"""


def _probe(result: pytest.RunResult) -> dict[str, Any]:
    line = next(x for x in result.outlines if "CONFIG " in x)
    return json.loads(line.split("CONFIG ", 1)[1])


def _plain_cassette(uri: str, body: str) -> dict[str, Any]:
    return {
        "request": {
            "body": None,
            "headers": {"Authorization": ["token abc"]},
            "method": "GET",
            "uri": uri,
        },
        "response": {
            "body": {"string": body},
            "headers": {"Content-Type": ["application/json"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


# ---------------------------------------------------------------- opt-in config


def test_plugin_leaves_vcr_config_alone_and_offers_openrouter_vcr_config(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini(_INI)
    pytester.makepyfile(test_probe=_PROBE)

    result = pytester.runpytest_inprocess("-s")
    result.assert_outcomes(passed=2)
    probe = _probe(result)
    assert probe["plain"] == [], "pytest-recording's own vcr_config must stay empty"
    assert "record_mode" not in probe["keys"]
    assert {"match_on", "serializer", "before_record_request"} <= set(probe["keys"])
    assert probe["dir"] == str(pytester.path / "cassettes" / "test_probe")
    assert probe["errors"] is False

    assert _probe(pytester.runpytest_inprocess("-s", "--openrouter-record-errors"))[
        "errors"
    ]
    monkeypatch.setenv("OPENROUTER_RECORD_ERRORS", "1")
    assert _probe(pytester.runpytest_inprocess("-s"))["errors"]


def test_plugin_works_without_pytest_recording(pytester: pytest.Pytester) -> None:
    pytester.makeini(_INI)
    pytester.makepyfile(
        test_probe="""
import json

def test_probe(openrouter_vcr_config):
    print("CONFIG", json.dumps({"dir": openrouter_vcr_config["cassette_library_dir"]}))
"""
    )

    result = pytester.runpytest_inprocess("-s", "-p", "no:recording")

    result.assert_outcomes(passed=1)
    assert _probe(result)["dir"] == str(pytester.path / "cassettes" / "test_probe")


@pytest.mark.parametrize(
    "conftest",
    [
        _OPT_IN,
        """
import pytest

@pytest.fixture(scope="module")
def vcr_config(openrouter_vcr_config):
    return openrouter_vcr_config
""",
    ],
    ids=["one-line-alias", "three-line-fixture"],
)
def test_a_conftest_opts_in_in_one_or_three_lines(
    pytester: pytest.Pytester, conftest: str
) -> None:
    pytester.makeini(_INI)
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_probe=_PROBE)

    result = pytester.runpytest_inprocess("-s")

    result.assert_outcomes(passed=2)
    probe = _probe(result)
    assert probe["plain"] == probe["keys"]
    assert "serializer" in probe["plain"]


def test_conftest_can_extend_the_openrouter_config(pytester: pytest.Pytester) -> None:
    pytester.makeini(_INI)
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="module")
def vcr_config(openrouter_vcr_config):
    return {**openrouter_vcr_config, "cassette_library_dir": "elsewhere"}
"""
    )
    pytester.makepyfile(
        test_probe="""
def test_probe(vcr_config):
    assert vcr_config["cassette_library_dir"] == "elsewhere"
    assert vcr_config["serializer"] == "yaml.gz"
"""
    )

    pytester.runpytest_inprocess().assert_outcomes(passed=1)


# ---------------------------------------------------------------- other APIs


def test_a_plain_vcrpy_cassette_of_another_api_keeps_working(
    pytester: pytest.Pytester,
) -> None:
    """The plugin is installed, nobody opted in: plain YAML replays and records."""
    pytester.makeini(_INI)
    cassette = pytester.path / "cassettes" / "test_other" / "test_other_api.yaml"
    cassette.parent.mkdir(parents=True)
    one = _plain_cassette("http://api.example.com/v1/one?id=1", '{"path": "/v1/one"}')
    cassette.write_text(yaml.safe_dump({"interactions": [one], "version": 1}))
    pytester.makepyfile(test_other=_OTHER_API_TEST)

    # Replay needs /v1/two too: record mode none refuses, as vcrpy would alone.
    pytester.runpytest_inprocess().assert_outcomes(failed=1)
    # new_episodes appends /v1/two to the user's plain YAML file.
    pytester.runpytest_inprocess("--record-mode=new_episodes").assert_outcomes(passed=1)
    pytester.runpytest_inprocess().assert_outcomes(passed=1)

    text = cassette.read_text()
    assert LOADED_MARK not in text
    data = yaml.safe_load(text)
    assert [i["request"]["uri"] for i in data["interactions"]] == [
        "http://api.example.com/v1/one?id=1",
        "http://api.example.com/v1/two",
    ]
    assert data["interactions"][0] == one, "the recorded interaction was rewritten"
    assert not list(pytester.path.rglob("*.yaml.gz"))


def test_other_api_with_its_own_conftest_config_is_untouched(
    pytester: pytest.Pytester,
) -> None:
    """A conftest's own vcr_config and plain YAML: nothing of ours is involved."""
    pytester.makeini(_INI)
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="module")
def vcr_config():
    return {"filter_headers": ["authorization"]}
"""
    )
    pytester.makepyfile(
        test_other=_OTHER_API_TEST,
        test_persister="""
import pytest

@pytest.mark.vcr
def test_persister_is_pytest_recordings(vcr):
    assert type(vcr._persister).__name__ == "CombinedPersister"
""",
    )

    pytester.runpytest_inprocess("--record-mode=once").assert_outcomes(passed=2)
    pytester.runpytest_inprocess("--record-mode=new_episodes").assert_outcomes(passed=2)

    cassette = pytester.path / "cassettes" / "test_other" / "test_other_api.yaml"
    text = cassette.read_text()
    assert LOADED_MARK not in text
    assert len(yaml.safe_load(text)["interactions"]) == 2


def test_the_hook_registers_yaml_gz_only_for_configs_that_use_it() -> None:
    ours = vcrpy.VCR(path_transformer=vcrpy.VCR.ensure_suffix(".yaml.gz"))
    plain = vcrpy.VCR(path_transformer=vcrpy.VCR.ensure_suffix(".yaml"))

    assert uses_yaml_gz(ours)
    assert not uses_yaml_gz(plain)
    assert not uses_yaml_gz(vcrpy.VCR())


# ---------------------------------------------------------------- recording


def test_opted_in_project_records_yaml_gz_and_replays_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(_INI)
    pytester.makeconftest(_OPT_IN)
    pytester.makepyfile(test_rec=_RECORDING_TEST)

    pytester.runpytest_inprocess("--record-mode=once").assert_outcomes(passed=1)
    cassette = pytester.path / "cassettes" / "test_rec" / "test_chat.yaml.gz"
    assert cassette.is_file()
    assert scan_cassette_for_secrets(cassette) == []

    pytester.runpytest_inprocess().assert_outcomes(passed=1)  # record mode none
    pytester.runpytest_inprocess("--record-mode=new_episodes").assert_outcomes(passed=1)
    assert LOADED_MARK.encode() not in gzip.decompress(cassette.read_bytes())
    cassette.unlink()
    pytester.runpytest_inprocess().assert_outcomes(failed=1)  # and never records


def test_plugin_fails_a_run_that_recorded_a_key(pytester: pytest.Pytester) -> None:
    pytester.makeini(_INI)
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="module")
def vcr_config(openrouter_vcr_config):
    return {**openrouter_vcr_config, "before_record_request": lambda request: request}
"""
    )
    pytester.makepyfile(test_rec=_RECORDING_TEST)

    result = pytester.runpytest_inprocess("--record-mode=once")

    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*key-like text in recorded cassettes*", "*authorization*OpenRouter key*"]
    )


# ---------------------------------------------------------------- the fixture


def test_the_emulator_explains_blocked_sockets(pytester: pytest.Pytester) -> None:
    """The quick start, under --disable-socket without the allow_hosts marker."""
    pytester.makeini(_INI)
    pytester.makepyfile(
        test_blocked="""
import pytest
from langchain_openrouter_free.testing import FakeOpenRouter

def test_blocked():
    with pytest.raises(RuntimeError, match=r"allow_hosts\\(\\[.127\\.0\\.0\\.1.\\]\\)"):
        FakeOpenRouter().start()

@pytest.mark.allow_hosts(["127.0.0.1"])
def test_allowed():
    with FakeOpenRouter() as fake:
        assert fake.port > 0
"""
    )

    # A subprocess: pytest-socket's patching must not touch this process.
    result = pytester.runpytest_subprocess("--disable-socket", "--allow-unix-socket")

    result.assert_outcomes(passed=2)


def test_written_cassettes_of_other_formats_are_not_scanned(
    pytester: pytest.Pytester,
) -> None:
    """Account-id-like text in another API's plain cassette is not our business."""
    pytester.makeini(_INI)
    pytester.makepyfile(
        test_other="""
import httpx, pytest

def handler(request):
    return httpx.Response(200, json={"owner": "user_2tsSIuSAxDMYKP7X6YbWZaK19xm"})

@pytest.mark.vcr
def test_other_api():
    c = httpx.Client(transport=httpx.MockTransport(handler))
    assert c.get("http://api.example.com/v1/me").status_code == 200
"""
    )

    result = pytester.runpytest_inprocess("--record-mode=once")

    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK


def test_the_documented_quick_start_runs_under_disable_socket(
    pytester: pytest.Pytester,
) -> None:
    """The quick start of ``langchain_openrouter_free.testing``, as written."""
    doc = testing.__doc__ or ""
    block = doc.split("Quick start::\n\n", 1)[1].split("\n\nThe emulator", 1)[0]
    pytester.makeini(_INI)
    pytester.makepyfile(test_quick_start=textwrap.dedent(block))

    result = pytester.runpytest_subprocess("--disable-socket", "--allow-unix-socket")

    result.assert_outcomes(passed=1)


_MISSING_CASSETTE_TEST = """
import httpx, pytest

@pytest.mark.vcr
def test_needs_a_cassette():
    httpx.get("https://openrouter.ai/api/v1/models")
"""


def test_a_missing_cassette_with_sockets_disabled_is_named(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(_INI)
    pytester.makeconftest(_OPT_IN)
    pytester.makepyfile(test_missing=_MISSING_CASSETTE_TEST)
    result = pytester.runpytest_inprocess("--record-mode=once", "--disable-socket")
    result.assert_outcomes(failed=1)
    cassette = pytester.path / "cassettes" / "test_missing" / "test_needs_a_cassette"
    output = result.stdout.str()
    assert f"cassette {cassette}.yaml.gz is missing" in output
    assert "--disable-socket" in output
