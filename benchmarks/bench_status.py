"""Status pages with 10,000 devices: server time to build and render the
devices page (100 rows a page, all 10,000 devices counted, flagged and
predicted for the summary), the JSON of all devices, the scripts page with
its rollout charts, and one device page.  "Cold" is the first request after
start (every dry run computed), "warm" a request within the prediction
cache's minute.  Also the same pages over HTTP on loopback.  Run by hand:

    python benchmarks/bench_status.py [--devices 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

SCRIPTS = {
    "update-ip232.htm": (
        "mod cmd UP0 scfg http://10.0.0.5/backups/#h.txt ser DAILY /force 24\r\n"
        "mod cmd UP1 times /allow 0,1,2,3,4 /initial 6\r\n"
        "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5021837\r\n"
        "iresetn\r\n"
        "mod cmd UP1 check ser phones-2026-12\r\n"
    ),
    "update-ip1200.htm": (
        "mod cmd UP0 scfg http://10.0.0.5/backups/#h-#b5.txt ser WEEKLY /force 168\r\n"
        "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\r\n"
        "mod cmd UP0 prot http://10.0.0.5/fw/ip1200.bin ser 13-5021837\r\n"
        "mod cmd UP0 bmc http://10.0.0.5/fw/PCS13ab.bin ser PCS13ab\r\n"
        "iresetn\r\n"
    ),
    "update-ip6010.htm": (
        "mod cmd UP0 scfg http://10.0.0.5/backups/#h.txt ser DAILY /force 6\r\n"
        "mod cmd UP1 check ser gw-2026-12-01\r\n"
        "mod cmd UP0 prot http://10.0.0.5/fw/ip6010.bin ser 13-5021837\r\n"
        "iresetn\r\n"
    ),
}
MODELS = (("IP232", "update-ip232.htm"), ("IP1200", "update-ip1200.htm"), ("IP6010", "update-ip6010.htm"))
BUILDS = ("13-5010000", "13-5015000", "13-5021837")
START = datetime(2026, 12, 1, 8, 0).timestamp()


def fill(inventory, devices: int) -> None:
    """``devices`` devices, each with two polls a quarter of an hour apart and
    a backup; builds, serials and poll times spread at random (seeded)."""
    from innoscript.server.inventory import Observation

    rng = random.Random(7)
    for number in range(devices):
        model, script = MODELS[number % 3]
        firmware = rng.choice(BUILDS)
        mac = f"00-90-33-{number >> 16 & 0xFF:02x}-{number >> 8 & 0xFF:02x}-{number & 0xFF:02x}"
        ver = f"{firmware} {model}[{firmware}], Bootcode[140], HW[100]"
        query = {"mac": mac, "ver": ver, "PROT": firmware if rng.random() < 0.8 else "",
                 "SCFG": "DAILY", "SCFGdate": "20261201-080000", "CHECK": rng.choice(("", "phones-2026-12"))}
        offset = rng.randrange(0, 86400)
        for step in range(2):
            inventory.record(Observation("10.0.0.7", "poll", script, 200, dict(query), when=START + offset + 900 * step))
        inventory.record(Observation("10.0.0.7", "backup", f"backups/{model}-{mac[-8:]}.txt", 201, {}, 300,
                                     when=START + offset + 60))


def timed(function, repeat: int, clock=time.perf_counter) -> tuple[float, float]:
    """(first call, best of the others) in seconds of ``clock``."""
    started = clock()
    function()
    first = clock() - started
    best = float("inf")
    for _ in range(repeat):
        started = clock()
        function()
        best = min(best, clock() - started)
    return first, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from innoscript.server.app import ServerThread
    from innoscript.server.config import ServerConfig
    from innoscript.server.status import pages
    from innoscript.server.status.dashboard import Dashboard

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "backups").mkdir()
        for name, text in SCRIPTS.items():
            (root / name).write_text(text, "ascii")
        config = ServerConfig(root=root, port=0, anonymous=frozenset({"read"}), anonymous_status=True)
        with ServerThread(config) as server:
            started = time.perf_counter()
            fill(server.server.inventory, args.devices)
            print(f"{args.devices} devices recorded in {time.perf_counter() - started:.1f} s")
            server.server.inventory.clock = lambda: START + 86400 + 1800
            dashboard = Dashboard(server.server)
            key = server.server.inventory.devices()[0]["key"]

            cases = {
                "devices page (100 rows, all counted)": lambda: pages.devices_page(dashboard.devices(per_page=100)),
                "devices page, flagged only": lambda: pages.devices_page(dashboard.devices(per_page=100, flagged=True)),
                "JSON, all devices": lambda: dashboard.devices(),
                "scripts page": lambda: pages.scripts_page(dashboard.scripts()),
                "device page": lambda: pages.device_page(dashboard.device(key)),
            }
            # CPU time of this thread: what the page costs the server, also
            # on a machine that is busy with other work; wall time beside it
            print(f"{'server time (CPU)':40} {'cold':>8} {'warm':>8} {'warm wall':>10}")
            for name, function in cases.items():
                first, best = timed(function, args.repeat, time.thread_time)
                _, wall = timed(function, 1)
                print(f"{name:40} {first * 1000:7.0f}ms {best * 1000:7.0f}ms {wall * 1000:9.0f}ms")
            print(f"prediction cache: {dashboard.predictor.misses} dry runs, {dashboard.predictor.hits} shared")

            print(f"{'over HTTP (loopback, warm)':40} {'time':>8} {'bytes':>9}")
            for path in ("/_status", "/_status.json", "/_status/scripts"):
                sizes = []

                def fetch() -> None:
                    with urllib.request.urlopen(server.url + path, timeout=120) as reply:
                        sizes.append(len(reply.read()))

                _, best = timed(fetch, args.repeat)
                print(f"{path:40} {best * 1000:7.0f}ms {sizes[-1]:9d}")


if __name__ == "__main__":
    main()
