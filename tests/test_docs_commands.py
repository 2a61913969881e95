"""Every command README.md and docs/*.md mark as runnable runs as shown.

A fenced block right after the line ``<!-- runnable -->`` is run in a copy of
``examples/`` (so `--fix` changes nothing here), with this environment's
console scripts first on PATH, no colour and no CI variables:

* in a ``console`` block, ``$ command`` lines are commands and the lines up
  to the next ``$`` are their output (standard output and error together),
  compared exactly; a line ``...`` stands for any number of lines, and
  ``/.../`` inside a line for a folder path (``a/.../x`` matches
  ``a/tmp/w/x`` but not ``a//tmp/w/x``).  ``echo $?``
  prints the previous command's exit status;
* in an ``sh`` block every line is a command; none may end in a traceback or
  exit with status 2 or more (1 is "findings").

``<!-- runnable: server -->`` marks one command that starts a server: it must
say that it is serving within 20 s, and is then stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!-- runnable(?:: (?P<kind>[a-z]+))? -->\n```(?P<lang>\w+)[^\n]*\n(?P<body>.*?)^```", re.M | re.S)


def blocks() -> list[tuple[str, str, str, str]]:
    """(id, kind, language, body) of every marked block."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for number, match in enumerate(MARKER.finditer(text), 1):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{document.relative_to(ROOT)}:{line}", match["kind"] or "", match["lang"], match["body"]))
    return found


BLOCKS = blocks()


def test_the_documents_mark_their_commands():
    marked = {block_id.split(":")[0] for block_id, *_ in BLOCKS}
    assert {"README.md", "docs/innolint.md", "docs/fmt.md", "docs/formats.md"} <= marked


@pytest.fixture()
def workdir(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def shell(command: str, cwd: Path, status: int) -> subprocess.CompletedProcess:
    # `(exit N)` so that `echo $?` sees the previous status; both streams in the order written
    script = f"(exit {status}); {{ {command}\n}} 2>&1"
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=environment(), capture_output=True, text=True,
                          timeout=240)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; `...` matches any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and same_line(expected[0], actual[0]) and matches(expected[1:], actual[1:])


def same_line(expected: str, actual: str) -> bool:
    if "/.../" not in expected:
        return expected == actual
    pattern = "/[^/].*/".join(re.escape(part) for part in expected.split("/.../"))
    return re.fullmatch(pattern, actual) is not None


@pytest.mark.parametrize("block_id,kind,lang,body", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_runnable_block(block_id, kind, lang, body, workdir):
    if kind == "server":
        return run_server(body.strip(), workdir)
    if lang == "console":
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line.rstrip())
    else:
        steps = [(line, []) for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    status = 0
    for command, expected in steps:
        result = shell(command, workdir, status)
        output = result.stdout.rstrip("\n").splitlines()
        assert "Traceback" not in result.stdout, (command, result.stdout)
        if lang == "console" and expected:
            assert matches(expected, [line.rstrip() for line in output]), (command, "\n".join(output))
        elif not command.startswith("echo"):
            assert result.returncode in (0, 1), (command, result.returncode, result.stdout)
        status = result.returncode


def run_server(command: str, workdir: Path) -> None:
    command = command.removeprefix("$ ")
    words = command.split() + ["--port", "0"]  # a free port: the documented one may be taken
    process = subprocess.Popen(words, cwd=workdir, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stderr.readline()
            if "serving" in line:
                break
        assert "serving" in line and "http://127.0.0.1:" in line, (command, line, process.poll())
    finally:
        process.terminate()
        process.wait(timeout=10)
