"""Shared helpers: generate the benchmark corpus and time processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GENERATOR_CANDIDATES = [
    Path(os.environ.get("INNOSCRIPT_CORPUS_GENERATOR", "")),
    Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py",
]


def generator() -> Path:
    for candidate in GENERATOR_CANDIDATES:
        if candidate.is_file():
            return candidate
    sys.exit("gen_corpus.py not found: set INNOSCRIPT_CORPUS_GENERATOR")


def corpus(root: Path, name: str, files: int, lines: int) -> Path:
    """`gen_corpus.py root/name files lines`, once."""
    out = root / name
    if not out.exists():
        subprocess.run([sys.executable, str(generator()), str(out), str(files), str(lines)], check=True)
    return out


def median_seconds(cmd: list[str], runs: int = 11, **kwargs) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bin_path(name: str) -> str:
    return str(Path(sys.executable).with_name(name))
