"""Update-server throughput: requests/s for script GETs (with the query string
devices append) and for 100 KB backup PUTs, and the server's peak memory,
next to `python -m http.server` serving the same folder (GET only: it has no
PUT).  Load comes from wrk when it is on PATH, else from an aiohttp client
loop in this process.  Run by hand:

    python benchmarks/bench_server.py [--seconds 5] [--connections 50] [--no-wrk]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = (
    "# update script for IP1200 devices\r\n"
    "mod cmd UP0 scfg http://10.0.0.5/backups/#h.txt\r\n"
    "mod cmd UP1 times /allow 0,1,2,3,4 /initial 6\r\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 08-22222\r\n"
    "mod cmd UP0 boot http://10.0.0.5/fw/ ireset 145\r\n"
    "config change UP1 /poll 15\r\n"
    "mod cmd UP1 check ser 20261127-01\r\n"
)
QUERY = ("ver=08-11111%20IP1200%5B08-11111%5D%2C%20Bootcode%5B145%5D%2C%20HW%5B100%5D"
         "&BOOT=145&CHECK=20261126-01&PROT=08-11111&BMC=&CFG=&CFG-BACKUP-NUM=&SCFG=&mac=00-90-33-03-0d-f0")
PUT_SIZE = 100 * 1024
DEVICES = 200

PUT_LUA = """
local body = string.rep("c", %d)
local n = 0
request = function()
  n = n + 1
  local mac = string.format("00-90-33-00-%%02x-%%02x", math.floor((n %% %d) / 256), (n %% %d) %% 256)
  return wrk.format("PUT", "/backups/" .. mac .. ".txt", nil, body)
end
""" % (PUT_SIZE, DEVICES, DEVICES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited: {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("server did not start")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_wrk(url: str, seconds: int, connections: int, lua: Path | None = None) -> tuple[float, int]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if lua:
        cmd += ["-s", str(lua)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        print(f"    wrk {url.split('?')[0]}: socket errors {socket_errors.group(1)}")
    return rate, int(errors.group(1)) if errors else 0


def run_aiohttp(url: str, seconds: int, connections: int, put: bool) -> tuple[float, int]:
    import aiohttp

    body = b"c" * PUT_SIZE
    base = url.split("/", 3)
    origin = "/".join(base[:3])

    async def worker(session: aiohttp.ClientSession, stop: float, counts: list[int], n: int) -> None:
        while time.monotonic() < stop:
            if put:
                mac = "00-90-33-00-%02x-%02x" % (n % DEVICES // 256, n % DEVICES % 256)
                n += connections
                async with session.put(f"{origin}/backups/{mac}.txt", data=body) as r:
                    await r.read()
            else:
                async with session.get(url) as r:
                    await r.read()
            counts[0 if 200 <= r.status < 300 else 1] += 1

    async def main() -> tuple[float, int]:
        counts = [0, 0]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
            start = time.monotonic()
            await asyncio.gather(*(worker(session, start + seconds, counts, n) for n in range(connections)))
            elapsed = time.monotonic() - start
        return (counts[0] + counts[1]) / elapsed, counts[1]

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--no-wrk", action="store_true", help="use the aiohttp client loop even if wrk exists")
    parser.add_argument("--lint-gate", action="store_true", help="serve with the lint gate on (default on)")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None and not args.no_wrk

    work = Path(tempfile.mkdtemp(prefix="innoscript-bench-server-"))
    root = work / "root"
    (root / "backups").mkdir(parents=True)
    (root / "update-ip1200.htm").write_text(SCRIPT, encoding="ascii")
    lua = work / "put.lua"
    lua.write_text(PUT_LUA)

    def load(url: str, put: bool = False) -> tuple[float, int]:
        if use_wrk:
            return run_wrk(url, args.seconds, args.connections, lua if put else None)
        return run_aiohttp(url, args.seconds, args.connections, put)

    print(f"load generator: {'wrk' if use_wrk else 'aiohttp client loop'}, {args.connections} connections, "
          f"{args.seconds} s per run, {os.cpu_count()} CPUs")
    results = {}
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "innoscript", "serve", str(root), "--port", str(port), "--anonymous", "all",
         "--access-log", os.devnull, "--max-upload", "1M"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, serve)
        results["serve GET script"] = load(f"http://127.0.0.1:{port}/update-ip1200.htm?{QUERY}")
        results["serve PUT 100 KB"] = load(f"http://127.0.0.1:{port}/backups/", put=True)
        serve_peak = peak_mb(serve.pid)
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    port = free_port()
    static = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, static)
        results["http.server GET script"] = load(f"http://127.0.0.1:{port}/update-ip1200.htm?{QUERY}")
        static_peak = peak_mb(static.pid)
    finally:
        static.terminate()
        static.wait(timeout=30)

    for name, (rate, errors) in results.items():
        print(f"{name:26s} {rate:9.0f} req/s   non-2xx: {errors}")
    print(f"{'serve peak memory':26s} {serve_peak:9.1f} MB")
    print(f"{'http.server peak memory':26s} {static_peak:9.1f} MB")
    backups = list((root / "backups").glob("*.txt"))
    print(f"backups on disk: {len(backups)} files, all {PUT_SIZE} bytes: "
          f"{all(p.stat().st_size == PUT_SIZE for p in backups)}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
