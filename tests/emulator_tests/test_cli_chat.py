"""`openrouter-free chat` with a prompt, through the installed console script.

The emulator runs in this process; the command runs as a real subprocess with
OPENROUTER_BASE_URL pointing at it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from langchain_openrouter_free.testing import FakeOpenRouter, FakeReply, Fault
from langchain_openrouter_free.testing._fake_assets import stand_in_png
from tests.unit_tests._cli_runner import cli_env, run_console_script

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
GEMMA = "google/gemma-3-27b-it:free"
TEXT_ONLY = "meta-llama/llama-3.3-70b-instruct:free"


def chat(fake: FakeOpenRouter, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = cli_env(OPENROUTER_BASE_URL=fake.base_url, OPENROUTER_API_KEY=KEY)
    return run_console_script("chat", *args, env=env, stdin=stdin)


def test_one_prompt_streams_reasoning_then_the_answer_and_a_footer(
    fake: FakeOpenRouter,
) -> None:
    fake.add_replies(
        FakeReply("Two, three, five.", reasoning="Primes are...", model=GEMMA)
    )
    result = chat(
        fake,
        "Name three primes.",
        "--model",
        GEMMA,
        "--system",
        "Be brief.",
        "--temperature",
        "0.2",
        "--max-tokens",
        "50",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Primes are..."
    assert "Two, three, five." in lines
    assert lines.index("Two, three, five.") > 0
    footer = lines[-1].split(" · ")
    assert footer[0] == GEMMA
    assert footer[1].startswith("7 in, 5 out tokens")
    assert footer[1].endswith(" out tokens (2 reasoning)")
    assert footer[2] == "$0"
    assert footer[3].endswith(" s")
    (request,) = fake.chat_requests
    body = request.json
    assert body["stream"] is True
    assert body["model"] == GEMMA
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 50
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name three primes."},
    ]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in result.stdout + result.stderr


def test_prompt_piped_on_stdin(fake: FakeOpenRouter) -> None:
    result = chat(fake, stdin="Summarise this:\nline two\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("You said: Summarise this:\nline two\n")
    (request,) = fake.chat_requests
    assert request.json["model"] == "openrouter/free"


def test_json_schema_file_gives_a_structured_answer(
    fake: FakeOpenRouter, tmp_path: Path
) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    schema_file = tmp_path / "person.json"
    schema_file.write_text(json.dumps(schema))
    result = chat(fake, "--json", str(schema_file), "Invent one.")
    assert result.returncode == 0, result.stderr
    answer, footer = result.stdout.rsplit("}\n", 1)
    assert json.loads(answer + "}") == {"name": "test", "age": 1}
    assert footer.split(" · ")[0] == TEXT_ONLY  # the router's pick
    (request,) = fake.chat_requests
    response_format = request.json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "person"
    assert response_format["json_schema"]["schema"]["required"] == ["name", "age"]


@pytest.mark.parametrize(
    ("content", "error"),
    [("{not json", "is not a readable JSON file"), ("[1]", "holds list")],
)
def test_bad_schema_file_is_a_usage_error(
    fake: FakeOpenRouter, tmp_path: Path, content: str, error: str
) -> None:
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(content)
    result = chat(fake, "--json", str(schema_file), "hi")
    assert result.returncode == 2
    assert error in result.stderr
    assert "Traceback" not in result.stderr
    assert fake.chat_requests == []


def test_image_is_sent_as_a_data_url(fake: FakeOpenRouter, tmp_path: Path) -> None:
    image = tmp_path / "square.png"
    image.write_bytes(stand_in_png())
    result = chat(fake, "--image", str(image), "--model", GEMMA, "What is it?")
    assert result.returncode == 0, result.stderr
    (request,) = fake.chat_requests
    text, picture = request.json["messages"][0]["content"]
    assert text == {"type": "text", "text": "What is it?"}
    url = picture["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.partition(",")[2]) == stand_in_png()


def test_image_for_a_text_only_model_is_refused_before_sending(
    fake: FakeOpenRouter, tmp_path: Path
) -> None:
    image = tmp_path / "square.png"
    image.write_bytes(stand_in_png())
    result = chat(fake, "--image", str(image), "--model", TEXT_ONLY, "What is it?")
    assert result.returncode == 2
    assert f"{TEXT_ONLY} does not accept images" in result.stderr
    assert "openrouter-free models --input image" in result.stderr
    assert fake.chat_requests == []


def test_missing_key_explains_how_to_get_one_or_serve(fake: FakeOpenRouter) -> None:
    result = run_console_script("chat", "hi", env=cli_env())  # openrouter.ai, no key
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message  # one paragraph, no traceback
    assert "OPENROUTER_API_KEY is not set" in message
    assert "https://openrouter.ai" in message
    assert "openrouter-free serve" in message
    assert fake.chat_requests == []


def test_the_emulator_needs_no_key(fake: FakeOpenRouter) -> None:
    result = run_console_script(
        "chat", "hi", env=cli_env(OPENROUTER_BASE_URL=fake.base_url)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("You said: hi\n")
    (request,) = fake.chat_requests
    assert "authorization" not in request.headers


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.unauthorized(reason="invalid"), "User not found"),
        (Fault.daily_cap(), "free-models-per-day"),
    ],
)
def test_api_error_is_one_line_without_the_key(
    fake: FakeOpenRouter, fault: Fault, expected: str
) -> None:
    fake.add_replies(fault)
    result = chat(fake, "hi")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("openrouter-free: ")
    assert expected in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_paid_model_is_refused_before_sending(fake: FakeOpenRouter) -> None:
    result = chat(fake, "--model", "openai/gpt-4o", "hi")
    assert result.returncode == 1
    assert "openai/gpt-4o" in result.stderr
    assert result.stderr.count("\n") == 1
    assert fake.chat_requests == []


def test_out_of_range_options_are_usage_errors(fake: FakeOpenRouter) -> None:
    result = chat(fake, "--temperature", "3", "hi")
    assert result.returncode == 2
    assert "--temperature" in result.stderr
    assert fake.chat_requests == []


def test_model_ids_complete_in_the_shell() -> None:
    env = cli_env(
        _OPENROUTER_FREE_COMPLETE="bash_complete",
        COMP_WORDS="openrouter-free chat --model google/gemma-3",
        COMP_CWORD="3",
    )
    result = run_console_script(env=env)
    assert result.returncode == 0, result.stderr
    values = [line.split(",", 1)[1] for line in result.stdout.splitlines()]
    assert GEMMA in values
    assert all(v.startswith("google/gemma-3") for v in values)


def test_answer_text_is_printed_literally(fake: FakeOpenRouter) -> None:
    text = "Use :smile: or [bold]this[/bold] as is."
    fake.add_replies(FakeReply(text, reasoning="[dim] :x: [/dim]"))
    result = chat(fake, "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"[dim] :x: [/dim]\n\n{text}\n")
