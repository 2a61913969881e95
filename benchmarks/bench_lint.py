"""innolint timings (run by hand): `python benchmarks/bench_lint.py [WORK_DIR]`.

Run it with byte-code caching on (PYTHONDONTWRITEBYTECODE unset; set
PYTHONPYCACHEPREFIX to keep the tree clean), else every process recompiles
the package and the cold numbers measure the compiler.  The cache is keyed
on the linter's own files: editing them between runs empties it.

- one 50-line file, cold process: median of several `innolint` runs (target 45 ms)
- 2,000 files x 50 lines: cold cache and warm cache (targets 1.5 s / 0.3 s)
- the same, one process versus a process pool (does the pool pay?)
- one 100,000-line file: lines per second (target 50k lines/s)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import bin_path, corpus, median_seconds  # noqa: E402


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="innolint-bench-"))
    innolint = bin_path("innolint")
    one = corpus(work, "one", 1, 50)
    many = corpus(work, "many", 2000, 50)
    big = corpus(work, "big", 1, 100000)
    one_file = next(p for p in sorted(one.rglob("*")) if p.is_file())
    big_file = next(p for p in sorted(big.rglob("*")) if p.is_file())

    cold_one = median_seconds([innolint, "--no-cache", str(one_file)])
    baseline = median_seconds([sys.executable, "-c", "pass"])
    print(f"one 50-line file, cold process: {cold_one * 1000:.0f} ms (python -c pass: {baseline * 1000:.0f} ms)")

    cache = work / "cache"
    results = {}
    for label, extra in (("one process", ["--jobs", "1"]), ("pool of 2", ["--jobs", "2"])):
        shutil.rmtree(cache, ignore_errors=True)
        cold = timed([innolint, "--cache-dir", str(cache), *extra, str(many)])
        warm = min(timed([innolint, "--cache-dir", str(cache), *extra, str(many)]) for _ in range(3))
        results[label] = (cold, warm)
        print(f"2,000 files x 50 lines, {label}: cold cache {cold:.2f} s, warm cache {warm:.2f} s")
    nocache = timed([innolint, "--no-cache", str(many)])
    print(f"2,000 files x 50 lines, --no-cache, default --jobs: {nocache:.2f} s")

    lines = sum(1 for _ in big_file.open("rb"))
    seconds = timed([innolint, "--no-cache", str(big_file)])
    print(f"{lines:,}-line file: {seconds:.2f} s, {lines / seconds:,.0f} lines/s (process included)")


if __name__ == "__main__":
    main()
