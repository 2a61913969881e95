"""The update server under hostile load, on loopback only:

1. a legitimate PUT's latency while 50 clients send wrong passwords as fast
   as they can, from one address (127.0.0.2) and from 50 (127.0.0.2-51);
2. `/_status.json` and `/_status` with the inventory at its cap (10,000
   devices), and a poll's latency while the status page is being built.

The server is `innoscript serve` in a subprocess; ``--tree`` runs another
checkout's code (an older commit, to compare).  Run by hand:

    python benchmarks/bench_server_limits.py [--seconds 5] [--tree PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SCRIPT = b"mod cmd UP1 times /allow 0,1,2,3,4 /initial 6\r\nmod cmd UP1 check ser 20261127-01\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    def __init__(self, root: Path, tree: str | None, *args: str) -> None:
        self.port = free_port()
        env = dict(os.environ)
        if tree:
            env["PYTHONPATH"] = tree
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "innoscript", "serve", str(root), "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            cwd=tree or root,  # `-m` puts the working folder first on the path
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"server exited: {self.proc.returncode}")
                time.sleep(0.1)
        sys.exit("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def auth(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def timed(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


async def flood(port: int, sources: list[str], clients: int, stop) -> int:
    sent = 0

    async def client(n: int) -> None:
        nonlocal sent
        source = sources[n % len(sources)]
        attempt = 0
        while not stop.is_set():
            attempt += 1
            head = (f"PUT /backups/x.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n"
                    f"Authorization: {auth('backup', f'guess-{n}-{attempt}')}\r\n\r\nx").encode()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
                writer.write(head)
                await reader.read()
                writer.close()
                sent += 1
            except OSError:
                await asyncio.sleep(0.05)

    await asyncio.gather(*(client(n) for n in range(clients)))
    return sent


def put_latency(port: int, seconds: float, sources: list[str] | None) -> tuple[list[float], int]:
    headers = {"Authorization": auth("backup", "right-password")}
    timed(port, "PUT", "/backups/dev.txt", b"warm", headers)  # credentials verified once, then cached
    # the flood runs in a process of its own: its work must not slow this one's clock
    stop = multiprocessing.Event()
    counted = multiprocessing.Value("i", 0)
    if sources:
        flooder = multiprocessing.Process(target=_flood_process, args=(port, sources, stop, counted))
        flooder.start()
        time.sleep(1.0)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, took = timed(port, "PUT", "/backups/dev.txt", b"backup" * 100, headers)
        assert status in (201, 204), status
        latencies.append(took)
        time.sleep(0.1)
    stop.set()
    if sources:
        flooder.join(60)
    return latencies, counted.value


def _flood_process(port: int, sources: list[str], stop, counted) -> None:
    counted.value = asyncio.run(flood(port, sources, 50, stop))


def describe(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    return (f"median {statistics.median(ordered) * 1000:7.1f} ms  p90 {ordered[int(len(ordered) * 0.9)] * 1000:7.1f} ms"
            f"  max {ordered[-1] * 1000:7.1f} ms  ({len(ordered)} PUTs)")


def bench_auth(tree: str | None, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "backups").mkdir()
        users = root.parent / f"{root.name}-users.txt"
        proc = subprocess.run([sys.executable, "-m", "innoscript", "serve", "--add-user", "backup", "--users",
                               str(users), "--rights", "write", "--password-stdin"],
                              input="right-password\n", text=True, capture_output=True, cwd=tree or root,
                              env=dict(os.environ, **({"PYTHONPATH": tree} if tree else {})))
        assert proc.returncode == 0, proc.stderr
        server = Serve(root, tree, "--users", str(users), "--anonymous", "read")
        try:
            for label, sources in (("no flood", None), ("flood, 1 address", ["127.0.0.2"]),
                                   ("flood, 50 addresses", [f"127.0.0.{n}" for n in range(2, 52)])):
                latencies, sent = put_latency(server.port, seconds, sources)
                print(f"  {label:22} {describe(latencies)}  flood requests answered: {sent}")
        finally:
            server.stop()
            users.unlink()


def bench_status(tree: str | None, devices: int) -> None:
    sys.path.insert(0, tree) if tree else None
    from innoscript.server.inventory import Inventory, Observation

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "update-ip1200.htm").write_bytes(SCRIPT)
        inventory = Inventory(root / ".innoscript-state" / "inventory.sqlite3")
        now = time.time()
        ver = "6.00 dvl-sr1 IP1200[07-60600.03], Bootcode[145], HW[104] 16384/131072"
        for n in range(devices):
            mac = "00-90-33-%02x-%02x-%02x" % (n >> 16 & 255, n >> 8 & 255, n & 255)
            inventory.record(Observation(f"10.0.{n >> 8 & 255}.{n & 255}", "poll", "update-ip1200.htm", 200,
                                         {"mac": mac, "ver": ver, "PROT": "07-6060003", "BOOT": "145"}, when=now))
        inventory.close()
        server = Serve(root, tree, "--anonymous", "read", "--anonymous-status") if not tree else \
            Serve(root, tree, "--anonymous", "read")
        try:
            for path in ("/_status.json", "/_status.json?page=1&per_page=100", "/_status"):
                runs = [timed(server.port, "GET", path)[1] for _ in range(3)]
                print(f"  {path:36} {devices} devices: best {min(runs) * 1000:7.0f} ms, worst {max(runs) * 1000:7.0f} ms")
            # a device's poll while the status page is being built
            polls: list[float] = []
            thread = threading.Thread(target=lambda: [timed(server.port, "GET", "/_status.json") for _ in range(3)])
            thread.start()
            while thread.is_alive():
                polls.append(timed(server.port, "GET", "/update-ip1200.htm")[1])
            thread.join()
            print(f"  poll during status: {describe(polls).replace('PUTs', 'polls')}")
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per flood case")
    parser.add_argument("--devices", type=int, default=10_000, help="inventory size for the status page")
    parser.add_argument("--tree", help="a checkout whose innoscript to run (default: this one)")
    parser.add_argument("--only", choices=["auth", "status"])
    args = parser.parse_args()
    if args.only != "status":
        print("legitimate PUT (cached credentials) under a wrong-password flood of 50 clients:")
        bench_auth(args.tree, args.seconds)
    if args.only != "auth":
        print("status pages at the inventory cap:")
        bench_status(args.tree, args.devices)


if __name__ == "__main__":
    main()
