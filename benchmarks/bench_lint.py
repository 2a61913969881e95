"""innolint timings (run by hand): `python benchmarks/bench_lint.py [WORK_DIR] [--cache-only]`.

Run it with byte-code caching on (PYTHONDONTWRITEBYTECODE unset; set
PYTHONPYCACHEPREFIX to keep the tree clean), else every process recompiles
the package and the cold numbers measure the compiler.  The cache is keyed
on the linter's own files: editing them between runs empties it.

- one 50-line file, cold process: median of several `innolint` runs (target 45 ms)
- 2,000 files x 50 lines: cold cache and warm cache (targets 1.5 s / 0.3 s), each
  also as a ratio to the Python floor measured in the same run (read and split
  every file: what any Python linter pays before it looks at a line)
- the same, one process versus a process pool (does the pool pay?)
  (`--cache-only`: only the 2,000-file cold and warm rows, one process)
- one 100,000-line file: lines per second (target 50k lines/s)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import bin_path, corpus, median_seconds  # noqa: E402


os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # users' Pythons cache bytecode

FLOOR = (
    "import os, sys\n"
    "for root, _, files in os.walk(sys.argv[1]):\n"
    "    for name in files:\n"
    "        with open(os.path.join(root, name), 'rb') as handle:\n"
    "            handle.read().decode('utf-8', 'replace').splitlines()\n"
)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def warm_and_cold(innolint: str, many: Path, cache: Path, variants) -> None:
    """The 2,000-file rows: a cold cache, then warm runs alternating with the floor."""
    floor_cmd = [sys.executable, "-c", FLOOR, str(many)]
    for label, extra in variants:
        shutil.rmtree(cache, ignore_errors=True)
        command = [innolint, "--cache-dir", str(cache), *extra, str(many)]
        cold = timed(command)
        floor_cold = timed(floor_cmd)
        # Warm runs and the floor alternate, so that both see the same load.
        warm_times, floor_times = [], []
        for _ in range(7):
            warm_times.append(timed(command))
            floor_times.append(timed(floor_cmd))
        warm, floor = statistics.median(warm_times), statistics.median(floor_times)
        print(f"2,000 files x 50 lines, {label}: cold cache {cold:.2f} s ({cold / floor_cold:.1f}x the floor, "
              f"target 9x), warm cache {warm:.3f} s (target 0.3 s; {warm / floor:.1f}x the floor of {floor:.3f} s)")


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--cache-only"]
    cache_only = len(args) != len(sys.argv) - 1
    work = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="innolint-bench-"))
    innolint = bin_path("innolint")
    many = corpus(work, "many", 2000, 50)
    if cache_only:
        warm_and_cold(innolint, many, work / "cache", (("one process", ["--jobs", "1"]),))
        return
    one = corpus(work, "one", 1, 50)
    big = corpus(work, "big", 1, 100000)
    one_file = next(p for p in sorted(one.rglob("*")) if p.is_file())
    big_file = next(p for p in sorted(big.rglob("*")) if p.is_file())

    cold_one = median_seconds([innolint, "--no-cache", str(one_file)])
    baseline = median_seconds([sys.executable, "-c", "pass"])
    print(f"one 50-line file, cold process: {cold_one * 1000:.0f} ms (python -c pass: {baseline * 1000:.0f} ms)")

    warm_and_cold(innolint, many, work / "cache", (("one process", ["--jobs", "1"]), ("pool of 2", ["--jobs", "2"])))
    nocache = timed([innolint, "--no-cache", str(many)])
    print(f"2,000 files x 50 lines, --no-cache, default --jobs: {nocache:.2f} s")

    lines = sum(1 for _ in big_file.open("rb"))
    seconds = timed([innolint, "--no-cache", str(big_file)])
    print(f"{lines:,}-line file: {seconds:.2f} s, {lines / seconds:,.0f} lines/s (process included)")


if __name__ == "__main__":
    main()
