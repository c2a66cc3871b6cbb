"""Run example programs each in a fresh process, without paying the imports each time.

``python -m tests.docs_tests._zygote`` imports the heavy modules once, then
reads one JSON job per line on stdin (``argv``, ``cwd``, ``env``, ``log``) and
forks a child per job: the child runs ``argv`` as ``python ARGV`` would (a
file, or ``-m MODULE ARGS``) with that working directory and environment, its
output going to ``log``; the parent answers ``{"status": N}`` on stdout. A forked child starts from the state of
an interpreter that only imported modules, so no example sees another's
process-wide state. The zygote starts no thread, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from typing import Any

PRELOAD = (
    "langchain_core.messages",
    "langchain_core.prompts",
    "langchain_core.tools",
    "langchain_openrouter_free",
    "langchain_openrouter_free.chat_models",
    "langchain_openrouter_free.testing",
    "langchain.agents",
    "langgraph.graph",
    "pydantic",
)


def _child(job: dict[str, Any]) -> int:
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    argv: list[str] = job["argv"]
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(argv)
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main() -> None:
    """Preload, then serve jobs until stdin closes."""
    for name in PRELOAD:
        __import__(name)
    while line := sys.stdin.readline():
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            status = _child(job)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        reply = {"status": os.waitstatus_to_exitcode(wait_status)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
