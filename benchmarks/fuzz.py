"""Long fuzzing run: many mutated scripts through parse, lint, fmt, fix and the interpreter.

    python benchmarks/fuzz.py --inputs 20000            # counts per kind of failure
    python benchmarks/fuzz.py --inputs 2000 --seed 7 --save tests/regressions/fuzz
    python benchmarks/fuzz.py --inputs 5000 --seed 3 --cli-batch 0   # no command line runs

The inputs and the properties are the test suite's (tests/fuzzing.py); the
suite runs a few hundred of them, this runs as many as asked and counts
instead of stopping at the first failure.  The library, the language server
(against an editor model) and, a batch of inputs per run, the command lines
(``innolint``, ``innolint --fix --unsafe-fixes``, ``innoscript fmt``; not with
``--cli-batch 0``).  ``--save DIR`` keeps each failing input as
``DIR/<kind>-<hash>.bin`` (the first few per kind; the messages beside it
in ``.txt``), ready to become a regression example that
``tests/test_fuzz_regressions.py`` runs.

Prints one line per kind: crashes, meaning changes, lost lines, ... all
must be 0.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

import fuzzing  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=2000, help="number of inputs (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--save", metavar="DIR", help="keep failing inputs in this folder")
    parser.add_argument("--keep", type=int, default=5, help="inputs kept per kind of failure (default 5)")
    parser.add_argument("--no-interpreter", action="store_true", help="skip the interpreter's properties")
    parser.add_argument("--no-lsp", action="store_true", help="skip the language server's properties")
    parser.add_argument("--cli-batch", type=int, default=500, metavar="N",
                        help="inputs per command line run (default 500; 0: no command line runs)")
    args = parser.parse_args(argv)

    counts: Counter = Counter()
    examples: dict[str, str] = {}
    kept: Counter = Counter()
    sizes = Counter()
    started = time.perf_counter()
    batch: list[bytes] = []
    slowest = [0.0, 0]  # seconds, bytes of the slowest input

    def record(data: bytes, failures: list) -> None:
        for kind in {f.kind for f in failures}:
            counts[kind] += 1
            message = next(f.message for f in failures if f.kind == kind)
            examples.setdefault(kind, message)
            if args.save and kept[kind] < args.keep:
                kept[kind] += 1
                os.makedirs(args.save, exist_ok=True)
                name = f"{kind}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
                with open(os.path.join(args.save, name), "wb") as stream:
                    stream.write(data)
                with open(os.path.join(args.save, name[:-4] + ".txt"), "w", encoding="utf-8") as stream:
                    stream.write("\n".join(f.message for f in failures if f.kind == kind) + "\n")

    def run_cli() -> None:
        with tempfile.TemporaryDirectory() as folder:
            found = fuzzing.check_cli(batch, folder)
        counts["cli inputs"] += len(batch)
        for index, failure in found:
            if index < 0:  # a whole run failed: count it once, keep the batch's first input
                record(batch[0], [failure])
            else:
                record(batch[index], [failure])
        batch.clear()

    @seed(args.seed)
    @settings(
        max_examples=args.inputs, phases=[Phase.generate], database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzzing.inputs())
    def run(data: bytes) -> None:
        counts["inputs"] += 1
        sizes["bytes"] += len(data)
        began = time.perf_counter()
        record(data, fuzzing.check(data, interpreter=not args.no_interpreter, lsp=not args.no_lsp))
        took = time.perf_counter() - began
        if took > slowest[0] and counts["inputs"] > 1:  # the first input also pays for the imports
            slowest[:] = [took, len(data)]
        if args.cli_batch:
            batch.append(data)
            if len(batch) >= args.cli_batch:
                run_cli()
        if counts["inputs"] % 1000 == 0:
            print(f"  {counts['inputs']} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    run()
    if batch:
        run_cli()
    elapsed = time.perf_counter() - started
    print(f"inputs: {counts['inputs']} ({sizes['bytes'] / max(counts['inputs'], 1):.0f} bytes on average), "
          f"{counts['cli inputs']} through the command lines, seed {args.seed}, {elapsed:.0f} s; "
          f"slowest input {slowest[0]:.1f} s ({slowest[1]} bytes)")
    for kind in fuzzing.KINDS:
        line = f"{kind}: {counts[kind]}"
        if kind in examples:
            line += f"  e.g. {examples[kind][:160]}"
        print(line)
    return 1 if any(counts[k] for k in fuzzing.KINDS) else 0


if __name__ == "__main__":
    sys.exit(main())
