"""scripts/record_cassettes.py keeps committed cassettes when a recording fails.

``--record-mode=rewrite`` deletes a test's cassette before the test runs; a
test that then fails (a 429 part-way through ``--live``) would leave nothing,
or a partial recording. The script backs the cassettes up and puts back those
of failed tests. These tests drive the restore logic with a fake recording
run (no pytest subprocess, no network).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "record_cassettes.py"
STANDARD = "tests.integration_tests.test_standard.TestChatOpenRouterFreeIntegration"
CHAT = "tests.integration_tests.test_chat_models"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("record_cassettes", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("record_cassettes", module)
    spec.loader.exec_module(module)
    return module


def _junit(path: Path, cases: list[tuple[str, str, str | None]]) -> Path:
    """A pytest-style JUnit report: (classname, name, None|failure|error|skipped)."""
    rows = []
    for classname, name, outcome in cases:
        inner = f"<{outcome} message='x'/>" if outcome else ""
        rows.append(
            f'<testcase classname="{classname}" name="{name}">{inner}</testcase>'
        )
    path.write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="pytest">'
        + "".join(rows)
        + "</testsuite></testsuites>"
    )
    return path


@pytest.mark.parametrize(
    ("classname", "name", "expected"),
    [
        (CHAT, "test_invoke", "test_chat_models/test_invoke.yaml.gz"),
        (
            STANDARD,
            "test_stream[model0]",
            "test_standard/TestChatOpenRouterFreeIntegration.test_stream[model0].yaml.gz",
        ),
        (
            "tests.integration_tests.test_agents",
            'test_loop[a/b:c "x"]',
            "test_agents/test_loop[a-b-c -x-].yaml.gz",
        ),
        ("tests.conftest", "setup", None),
    ],
)
def test_a_test_maps_to_its_cassette(
    script: ModuleType, classname: str, name: str, expected: str | None
) -> None:
    assert script.cassette_for_test(classname, name) == expected


def test_failed_and_errored_tests_are_read_from_the_report(
    script: ModuleType, tmp_path: Path
) -> None:
    report = _junit(
        tmp_path / "report.xml",
        [
            (CHAT, "test_ok", None),
            (CHAT, "test_429_midway", "failure"),
            (CHAT, "test_setup_broke", "error"),
            (STANDARD, "test_anthropic_inputs", "skipped"),  # an xfail
        ],
    )

    assert script.failed_cassettes(report) == {
        "test_chat_models/test_429_midway.yaml.gz",
        "test_chat_models/test_setup_broke.yaml.gz",
    }
    assert script.failed_cassettes(tmp_path / "missing.xml") is None
    (tmp_path / "broken.xml").write_text("<testsuites><testcase")
    assert script.failed_cassettes(tmp_path / "broken.xml") is None


def test_plan_restores_failed_and_vanished_cassettes(script: ModuleType) -> None:
    backed_up = {"m/passed.yaml.gz", "m/failed.yaml.gz", "m/vanished.yaml.gz"}
    present = {"m/passed.yaml.gz", "m/failed.yaml.gz", "m/new_failed.yaml.gz"}
    present |= {"m/new_passed.yaml.gz"}
    failed = {"m/failed.yaml.gz", "m/new_failed.yaml.gz"}

    plan = script.plan_restore(backed_up, present, failed)

    assert plan.restore == ("m/failed.yaml.gz", "m/vanished.yaml.gz")
    assert plan.remove == ("m/new_failed.yaml.gz",)
    everything = script.plan_restore(backed_up, present, None)
    assert everything.restore == tuple(sorted(backed_up))
    assert everything.remove == ()
    assert script.plan_restore(backed_up, backed_up, set()) == script.RestorePlan()


def test_a_run_capped_part_way_keeps_the_committed_cassettes(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A live run capped part-way (daily limit), with a fake recording run."""
    cassettes = tmp_path / "cassettes"
    (cassettes / "test_chat_models").mkdir(parents=True)
    for name in ("test_a", "test_b", "test_c"):
        (cassettes / "test_chat_models" / f"{name}.yaml.gz").write_bytes(
            b"old " + name.encode()
        )

    def record(args: list[str]) -> int:
        """Rewrite mode: a and b re-recorded, b and the new d hit the daily cap."""
        report = Path(
            next(a for a in args if a.startswith("--junitxml=")).split("=", 1)[1]
        )
        folder = cassettes / "test_chat_models"
        for name in ("test_a", "test_b", "test_c"):
            (folder / f"{name}.yaml.gz").unlink()
        (folder / "test_a.yaml.gz").write_bytes(b"new test_a")
        (folder / "test_b.yaml.gz").write_bytes(b"partial test_b")
        (folder / "test_d.yaml.gz").write_bytes(b"partial test_d")
        _junit(
            report,
            [
                (CHAT, "test_a", None),
                (CHAT, "test_b", "failure"),
                (CHAT, "test_c", "error"),
                (CHAT, "test_d", "failure"),
            ],
        )
        return 1

    code = script.record_safely(record, ["-k", "x"], cassettes)

    assert code == 1
    folder = cassettes / "test_chat_models"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "test_a.yaml.gz": b"new test_a",
        "test_b.yaml.gz": b"old test_b",
        "test_c.yaml.gz": b"old test_c",
    }
    out = capsys.readouterr().out
    assert "restored test_chat_models/test_b.yaml.gz" in out
    assert "restored test_chat_models/test_c.yaml.gz" in out
    assert "removed test_chat_models/test_d.yaml.gz" in out


def test_an_interrupted_run_without_a_report_restores_everything(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassettes = tmp_path / "cassettes"
    (cassettes / "m").mkdir(parents=True)
    (cassettes / "m" / "test_a.yaml.gz").write_bytes(b"old")

    def record(args: list[str]) -> int:
        (cassettes / "m" / "test_a.yaml.gz").write_bytes(b"half")
        return 2  # pytest: interrupted, no report written

    assert script.record_safely(record, [], cassettes) == 2
    assert (cassettes / "m" / "test_a.yaml.gz").read_bytes() == b"old"
    assert "no pytest report" in capsys.readouterr().out
