"""Interpreter target: one poll of a 50-line script in at most 1 ms of
interpreter time.  Run by hand:

    python benchmarks/bench_interpreter.py [WORKDIR]

Uses a 50-line script of the benchmark corpus when the generator is there,
else a built-in 50-line script of the same shape; the device polls with the
script already parsed (the fleet simulation's case: one script, many polls)
and an in-memory fetcher, so the time is the interpreter's alone.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from innoscript.device import MemoryFetcher, make_state, run_poll
from innoscript.syntax import parse

BUILT_IN = "\n".join(
    [
        "# IP1200 site script",
        "# backup, window, firmware, then the site configuration once",
        "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168",
        "mod cmd UP1 times /allow 22,23,0,1,2,3,4 /initial 6",
        "mod cmd UP0 prot http://10.0.0.5/fw/ ser 08-12345",
        "mod cmd UP0 boot http://10.0.0.5/fw/ ser 140",
        "mod cmd UP0 bmc http://10.0.0.5/fw/PCS04fd.bin ser PCS04fd",
        "mod cmd UP1 check ser 2026-01-15",
    ]
    + [f"config add GW{i % 8} /name trunk{i} /ip 10.0.{i}.1" for i in range(36)]
    + ["vars create PHONE/LANG p de", "vars create PHONE/TZ p CET", "config write", "config activate",
       "# end", "iresetn"]
) + "\n"


def generated_text(work: Path) -> str | None:
    """A 50-line script of the benchmark corpus (None without the generator)."""
    try:
        from _corpus import corpus

        folder = corpus(work, "one", 1, 50)
        return next(folder.glob("*.htm")).read_text(encoding="utf-8", errors="replace")
    except (SystemExit, StopIteration, ImportError):
        return None


def per_poll(state, fetcher, script, trace: bool, polls: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(polls):
            run_poll(state, fetcher, script=script, trace=trace)
        best = min(best, (time.perf_counter() - start) / polls)
    return best


def measure(name: str, text: str, state) -> None:
    script = parse(text)
    effective = sum(1 for line in script.lines if line.is_effective)
    fetcher = MemoryFetcher(default=b"firmware")
    first = run_poll(state, fetcher, script=script)
    print(f"{name}: {len(script.lines)} lines, {effective} effective; the poll executes "
          f"{len(first.summary.executed)} lines, stopped by {first.summary.stopped_by}, "
          f"{len(first.events)} events")
    fast = per_poll(state, fetcher, script, False, 2000)
    traced = per_poll(state, fetcher, script, True, 2000)
    print(f"  one poll, untraced (summary only)  {fast * 1e6:8.1f} us   target 1000 us  ratio {fast / 1e-3:.2f}")
    print(f"  one poll, traced (all events)      {traced * 1e6:8.1f} us   target 1000 us  ratio {traced / 1e-3:.2f}")


def config_scaling() -> None:
    """One poll of N `config add` lines on one module: linear in N (constant
    time per line), where copying the module per line was quadratic."""
    state = make_state("IP1200", clock=datetime(2026, 1, 15, 2, 0), uptime_min=600)
    fetcher = MemoryFetcher()
    previous = None
    for n in (5_000, 10_000, 20_000, 40_000):
        script = parse("".join(f"config add CMD0 /k{i} {i}\n" for i in range(n)) + "config write\n")
        start = time.perf_counter()
        run_poll(state, fetcher, script=script, trace=False)
        took = time.perf_counter() - start
        growth = f"  x{took / previous:.1f} for x2 lines" if previous else ""
        print(f"  {n:6d} config add lines on one module: one poll {took * 1e3:8.1f} ms{growth}")
        previous = took


def main() -> None:
    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "innoscript-bench"
    # Every serial matches and the window is open, but UPDATE/CHECK differs:
    # all 50 lines run and the check commits (the most work a poll does
    # without restarting).
    full = make_state("IP1200", firmware="08-12345", boot="140", radio="PCS04fd",
                      clock=datetime(2026, 1, 15, 2, 0), uptime_min=600, vars={"SCFG": "WEEKLY"})
    measure("built-in site script", BUILT_IN, full)
    fresh = make_state("IP1200", firmware="08-1", clock=datetime(2026, 1, 15, 2, 0), uptime_min=600)
    measure("built-in site script, new firmware", BUILT_IN, fresh)
    print("configuration updates: constant time per line")
    config_scaling()
    text = generated_text(work)
    if text is not None:
        measure("benchmark corpus script", text, make_state("IP1200", clock=datetime(2026, 1, 15, 11, 0), uptime_min=600))


if __name__ == "__main__":
    main()
