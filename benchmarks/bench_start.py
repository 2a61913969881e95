"""Cold start of `innolint` on one 50-line script against shellcheck on a 50-line shell script.

Run by hand:  python benchmarks/bench_start.py
Needs hyperfine and shellcheck (apt-get install hyperfine shellcheck).  Bytecode
caching stays on (PYTHONDONTWRITEBYTECODE is removed: users' Pythons cache
bytecode); each command is warmed up first.  Prints the medians, the CPU time
(user + system, steadier on a busy machine) and the ratios; the target is
innolint <= 1.5x shellcheck.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _corpus import bin_path, corpus


def main() -> int:
    for tool in ("hyperfine", "shellcheck"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install hyperfine shellcheck)", file=sys.stderr)
            return 2
    innolint = bin_path("innolint")
    with tempfile.TemporaryDirectory() as folder:
        script = next(corpus(Path(folder), "one", 1, 50).rglob("*.htm"))  # gen_corpus.py FOLDER 1 50
        shell = Path(folder, "script.sh")
        shell.write_text("#!/bin/sh\nset -e\n" + "".join(f'echo "line {n}" > "/tmp/x{n}.txt"\n' for n in range(48)))
        result = Path(folder, "result.json")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(["hyperfine", "-N", "-w", "5", "-r", "40", "-i", "--export-json", str(result),
                        f"shellcheck {shell}", f"{innolint} --no-cache {script}"],
                       env=env, check=True, capture_output=True)
        rows = json.loads(result.read_text())["results"]
    medians = [row["median"] * 1000 for row in rows]
    cpu = [(row["user"] + row["system"]) * 1000 for row in rows]
    for row, median, used in zip(rows, medians, cpu):
        print(f"{median:7.1f} ms median  {used:6.1f} ms cpu  {row['command'].split()[0].rsplit('/', 1)[-1]}")
    print(f"innolint / shellcheck: {medians[1] / medians[0]:.2f}x median, {cpu[1] / cpu[0]:.2f}x cpu (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
