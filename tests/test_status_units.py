"""The status pages' parts: what the inventory records for them, the dry
run from a reported state, flags, access, the chart."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

pytest.importorskip("aiohttp")  # the server extra

from innoscript.device import MemoryFetcher
from innoscript.server.app import ServerThread
from innoscript.server.auth import add_user
from innoscript.server.config import ServerConfig
from innoscript.server.inventory import HISTORY_PER_DEVICE, Inventory, Observation
from innoscript.server.status.chart import rollout_svg
from innoscript.server.status.dashboard import age, rollout
from innoscript.server.status.predict import Predictor, reported_state

MAC = "00-90-33-03-0d-f0"
T0 = datetime(2026, 12, 1, 10, 0).timestamp()
IP232 = (
    "mod cmd UP0 scfg http://x/backups/#h.txt ser DAILY /force 4\r\n"
    "mod cmd UP0 prot http://x/fw/ip232.bin ser 13-5021837\r\n"
    "iresetn\r\n"
)


def poll(mac: str = MAC, **query) -> Observation:
    return Observation("10.0.0.7", "poll", "update-ip232.htm", 200, {"mac": mac, **query})


# -- what the inventory records


def test_firmware_and_model_without_a_version_line(tmp_path: Path) -> None:
    inventory = Inventory(tmp_path / "inv.sqlite3")
    # no `ver`: the PROT serial is the firmware, the user agent names the model
    inventory.record(Observation("10.0.0.7", "poll", "update.htm", 200,
                                 {"mac": MAC, "PROT": "04-5656", "BOOT": "140", "BMC": "PCS13ab"},
                                 agent="innovaphone-IP1200/13r2"))
    device = inventory.device(f"mac:{MAC}")
    assert (device["model"], device["firmware"], device["bootcode"], device["bmc"]) == (
        "IP1200", "04-5656", "140", "PCS13ab")
    assert device["agent"] == "innovaphone-IP1200/13r2"
    # the hardware id names the model too, and so does the script's default name
    inventory.record(Observation("10.0.0.8", "poll", "update.htm", 200, {"hwid": "IP232-01-02-03"}))
    assert inventory.device("hwid:IP232-01-02-03")["model"] == "IP232"
    inventory.record(Observation("10.0.0.9", "poll", "site/update-ip811.htm", 200, {"mac": "00-90-33-00-00-09"}))
    assert inventory.device("mac:00-90-33-00-00-09")["model"] == "IP811"
    # a version line wins over the hints
    inventory.record(poll(ver="13-5021837 IP1200[13-5021837], Bootcode[141], HW[100]", PROT="13-5021837"))
    device = inventory.device(f"mac:{MAC}")
    assert (device["model"], device["firmware"], device["bootcode"]) == ("IP1200", "13-5021837", "141")
    inventory.close()


def test_rolling_index_backups_belong_to_their_device(tmp_path: Path) -> None:
    inventory = Inventory(":memory:")
    inventory.record(poll())
    # `#h-#b5.txt` and `#m-#b5.txt` carry the identity before the index
    inventory.record(Observation("10.0.0.7", "backup", "backups/IP232-03-0d-f0-3.txt", 201, {}, 10))
    inventory.record(Observation("10.0.0.7", "backup", f"backups/{MAC}-4.txt", 201, {}, 10))
    [device] = inventory.devices()
    assert device["key"] == f"mac:{MAC}" and device["backups"] == 2
    assert [h["path"] for h in inventory.history(device["key"]) if h["kind"] == "backup"] == [
        f"backups/{MAC}-4.txt", "backups/IP232-03-0d-f0-3.txt"]


def test_history_is_capped_and_goes_with_its_device(tmp_path: Path) -> None:
    inventory = Inventory(tmp_path / "inv.sqlite3")
    for number in range(HISTORY_PER_DEVICE + 20):
        firmware = "13-1" if number < 10 else "13-2"
        inventory.record(Observation("10.0.0.7", "poll", "update-ip232.htm", 200,
                                     {"mac": MAC, "PROT": firmware}, when=T0 + number * 900))
    history = inventory.history(f"mac:{MAC}")
    assert len(history) == HISTORY_PER_DEVICE and history[0]["at"] == T0 + (HISTORY_PER_DEVICE + 19) * 900
    assert [(c[1], c[2]) for c in inventory.firmware_changes()] == [(T0, "13-1"), (T0 + 10 * 900, "13-2")]
    device = inventory.device(f"mac:{MAC}")
    assert device["firmware_since"] == T0 + 10 * 900 and device["poll_gaps"] == [900.0] * 5
    inventory._db.execute("DELETE FROM devices")
    assert inventory.history(f"mac:{MAC}") == [] and inventory.firmware_changes() == []
    inventory.close()


def test_an_older_inventory_gets_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "inv.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE devices (key TEXT PRIMARY KEY, mac TEXT, hwid TEXT, model TEXT, firmware TEXT, bootcode TEXT,"
        " hardware TEXT, release TEXT, ver TEXT, address TEXT, serials TEXT NOT NULL DEFAULT '{}',"
        " first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_poll REAL, last_poll_path TEXT,"
        " polls INTEGER NOT NULL DEFAULT 0, last_backup REAL, last_backup_path TEXT, last_backup_size INTEGER,"
        " backups INTEGER NOT NULL DEFAULT 0, last_path TEXT, last_status INTEGER);"
    )
    now = time.time()  # a device seen just now (older ones expire)
    old.execute("INSERT INTO devices (key, first_seen, last_seen, polls) VALUES (?, ?, ?, 4)", (f"mac:{MAC}", now, now))
    old.commit()
    old.close()
    inventory = Inventory(path)
    inventory.record(poll(PROT="13-2", BMC="PCS1"))
    [device] = inventory.devices()
    assert device["polls"] == 5 and device["bmc"] == "PCS1" and device["firmware"] == "13-2"
    inventory.close()


# -- the dry run from the reported state


def test_reported_state_and_the_shared_cache() -> None:
    row = {"model": "IP232", "firmware": "13-5010000", "bootcode": "140", "mac": MAC, "hwid": "IP232-03-0d-f0",
           "address": "10.0.0.7", "last_poll_path": "update-ip232.htm",
           "serials": {"SCFG": "DAILY", "SCFGdate": "20261201-080000", "CHECK": "", "PROT": "13-5010000"}}
    clock = datetime(2026, 12, 1, 13, 0)
    state = reported_state(row, clock)
    assert state.var("SCFG") == "DAILY" and state.var("PROT") == "13-5010000" and state.var("CHECK") == ""
    assert dict(state.stamps) == {"SCFG": datetime(2026, 12, 1, 8, 0)} and state.clock == clock
    fetcher = MemoryFetcher(default=b"")
    predictor = Predictor(fetcher)
    facts = predictor.facts(IP232.encode())
    first = predictor.next_poll(facts, state)
    assert first["text"] == "backup; download prot 13-5021837; restart (iresetn)"
    assert [d["kind"] for d in first["downloads"]] == ["prot"] and "url" not in first["downloads"][0]
    # another device in the same situation: the cached answer, no second dry run
    other = reported_state({**row, "mac": "00-90-33-00-00-01", "hwid": None}, clock.replace(minute=5))
    assert predictor.next_poll(facts, other) == first and (predictor.misses, predictor.hits) == (1, 1)
    # within /force 4 hours of the last backup: no backup, a different key
    early = predictor.next_poll(facts, reported_state(row, datetime(2026, 12, 1, 9, 0)))
    assert early["text"] == "download prot 13-5021837; restart (iresetn)" and predictor.misses == 2
    assert predictor.in_goal(facts, state) is False
    updated = reported_state({**row, "firmware": "13-5021837",
                              "serials": {**row["serials"], "PROT": "13-5021837"}}, clock)
    assert predictor.in_goal(facts, updated) is True
    # the next three polls of one device, with URLs and events
    polls = predictor.next_polls(facts, state)
    assert [p["text"] for p in polls] == [
        "backup; download prot 13-5021837; restart (iresetn)", "nothing to do", "nothing to do"]
    assert polls[0]["uploads"][0]["url"] == "http://x/backups/IP232-03-0d-f0.txt"
    assert polls[0]["events"][0]["event"] == "poll-started"


def test_unknown_model_is_said_not_guessed() -> None:
    from innoscript.device import DeviceError

    with pytest.raises(DeviceError, match="model unknown"):
        reported_state({"serials": {}}, datetime(2026, 12, 1))


# -- pages and API on a running server


def get(server: ServerThread, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "backups").mkdir(parents=True)
    (root / "fw").mkdir()
    (root / "fw" / "ip232.bin").write_bytes(b"x")
    (root / "update-ip232.htm").write_text(IP232.replace("http://x", "http://127.0.0.1"), "ascii")
    return root


def config(root: Path, **changes) -> ServerConfig:
    options = {"root": root, "port": 0, "anonymous": frozenset({"read", "write"}), "anonymous_status": True}
    options.update(changes)
    return ServerConfig(**options)


def feed(server: ServerThread, polls: list[tuple[float, dict]]) -> None:
    inventory = server.server.inventory
    for when, query in polls:
        inventory.record(Observation("10.0.0.7", "poll", query.pop("path", "update-ip232.htm"), 200, query, when=when))


def test_late_devices_and_withheld_scripts_are_flagged(root: Path) -> None:
    (root / "update-ip222.htm").write_text("mod cmd UP0 prot http://x/fw/ ser\r\n", "ascii")  # errors: withheld
    with ServerThread(config(root)) as server:
        ver = "13-5021837 IP232[13-5021837], Bootcode[140], HW[100]"
        feed(server, [(T0 + n * 900, {"mac": MAC, "ver": ver, "PROT": "13-5021837"}) for n in range(4)])
        feed(server, [(T0 + n * 900, {"mac": "00-90-33-00-00-02", "ver": ver.replace("IP232", "IP222"),
                                      "path": "update-ip222.htm"}) for n in range(4)])
        assert get(server, "/update-ip222.htm")[0] == 503
        server.server.inventory.clock = lambda: T0 + 3 * 900 + 10
        rows = {r["key"]: r for r in json.loads(get(server, "/_status.json")[1])["devices"]}
        assert rows[f"mac:{MAC}"]["flags"] == [] and rows[f"mac:{MAC}"]["interval"] == 900
        withheld = rows["mac:00-90-33-00-00-02"]
        assert withheld["flags"] == ["script withheld by the lint gate (503)"]
        assert withheld["next_poll"]["text"] == "script withheld by the lint gate (503)"
        # three intervals without a poll
        server.server.inventory.clock = lambda: T0 + 3 * 900 + 3 * 900
        rows = {r["key"]: r for r in json.loads(get(server, "/_status.json")[1])["devices"]}
        assert rows[f"mac:{MAC}"]["flags"][0] == "late: no poll for 45 min (polls every 15 min)"
        scripts = {s["path"]: s for s in json.loads(get(server, "/_status/scripts.json")[1])["scripts"]}
        assert scripts["update-ip222.htm"]["gate"] == "withheld"
        assert scripts["update-ip222.htm"]["findings"][0]["severity"] == "error"


def test_device_page_lists_the_findings_of_the_script_it_polls(root: Path) -> None:
    (root / "update-ip222.htm").write_text("mod cmd UP0 prot http://x/fw/ ser\r\n", "ascii")
    with ServerThread(config(root)) as server:
        ver = "13-5021837 IP222[13-5021837], Bootcode[140], HW[100]"
        feed(server, [(T0, {"mac": MAC, "ver": ver, "path": "update-ip222.htm"})])
        key = quote(f"mac:{MAC}")
        script = json.loads(get(server, f"/_status/device/{key}.json")[1])["script"]
        assert script["path"] == "update-ip222.htm" and script["gate"] == "withheld"
        missing_serial = [f for f in script["findings"] if f["code"] == "UPD-011"]
        assert missing_serial and missing_serial[0]["severity"] == "error" and missing_serial[0]["line"] == 1
        page = get(server, f"/_status/device/{key}")[1].decode()
        findings = page.split("Lint findings of the script it polls", 1)[1]
        assert "UPD-011" in findings and "error" in findings and "No findings." not in findings


def test_filter_sort_and_pages(root: Path) -> None:
    with ServerThread(config(root)) as server:
        feed(server, [(T0, {"mac": f"00-90-33-00-00-{n:02x}", "PROT": f"13-{n}"}) for n in range(1, 8)])
        data = json.loads(get(server, "/_status.json?per_page=3&page=2")[1])
        assert data["page"] == {"number": 2, "pages": 3, "per_page": 3, "matching": 7}
        assert [r["key"] for r in data["devices"]] == [f"mac:00-90-33-00-00-{n:02x}" for n in (4, 5, 6)]
        data = json.loads(get(server, "/_status.json?q=13-7")[1])
        assert [r["firmware"] for r in data["devices"]] == ["13-7"] and data["summary"]["devices"] == 7
        data = json.loads(get(server, "/_status.json?sort=-firmware")[1])
        assert [r["firmware"] for r in data["devices"]][:2] == ["13-7", "13-6"]
        page = get(server, "/_status?per_page=3")[1].decode()
        assert page.count('<tr class="') == 3 and "page 1 of 3" in page and "page=2" in page


def test_device_page_escapes_and_refuses_foreign_paths(root: Path) -> None:
    with ServerThread(config(root)) as server:
        feed(server, [(T0, {"mac": MAC, "ver": "<img src=x onerror=alert(1)> IP232[<b>]"})])
        key = quote(f"mac:{MAC}")
        status, body = get(server, f"/_status/device/{key}")
        assert status == 200 and b"<img" not in body and b"&lt;img src=x" in body
        assert get(server, "/_status/device/mac%3A00-00-00-00-00-00")[0] == 404
        assert get(server, f"/_status/device/{key}/backup?path=update-ip232.htm&version=0")[0] == 404
        assert get(server, f"/_status/device/{key}/backup?path=../../etc/passwd&version=0")[0] == 404
        assert get(server, "/_status/nothing")[0] == 404
        assert get(server, "/_status/sort.js")[0] == 200


def test_status_needs_the_read_right_and_can_be_off(root: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    add_user(users, "admin", "pw", frozenset({"read"}))
    add_user(users, "uploader", "pw", frozenset({"write"}))

    def basic(name: str) -> dict:
        return {"Authorization": "Basic " + base64.b64encode(f"{name}:pw".encode()).decode()}

    with ServerThread(config(root, users_file=users, anonymous=frozenset())) as server:
        for path in ("/_status", "/_status.json", "/_status/scripts", f"/_status/device/{quote('mac:' + MAC)}.json"):
            assert get(server, path)[0] == 401
            assert get(server, path, basic("uploader"))[0] == 403
        assert get(server, "/_status.json", basic("admin"))[0] == 200
    with ServerThread(config(root, status="none")) as server:
        for path in ("/_status", "/_status.json", "/_status/scripts", "/_status/sort.js"):
            assert get(server, path)[0] == 404
        assert get(server, "/update-ip232.htm")[0] == 200


def test_status_option_on_the_command_line(root: Path) -> None:
    from click.testing import CliRunner

    from innoscript.cli.serve import serve_command

    result = CliRunner().invoke(serve_command, [str(root), "--anonymous", "read", "--status", "sometimes"])
    assert result.exit_code == 2 and "'sometimes' is not one of 'none', 'read'" in result.output


# -- small parts


def test_rollout_and_its_chart() -> None:
    changes = [("a", 0.0, "13-1"), ("b", 0.0, "13-1"), ("a", 50.0, "13-2"), ("b", 90.0, "13-2")]
    data = rollout(changes, 100.0, points=10)
    # each point counts the devices at the end of its slice (10, 20, ... 100)
    assert data["series"] == {"13-1": [2, 2, 2, 2, 1, 1, 1, 1, 0, 0], "13-2": [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]}
    svg = rollout_svg(data)
    assert svg.startswith("<svg") and svg.count("<polygon") == 2 and "13-2 (2)" in svg
    assert "&lt;b&gt;" in rollout_svg({"times": data["times"], "series": {"<b>": [1] * 10}})
    assert "No firmware" in rollout_svg({"times": [], "series": {}})


@pytest.mark.parametrize("seconds, text", [(5, "5 s"), (600, "10 min"), (3600, "1 h"), (3 * 3600 + 300, "3 h 5 min"),
                                           (2 * 86400 + 4 * 3600, "2 d 4 h")])
def test_age(seconds: int, text: str) -> None:
    assert age(seconds) == text


def test_query_parameters_survive_in_links() -> None:
    from innoscript.server.status.pages import device_url

    assert device_url("ip:10.0.0.7", "/backup?" + urlencode({"path": "backups/a b.txt"})) == (
        "/_status/device/ip:10.0.0.7/backup?path=backups%2Fa+b.txt")
