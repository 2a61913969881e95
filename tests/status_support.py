"""A simulated day of a small site polling a real update server.

50 virtual devices of three models (reference interpreter, real HTTP on
127.0.0.1) poll the server once an hour; the server's clock follows the
simulated time, so ages, intervals and flags on the status pages mean what
they would mean after a real day.  One phone's backups stop arriving at
noon (its uploads never reach the server).  The DECT bases may only update
at night; the last three of them are installed in the morning, after the
night, and so still wait for their firmware when the day ends.
"""

from __future__ import annotations

import heapq
import json
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from innoscript.device import HttpFetcher, Response, advance, make_state, run_poll
from innoscript.server.app import ServerThread
from innoscript.server.config import ServerConfig

START = datetime(2026, 12, 1, 8, 0)
HOURS = 24
POLL_MINUTES = 60
PHONES, BASES, GATEWAYS = 20, 15, 15
LATE_BASES = 3  # installed at 06:00 on the second day
QUIET_PHONE = 7  # its backups stop arriving at noon
QUIET_FROM = START.replace(hour=12)

SCRIPTS = {
    "update-ip232.htm": (
        "# desk phones: daily backup, firmware at any time\r\n"
        "mod cmd UP0 scfg {base}/backups/#h.txt ser DAILY /force 5\r\n"
        "mod cmd UP0 prot {base}/fw/ip232.bin ser 13-5021837\r\n"
        "iresetn\r\n"
        "mod cmd UP1 check ser phones-2026-12\r\n"
    ),
    "update-ip1200.htm": (
        "# DECT bases: firmware and radio code only at night\r\n"
        "mod cmd UP0 scfg {base}/backups/#h-#b3.txt ser WEEKLY /force 168\r\n"
        "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\r\n"
        "mod cmd UP0 prot {base}/fw/ip1200.bin ser 13-5021837\r\n"
        "mod cmd UP0 bmc {base}/fw/PCS13ab.bin ser PCS13ab\r\n"
        "iresetn\r\n"
    ),
    "update-ip6010.htm": (
        "# gateways: site settings once, backup every 6 hours\r\n"
        "mod cmd UP0 scfg {base}/backups/#h.txt ser DAILY /force 6\r\n"
        "mod cmd UP1 check ser gw-2026-12-01\r\n"
        "mod cmd UP0 cfg {base}/cfg/site.txt ser CFG-2026-12-01\r\n"
        "config activate\r\n"
        "iresetn\r\n"
    ),
}
FILES = {
    "fw/ip232.bin": b"\x01" * 4096,
    "fw/ip1200.bin": b"\x02" * 4096,
    "fw/PCS13ab.bin": b"\x03" * 1024,
    "cfg/site.txt": b"config change TIME /ntp1 10.0.0.1\r\nconfig add UP1 /poll 60\r\n",
}


class QuietFetcher(HttpFetcher):
    """A device whose uploads stop reaching the server (a full disk on its
    side, a proxy that drops PUTs): they fail with 502 and send nothing."""

    def __init__(self, quiet_from: float | None = None) -> None:
        super().__init__(timeout=10)
        self.quiet_from = quiet_from
        self.clock = 0.0

    def put(self, url: str, body: bytes) -> int:
        if self.quiet_from is not None and self.clock >= self.quiet_from:
            return 502
        return super().put(url, body)


@dataclass
class Device:
    number: int
    model: str
    state: object
    fetcher: QuietFetcher
    next_poll: datetime
    polls: int = 0
    last_poll: datetime | None = None
    history: list = field(default_factory=list)

    @property
    def mac(self) -> str:
        return self.state.mac

    @property
    def key(self) -> str:
        return f"mac:{self.state.mac}"


@dataclass
class Site:
    root: Path
    server: ServerThread
    devices: list[Device]
    now: datetime

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.server.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, path: str, headers: dict | None = None) -> dict:
        status, body = self.get(path, headers)
        assert status == 200, (path, status, body[:200])
        return json.loads(body)


def make_root(root: Path, base: str) -> None:
    (root / "backups").mkdir(parents=True, exist_ok=True)
    for name, text in SCRIPTS.items():
        (root / name).write_text(text.format(base=base), encoding="ascii")
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def fleet(base: str) -> list[Device]:
    devices = []
    number = 0

    def add(model: str, firmware: str, first: datetime, quiet: bool = False, **extra) -> None:
        nonlocal number
        number += 1
        mac = f"00-90-33-00-{number >> 8:02x}-{number & 0xFF:02x}"
        state = make_state(model, firmware=firmware, boot="140", mac=mac, ip=f"127.0.0.{number}",
                           update_url=f"{base}/?mac=#m", poll_minutes=POLL_MINUTES, clock=first,
                           uptime_min=600, **extra)
        quiet_from = QUIET_FROM.timestamp() if quiet else None
        devices.append(Device(number, model, state, QuietFetcher(quiet_from), first))

    for i in range(PHONES):
        # half the phones already run the target build
        add("IP232", "13-5021837" if i % 2 else "13-5010000", START + timedelta(seconds=50 * i), quiet=i == QUIET_PHONE)
    for i in range(BASES):
        first = START + timedelta(hours=22) if i >= BASES - LATE_BASES else START + timedelta(seconds=60 * i + 20)
        add("IP1200", "13-5010000", first + timedelta(seconds=30 * i), radio="PCS12aa")
    for i in range(GATEWAYS):
        add("IP6010", "13-5021837", START + timedelta(seconds=70 * i + 40))
    return devices


def run_day(tmp_path: Path, **config) -> Site:
    """Start a server on loopback and let the fleet poll it for a simulated
    day; the caller stops ``site.server``."""
    root = tmp_path / "www"
    root.mkdir()
    options = {"root": root, "port": 0, "anonymous": frozenset({"read", "write"}), "anonymous_status": True}
    options.update(config)
    server = ServerThread(ServerConfig(**options)).start()
    try:
        make_root(root, server.url)
        devices = fleet(server.url)
        end = START + timedelta(hours=HOURS)
        inventory = server.server.inventory
        queue = [(d.next_poll, d.number, d) for d in devices]
        heapq.heapify(queue)
        while queue and queue[0][0] < end:
            when, _, device = heapq.heappop(queue)
            inventory.clock = lambda when=when: when.timestamp()
            device.fetcher.clock = when.timestamp()
            state = device.state.replace(clock=when)
            result = run_poll(state, device.fetcher)
            device.state = result.state
            device.polls += 1
            device.last_poll = when
            device.history.append(result.summary)
            device.next_poll = when + timedelta(minutes=result.state.poll_minutes)
            # the uptime goes on between polls (the clock is set at each poll)
            device.state = advance(result.state, result.state.poll_minutes).replace(clock=result.state.clock)
            heapq.heappush(queue, (device.next_poll, device.number, device))
        inventory.clock = lambda: end.timestamp()
        return Site(root, server, devices, end)
    except BaseException:
        server.stop()
        raise


def direct_next_poll(site: Site, device: Device):
    """The device's own next poll, dry-run straight from its real state
    (not from what it reported), with the files of the server's folder."""
    from innoscript.device import FolderFetcher

    state = device.state.replace(clock=device.next_poll)
    return run_poll(state, FolderFetcher(site.root))


__all__ = ["Response", "Site", "direct_next_poll", "run_day"]
