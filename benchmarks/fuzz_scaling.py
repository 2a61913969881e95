"""Time and memory against input size for pathological and large inputs.

    python benchmarks/fuzz_scaling.py                       # 1, 2, 4, 8 MB, every shape
    python benchmarks/fuzz_scaling.py --sizes 1 2 --shapes cr --tasks lint

Shapes (each cut to the size asked, in MB):

* ``cr``: nothing but CR characters (one empty line per byte);
* ``script``: a realistic script, its config lines repeated;
* ``fixes``: `time` instead of `times` on every line (one fix per line);
* ``long-line``: one line without an ending.

Tasks: ``lint`` (parse and every rule, what `innolint FILE` does), ``fix``
(``apply_fixes`` with the unsafe fixes, what `innolint --fix
--unsafe-fixes` does) and ``full`` (lint and the `full` report with fix
previews).  Each measurement runs in a fresh process, so the peak resident
memory (``ru_maxrss``) is that task's own.  The output is a table: seconds
and peak MB per size, and the ratio of the largest to the smallest size for
both (linear: the ratio of the sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

SHAPES = ("cr", "script", "fixes", "long-line")
TASKS = ("lint", "fix", "full")

SCRIPT_HEAD = (
    "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
    "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/13r2/ip232.bin ser 13-5021837\n"
    "mod cmd UP1 check iresetn 2024-06-01\n"
)


def make(shape: str, size: int) -> bytes:
    if shape == "cr":
        return b"\r" * size
    if shape == "long-line":
        return (b"mod cmd UP1 times /allow " + b"1," * size)[:size]
    if shape == "fixes":
        line = b"mod cmd UP1 time /allow 23,0,1\n"
        return (SCRIPT_HEAD.encode() + line * (size // len(line) + 1))[:size].rsplit(b"\n", 1)[0] + b"\n"
    body = b"config add CMD0 /name Lobby%20phone /text x\nvars create X509/REQUEST 0 x\n# a comment\n\n"
    data = SCRIPT_HEAD.encode() + body * (size // len(body) + 1)
    return data[:size].rsplit(b"\n", 1)[0] + b"\nconfig write\nconfig activate\niresetn\n"


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
else:
    from innoscript.lint.report import render
    from innoscript.lint.result import FileResult
    diagnostics = lint_source(source, settings)
    found = len(render("full", [FileResult(source.path, source, tuple(diagnostics))]))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "found": found}))
"""


def measure(task: str, data: bytes, folder: str, timeout: float) -> dict:
    path = os.path.join(folder, "update-ip232.htm")
    with open(path, "wb") as stream:
        stream.write(data)
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, task, path], capture_output=True, text=True, timeout=timeout, check=False,
            cwd=folder,  # not the checkout: `-c` puts the working folder first on the import path
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mb": float("nan"), "found": "timeout"}
    if done.returncode:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "found": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8], help="sizes in MB (default 1 2 4 8)")
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--timeout", type=float, default=600, help="seconds per measurement (default 600)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'shape':10} {'task':5} " + " ".join(f"{s:>7g}MB" for s in args.sizes) + "   time ratio  memory ratio")
        for shape in args.shapes:
            for task in args.tasks:
                rows = [measure(task, make(shape, int(size * 1_000_000)), folder, args.timeout) for size in args.sizes]
                cells = " ".join(f"{r['seconds']:6.1f}s {r['peak_mb']:5.0f}MB" for r in rows)
                first, last = rows[0], rows[-1]
                time_ratio = last["seconds"] / first["seconds"] if first["seconds"] else float("nan")
                memory_ratio = last["peak_mb"] / first["peak_mb"] if first["peak_mb"] else float("nan")
                print(f"{shape:10} {task:5} {cells}   x{time_ratio:.1f}  x{memory_ratio:.1f}", flush=True)
    print(f"(size ratio x{args.sizes[-1] / args.sizes[0]:g}: linear cost grows by the same factor)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
