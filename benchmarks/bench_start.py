"""Cold start of `innolint` on one 50-line script against shellcheck on a 50-line shell script.

Run by hand:  python benchmarks/bench_start.py [--baseline OTHER_INNOLINT]
Needs hyperfine and shellcheck (apt-get install hyperfine shellcheck).  Bytecode
caching stays on (PYTHONDONTWRITEBYTECODE is removed: users' Pythons cache
bytecode); each command is warmed up first.  Prints the medians, the user CPU
time (steadier on a busy machine than the wall time), the CPU time (user +
system) and the ratios; the target is innolint <= 1.5x shellcheck.  The
interpreter's own start (`python -c pass`, site included) is the floor no
Python tool goes below.  ``--baseline`` times another build's innolint (say,
the main checkout's) in the same run, so that a change is a ratio measured
in one minute, not two numbers from two loads of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _corpus import bin_path, corpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="another innolint executable to time in the same run")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
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
        commands = [("shellcheck", f"shellcheck {shell}"), ("innolint", f"{innolint} --no-cache {script}"),
                    ("python -c pass", f"{sys.executable} -c pass")]
        if args.baseline:
            commands.append(("baseline innolint", f"{args.baseline} --no-cache {script}"))
        subprocess.run(["hyperfine", "-N", "-w", "5", "-r", str(args.runs), "-i", "--export-json", str(result),
                        *[command for _, command in commands]], env=env, check=True, capture_output=True)
        rows = dict(zip((name for name, _ in commands), json.loads(result.read_text())["results"]))
    for name, row in rows.items():
        print(f"{row['median'] * 1000:7.1f} ms median  {row['user'] * 1000:6.1f} ms user  "
              f"{(row['user'] + row['system']) * 1000:6.1f} ms cpu  {name}")

    def ratios(name: str, peer: str) -> str:
        mine, theirs = rows[name], rows[peer]
        return (f"{mine['median'] / theirs['median']:.2f}x median, {mine['user'] / theirs['user']:.2f}x user, "
                f"{(mine['user'] + mine['system']) / (theirs['user'] + theirs['system']):.2f}x cpu")

    print(f"innolint / shellcheck: {ratios('innolint', 'shellcheck')} (target <= 1.5x)")
    if args.baseline:
        print(f"innolint / baseline innolint: {ratios('innolint', 'baseline innolint')}")
        print(f"baseline innolint / shellcheck: {ratios('baseline innolint', 'shellcheck')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
