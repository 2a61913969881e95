"""Virtual devices (the reference interpreter's HttpFetcher) meet the update
server: fetch the script, download firmware, PUT a backup, show up in the
inventory."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")  # the server extra

from innoscript.device import HttpFetcher, Response, make_state, run_until_converged
from innoscript.server.app import ServerThread
from innoscript.server.config import ServerConfig


class RecordingFetcher(HttpFetcher):
    """HttpFetcher that remembers what went over the wire."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.gets: list[tuple[str, int, bytes]] = []
        self.puts: list[tuple[str, int, bytes]] = []

    def get(self, url: str) -> Response:
        response = super().get(url)
        self.gets.append((url, response.status, response.body))
        return response

    def put(self, url: str, body: bytes) -> int:
        status = super().put(url, body)
        self.puts.append((url, status, bytes(body)))
        return status


def test_virtual_device_updates_and_backs_up(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "backups").mkdir(parents=True)
    (root / "fw").mkdir()
    firmware = bytes(range(256)) * 300
    (root / "fw" / "IP1200.bin").write_bytes(firmware)
    config = ServerConfig(root=root, port=0, anonymous=frozenset({"read", "write"}), anonymous_status=True)
    with ServerThread(config) as server:
        base = server.url
        (root / "update-ip1200.htm").write_text(
            f"mod cmd UP0 scfg {base}/backups/#h.txt ser B1\r\n"
            f"mod cmd UP0 prot {base}/fw/ ireset 08-22222\r\n",
            encoding="ascii",
        )
        fetcher = RecordingFetcher()
        state = make_state("IP1200", firmware="08-11111", update_url=f"{base}/?mac=#m")
        run = run_until_converged(state, fetcher)
        with urllib.request.urlopen(f"{base}/_status.json") as reply:
            devices = json.loads(reply.read())["devices"]

    assert run.converged and run.loop is None
    assert run.state.firmware == "08-22222"
    # the script and the firmware arrived as they are on disk
    script_gets = [g for g in fetcher.gets if "/update-ip1200.htm?" in g[0]]
    assert script_gets and all(status == 200 for _, status, _ in script_gets)
    [(_, fw_status, fw_body)] = [g for g in fetcher.gets if g[0].endswith("/fw/IP1200.bin")]
    assert (fw_status, fw_body) == (200, firmware)
    # every backup was accepted, and the file on disk is the last one, byte for byte
    assert fetcher.puts and all(status in (201, 204) for _, status, _ in fetcher.puts)
    assert {url for url, _, _ in fetcher.puts} == {f"{base}/backups/IP1200-03-0d-f0.txt"}
    assert (root / "backups" / "IP1200-03-0d-f0.txt").read_bytes() == fetcher.puts[-1][2]
    # one device in the inventory, with what it reported in its last poll
    [device] = devices
    assert device["key"] == "mac:00-90-33-03-0d-f0" and device["hwid"] == "IP1200-03-0d-f0"
    assert (device["model"], device["firmware"]) == ("IP1200", "08-22222")
    assert device["serials"]["PROT"] == "08-22222" == run.state.var("PROT")
    assert device["polls"] == len(script_gets) and device["backups"] == len(fetcher.puts)
    assert device["last_backup_size"] == len(fetcher.puts[-1][2])


def test_lint_gate_answer_reaches_the_device(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "update-ip1200.htm").write_bytes(b"mod cmd UP1 check\x01 x\r\n")
    config = ServerConfig(root=root, port=0, anonymous=frozenset({"read"}))
    with ServerThread(config) as server:
        state = make_state("IP1200", firmware="08-11111", update_url=f"{server.url}/")
        run = run_until_converged(state, RecordingFetcher(), polls=1)
    assert run.state.status == "failed(503)"
