"""Fleet simulation targets, run by hand:

    python benchmarks/bench_fleet.py [WORKDIR] [--exact-sample]

Targets: 100,000 devices polling every 15 minutes for 30 days (288 M polls)
in 10 s or less; 1,000,000 devices in 60 s or less; peak memory below 2 GB.
Each size runs in its own process, so peak memory is that run's.

The site: IP DECT devices with a firmware update restricted to three night
hours, a per-device weekly backup with a rolling index, 10 % of the devices
busy at any poll (their `ireset` waits), 1 % unpacked during the run, a
group without a clock.  With --exact-sample, a 300-device sample is also run
through the exact one-by-one path to show both reports are equal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = (
    "mod cmd UP1 times /allow 23,0,1 /initial 6\r\n"
    "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b4.txt ser WEEKLY /force 168\r\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\r\n"
    "mod cmd UP1 check ser 2026-12\r\n"
)

FLEET = """
[fleet]
seed = 1
start = "2026-12-01T18:00"
days = 30

[groups.dect]
count = {main}
model = "IP1200"
firmware = "13-5001234"
poll_minutes = 15
busy_share = 0.1
new_share = 0.01

[groups.noclock]
count = {noclock}
model = "IP1200"
firmware = "13-5001234"
has_clock = false
"""

MEASURE = r"""
import json, resource, sys, time
from innoscript.device.fetch import FolderFetcher
from innoscript.fleet import InterpreterPoller, build_report, load_fleet, simulate, to_json
spec = load_fleet(sys.argv[1])
exact = sys.argv[3] == "exact"
poller = InterpreterPoller(spec, FolderFetcher(sys.argv[2]))
start = time.perf_counter()
result = simulate(spec, poller, exact=exact)
report = build_report(result, poller.describe)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "polls": report["fleet"]["polls"], "devices": spec.device_count,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "stats": getattr(result, "stats", {}), "report": to_json(report)}))
"""


def site(work: Path) -> Path:
    root = work / "www"
    (root / "fw").mkdir(parents=True, exist_ok=True)
    (root / "update-ip1200.htm").write_text(SCRIPT)
    (root / "fw" / "IP1200.bin").write_bytes(b"\x00" * 8_000_000)
    return root


def measure(work: Path, root: Path, devices: int, exact: bool = False, days: int = 30) -> dict:
    fleet = work / f"fleet-{devices}.toml"
    noclock = max(1, devices // 100)
    fleet.write_text(FLEET.format(main=devices - noclock, noclock=noclock).replace("days = 30", f"days = {days}"))
    out = subprocess.run([sys.executable, "-c", MEASURE, str(fleet), str(root), "exact" if exact else "fast"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def line(label: str, result: dict, target: float | None) -> None:
    rate = result["polls"] / result["seconds"]
    ratio = f"  ratio {result['seconds'] / target:.2f}" if target else ""
    goal = f"target {target:>4.0f} s" if target else "          "
    stats = result["stats"]
    steps = f"   {stats['cohort_steps']:,} cohort steps, {stats['interpreter_runs']:,} interpreter runs" if stats else ""
    print(f"{label:<34} {result['seconds']:7.2f} s  {goal}{ratio}   {result['polls']:>13,} polls "
          f"{rate:>16,.0f} polls/s   peak {result['peak_mb']:7.1f} MB (target 2048, ratio {result['peak_mb'] / 2048:.2f})"
          f"{steps}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    work = Path(args[0]) if args else Path(tempfile.gettempdir()) / "innoscript-bench-fleet"
    work.mkdir(parents=True, exist_ok=True)
    root = site(work)
    if "--exact-sample" in sys.argv:
        fast = measure(work, root, 300, days=7)
        exact = measure(work, root, 300, exact=True, days=7)
        same = "equal" if fast["report"] == exact["report"] else "DIFFERENT"
        line("300 devices x 7 days, fast", fast, None)
        line("300 devices x 7 days, exact", exact, None)
        print(f"reports: {same}")
    line("100,000 devices x 30 days x 15 min", measure(work, root, 100_000), 10)
    line("1,000,000 devices x 30 days x 15 min", measure(work, root, 1_000_000), 60)


if __name__ == "__main__":
    main()
