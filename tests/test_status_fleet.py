"""Acceptance: 50 virtual devices of three models poll a running server for
a simulated day; the status pages then show each of them as it really is,
predict each next poll as a direct dry run from the device's own state
does, and flag the one device whose backups stopped arriving."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("aiohttp")  # the server extra

from innoscript.server.status.predict import describe

from status_support import BASES, GATEWAYS, LATE_BASES, PHONES, QUIET_PHONE, direct_next_poll, run_day


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = run_day(tmp_path_factory.mktemp("day"))
    yield site
    site.server.stop()


def test_every_device_with_its_reported_builds(site) -> None:
    data = site.json("/_status.json")
    rows = {row["key"]: row for row in data["devices"]}
    assert len(rows) == PHONES + BASES + GATEWAYS == 50
    assert data["summary"]["devices"] == 50 and data["summary"]["scripts"] == 3
    for device in site.devices:
        row = rows[device.key]
        assert row["model"] == device.state.model
        assert row["firmware"] == device.state.firmware
        assert row["bootcode"] == device.state.boot
        assert row["polls"] == device.polls
        assert row["serials"].get("CHECK", "") == device.state.var("CHECK")
        assert row["serials"].get("SCFG", "") == device.state.var("SCFG")
        assert row["interval"] == 3600
        assert row["script"] == f"update-{device.model.lower()}.htm"
        if device.model == "IP1200" and device.state.var("BMC"):
            assert row["bmc"] == device.state.var("BMC") == "PCS13ab"
    models = sorted(row["model"] for row in rows.values())
    assert models.count("IP232") == PHONES and models.count("IP1200") == BASES and models.count("IP6010") == GATEWAYS


def test_next_poll_is_the_direct_dry_run(site) -> None:
    rows = {row["key"]: row for row in site.json("/_status.json")["devices"]}
    seen = set()
    for device in site.devices:
        predicted = dict(rows[device.key]["next_poll"])
        at = predicted.pop("at")
        assert at == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(device.next_poll.timestamp()))
        direct = describe(direct_next_poll(site, device), detail=False)
        assert predicted == direct, device.key
        seen.add(predicted["text"])
    # the day ends with devices in different situations
    assert "waits for the /allow hours" in seen
    assert "backup" in seen
    assert "nothing: check phones-2026-12 already applied" in seen


def test_goal_state(site) -> None:
    rows = {row["key"]: row for row in site.json("/_status.json")["devices"]}
    late = {d.key for d in site.devices if d.model == "IP1200"}
    late = set(sorted(late)[-LATE_BASES:])
    for key, row in rows.items():
        # the bases installed after the night still run the old build
        assert row["in_goal"] is (key not in late), key
        if key in late:
            assert row["firmware"] == "13-5010000"


def test_only_the_device_without_backups_is_flagged(site) -> None:
    data = site.json("/_status.json")
    flagged = [row for row in data["devices"] if row["flags"]]
    quiet = site.devices[QUIET_PHONE]
    assert [row["key"] for row in flagged] == [quiet.key]
    [flag] = flagged[0]["flags"]
    # its last backup arrived before noon, at its first poll of the day
    assert flag == "backup overdue: last backup 23 h 54 min ago (/force 5 h)"
    assert data["summary"]["flagged"] == 1
    only = site.json("/_status.json?flagged=1")
    assert [row["key"] for row in only["devices"]] == [quiet.key]
    page = site.get("/_status?flagged=1")[1].decode()
    assert quiet.mac in page and "backup overdue" in page
    assert site.devices[0].mac not in page


def test_device_page_data(site) -> None:
    device = site.devices[21]  # a DECT base that updated at night
    data = site.json(f"/_status/device/{quote(device.key)}.json")
    assert data["device"]["key"] == device.key
    # its next three polls, one hour apart, all waiting for the night
    polls = data["next_polls"]
    assert len(polls) == 3 and all(p["stopped_by"] == "times" for p in polls)
    assert polls[0]["events"][0]["event"] == "poll-started"
    # history newest first, with the firmware change in it
    history = data["history"]
    assert history[0]["kind"] in ("poll", "backup")
    firmware = [h["firmware"] for h in history if h["kind"] == "poll"]
    assert firmware[0] == "13-5021837" and firmware[-1] == "13-5010000"
    # its backup uses a rolling index: the file is attributed to the device
    [backup] = data["backups"]
    assert backup["path"].startswith(f"backups/{device.state.hardware_id}-")
    assert backup["versions"][0]["version"] == 0
    assert data["script"]["path"] == "update-ip1200.htm" and data["script"]["gate"] == "ok"


def test_scripts_page_data(site) -> None:
    data = site.json("/_status/scripts.json")
    scripts = {s["path"]: s for s in data["scripts"]}
    assert sorted(scripts) == ["update-ip1200.htm", "update-ip232.htm", "update-ip6010.htm"]
    bases = scripts["update-ip1200.htm"]
    assert (bases["devices"], bases["in_goal"], bases["flagged"]) == (BASES, BASES - LATE_BASES, 0)
    assert bases["firmware"] == {"13-5010000": LATE_BASES, "13-5021837": BASES - LATE_BASES}
    series = bases["rollout"]["series"]
    # at the start every base ran the old build; at the end most run the new one
    assert series["13-5010000"][0] > 0 and series["13-5021837"][0] == 0
    assert series["13-5021837"][-1] == BASES - LATE_BASES and series["13-5010000"][-1] == LATE_BASES
    phones = scripts["update-ip232.htm"]
    assert (phones["devices"], phones["flagged"]) == (PHONES, 1)
    page = site.get("/_status/scripts")[1].decode()
    assert page.count("<svg") == 3 and "13-5021837" in page


def test_backup_download_and_diff(site) -> None:
    device = site.devices[0]
    data = site.json(f"/_status/device/{quote(device.key)}.json")
    [backup] = data["backups"]
    path = backup["path"]
    assert len(backup["versions"]) >= 2
    status, body = site.get(f"/_status/device/{quote(device.key)}/backup?path={quote(path)}&version=0")
    assert status == 200 and body == (site.root / path).read_bytes()
    status, body = site.get(f"/_status/device/{quote(device.key)}/backup?path={quote(path)}&version=1")
    assert status == 200 and body == (site.root / "backups" / ".versions" / (Path(path).name + ".1")).read_bytes()
    # the first backup was made before the firmware update, the last one after it
    oldest = backup["versions"][-1]["version"]
    diff = site.json(f"/_status/device/{quote(device.key)}/diff.json?path={quote(path)}&old={oldest}&new=0")
    assert diff["binary"] is False and diff["lines"][0].startswith("---")
    assert "+vars create UPDATE/PROT p 13-5021837" in diff["lines"]
    page = site.get(f"/_status/device/{quote(device.key)}/diff?path={quote(path)}&old={oldest}&new=0")[1].decode()
    assert '<span class="add">+vars create UPDATE/PROT p 13-5021837</span>' in page
    # another device's backup is not handed out through this device
    other = site.devices[1].state.hardware_id
    assert site.get(f"/_status/device/{quote(device.key)}/backup?path=backups/{other}.txt&version=0")[0] == 404
