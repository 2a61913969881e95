"""Time and memory against input size for pathological and large inputs.

    python benchmarks/fuzz_scaling.py                   # 0.125 .. 1 MB, every shape and task: under 10 minutes
    python benchmarks/fuzz_scaling.py --big             # 2, 4 and 10 MB (10 MB of CR): much longer
    python benchmarks/fuzz_scaling.py --sizes 1 2 --shapes cr --tasks lint lsp

Shapes (each cut to the size asked, in MB):

* ``cr``: nothing but CR characters (one empty line per byte);
* ``script``: a realistic script, its config and vars lines repeated;
* ``config-add``: `config add` lines on one module (the interpreter keeps
  them in that module's configuration);
* ``fixes``: `time` instead of `times` on every line (one fix per line);
* ``long-line``: one `mod cmd UP1 times /allow 1,1,1,...` line without an
  ending;
* ``long-accented-line``: one `mod cmd UP1 check iresetn é#b5#b5...` line, a
  finding for each `#b5` (meta sequences are not expanded in a serial) on a
  line that is not ASCII: its columns in the editor's and SARIF's code units
  are counted, not taken as they are.

Tasks, one per face: ``lint`` (parse and every rule, what `innolint FILE`
does), ``fix`` (``apply_fixes`` with the unsafe fixes, what `innolint --fix
--unsafe-fixes` does), ``full`` (lint and the `full` report with its fix
previews), ``lsp`` (the language server: open the document, lint it, then
one typed character in the middle until its diagnostics are ready; the time
is the edit's) and ``poll`` (parse the script and run one poll of the
reference interpreter on it).  Each measurement runs in a fresh process
with a time-out and a cap on its address space (``--memory``: the machine
may be shared; a row that hits it shows `MemoryError`), so
the peak resident memory (``ru_maxrss``) is that task's own; it includes the
interpreter itself (about 30 MB).

The table has one row per shape, task and size: seconds, peak MB, and what
the task found (findings, fixes, report bytes, executed commands).  Below
each shape and task, the growth from its smallest to its largest size for
time and memory (above the empty input's): linear cost grows as the size does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

SHAPES = ("cr", "script", "config-add", "fixes", "long-line", "long-accented-line")
TASKS = ("lint", "fix", "full", "lsp", "poll")
SIZES = (0.125, 0.25, 0.5, 1)
BIG_SIZES = (2, 4, 10)

SCRIPT_HEAD = (
    "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
    "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/13r2/ip232.bin ser 13-5021837\n"
    "mod cmd UP1 check iresetn 2024-06-01\n"
)
SCRIPT_TAIL = b"config write\nconfig activate\niresetn\n"


def _cut(data: bytes, size: int) -> bytes:
    """``data`` cut at the last line ending within ``size`` bytes, the script's end after it."""
    return data[:size].rsplit(b"\n", 1)[0] + b"\n" + SCRIPT_TAIL


def make(shape: str, size: int) -> bytes:
    if shape == "cr":
        return b"\r" * size
    if shape == "long-line":
        return (b"mod cmd UP1 times /allow " + b"1," * size)[:size]
    if shape == "long-accented-line":
        return ("mod cmd UP1 check iresetn \u00e9".encode() + b"#b5" * size)[:size]
    if shape == "fixes":
        line = b"mod cmd UP1 time /allow 23,0,1\n"
        return (SCRIPT_HEAD.encode() + line * (size // len(line) + 1))[:size].rsplit(b"\n", 1)[0] + b"\n"
    if shape == "config-add":
        lines = b"".join(b"config add CMD0 /name Phone%%20%d /text x\n" % n for n in range(size // 30 + 1))
        return _cut(SCRIPT_HEAD.encode() + lines, size)
    body = b"config add CMD0 /name Lobby%20phone /text x\nvars create X509/REQUEST 0 x\n# a comment\n\n"
    return _cut(SCRIPT_HEAD.encode() + body * (size // len(body) + 1), size)


CHILD = r"""
import json, resource, sys, time
from innoscript.source import Source
from innoscript.lint import Settings, lint_source
task, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
start = time.perf_counter()
source = Source.from_bytes(data, "update-ip232.htm")
settings = Settings()
if task == "lint":
    found = len(lint_source(source, settings))
elif task == "fix":
    from innoscript.lint.fixes import apply_fixes
    outcome = apply_fixes(source, lambda s: lint_source(s, settings), unsafe=True)
    found = len(outcome.applied)
elif task == "full":
    from innoscript.lint.report import render
    from innoscript.lint.result import FileResult
    diagnostics = lint_source(source, settings)
    found = len(render("full", [FileResult(source.path, source, tuple(diagnostics))]))
elif task == "poll":
    from datetime import datetime
    from innoscript.device import MemoryFetcher, make_state, run_poll
    from innoscript.syntax import parse
    state = make_state("IP232", clock=datetime(2026, 1, 1, 0, 30))
    result = run_poll(state, MemoryFetcher(default=b""), script=parse(source), trace=False)
    found = f"{len(result.summary.executed)} lines run, stopped by {result.summary.stopped_by}"
else:  # lsp: the server's own path, in process; the time is one edit's
    import asyncio
    from lsprotocol import types as lsp
    from innoscript.lsp import server as module
    from innoscript.lsp.server import InnoServer

    async def edit():
        ls = InnoServer()
        ls.debounce = 0
        uri = "file:///tmp/innoscript-scaling/update-ip232.htm"
        text = source.text
        module.did_open(ls, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", 1, text)))
        await ls.snapshot(uri, linted=True)
        line = len(source.lines) // 2
        began = time.perf_counter()
        module.did_change(ls, lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)), text="x")]))
        snap = await ls.snapshot(uri, linted=True)
        return time.perf_counter() - began, len(snap.diagnostics)

    seconds, found = asyncio.run(edit())
    start = time.perf_counter() - seconds
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "found": found}))
"""


def measure(task: str, data: bytes, folder: str, timeout: float, memory_mb: float = 1500) -> dict:
    import resource

    path = os.path.join(folder, "update-ip232.htm")
    with open(path, "wb") as stream:
        stream.write(data)

    def limit() -> None:  # the machine is shared: a task that grows too far fails instead of swapping
        size = int(memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, task, path], capture_output=True, text=True, timeout=timeout, check=False,
            cwd=folder,  # not the checkout: `-c` puts the working folder first on the import path
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mb": float("nan"), "found": f"timeout ({timeout:g} s)"}
    if done.returncode:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "found": lines[-1][:60]}
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", help=f"sizes in MB (default {' '.join(map(str, SIZES))})")
    parser.add_argument("--big", action="store_true", help=f"the big sizes: {' '.join(map(str, BIG_SIZES))} MB")
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--timeout", type=float, default=120, help="seconds per measurement (default 120)")
    parser.add_argument("--memory", type=float, default=1500, help="address space per measurement, MB (default 1500)")
    args = parser.parse_args(argv)
    sizes = args.sizes or (BIG_SIZES if args.big else SIZES)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        # The interpreter, the modules and an empty document: what each task costs before any input.
        base = {task: measure(task, b"", folder, args.timeout, args.memory)["peak_mb"] for task in args.tasks}
        print("peak MB on an empty input: " + ", ".join(f"{task} {mb:.0f}" for task, mb in base.items()))
        print(f"{'shape':10} {'task':5} {'MB':>5} {'seconds':>8} {'peak MB':>8}  found")
        for shape in args.shapes:
            for task in args.tasks:
                rows = []
                for size in sizes:
                    row = measure(task, make(shape, int(size * 1_000_000)), folder, args.timeout, args.memory)
                    rows.append(row)
                    print(f"{shape:10} {task:5} {size:5g} {row['seconds']:8.2f} {row['peak_mb']:8.0f}  {row['found']}", flush=True)
                    if row["seconds"] != row["seconds"] or row["seconds"] == float("inf"):
                        break  # a failure, the memory limit or a time-out: bigger sizes only take more
                first, last = rows[0], rows[-1]
                if len(rows) > 1 and first["seconds"] and math.isfinite(last["seconds"]):
                    grown = (last["peak_mb"] - base[task]) / max(first["peak_mb"] - base[task], 1)
                    print(f"{'':16} x{sizes[len(rows) - 1] / sizes[0]:g} size: time x{last['seconds'] / first['seconds']:.1f}, "
                          f"memory above the empty input x{grown:.1f}", flush=True)
    print(f"({time.perf_counter() - began:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
