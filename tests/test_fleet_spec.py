"""The fleet file: reading, defaults, errors that name file and key."""

from __future__ import annotations

from datetime import datetime

import pytest

from innoscript.fleet.spec import FleetSpecError, default_fleet, load_fleet, parse_fleet, parse_start

FULL = """
[fleet]
seed = 3
start = 2026-12-24T20:30:00
days = 2.5
server = "http://192.168.0.10/updates"
bandwidth_kbit = 500
restart_seconds = 90
options = { update_vars_survive_reboot = false }

[groups.dect]
count = 12
model = "ip1200"
firmware = "13-50012.34"
boot = 145
radio = "PCS04fd"
vars = { PROT = "13-5001234", "UPDATE/CHECK" = "2026-1" }
poll_minutes = 30
has_clock = false
tz_offset = -3.5
boot_spread_hours = 6
new_share = 0.25
busy_share = 0.1
target = "13-5001235"

[groups.phones]
model = "IP232"
update_url = "http://192.168.0.10/phones/"
"""


def test_full_file():
    spec = parse_fleet(FULL, "f.toml")
    assert spec.seed == 3 and spec.days == 2.5 and spec.start == datetime(2026, 12, 24, 20, 30)
    assert spec.server == "http://192.168.0.10/updates/"
    assert spec.transfer_seconds(500_000 // 8) == 1 and spec.transfer_seconds(500_000) == 8
    assert spec.restart_seconds == 90 and spec.options == (("update_vars_survive_reboot", False),)
    dect, phones = spec.groups
    assert dect.name == "dect" and dect.model == "IP1200" and dect.count == 12
    assert dect.update_url == "http://192.168.0.10/updates/update-ip1200.htm"
    assert dect.firmware == "13-50012.34" and dect.boot == "145" and dect.radio == "PCS04fd"
    assert dect.vars == (("CHECK", "2026-1"), ("PROT", "13-5001234"))
    assert dect.poll_seconds == 1800 and not dect.has_clock and dect.tz_offset_minutes == -210
    assert dect.new_count == 3 and dect.busy_share == 0.1 and dect.target == "13-5001235"
    assert phones.count == 10 and phones.update_url == "http://192.168.0.10/phones/update-ip232.htm"
    assert phones.has_clock and phones.poll_minutes == 15
    assert spec.device_count == 22 and spec.seconds == 216000


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[groups.a]\nmodel = "IP9"\n', "groups.a.model", "unknown model"),
        ("[groups.a]\ncount = 3\n", "groups.a.model", "missing"),
        ('[groups.a]\nmodel = "IP232"\ncount = -1\n', "groups.a.count", "at least 0"),
        ('[groups.a]\nmodel = "IP232"\ncount = "many"\n', "groups.a.count", "integer"),
        ('[groups.a]\nmodel = "IP232"\nbusy_share = 1.5\n', "groups.a.busy_share", "at most 1"),
        ('[groups.a]\nmodel = "IP232"\npoll_minutes = 0\n', "groups.a.poll_minutes", "at least 1"),
        ('[groups.a]\nmodel = "IP232"\nhas_clock = "yes"\n', "groups.a.has_clock", "true or false"),
        ('[groups.a]\nmodel = "IP232"\ncolour = 1\n', "groups.a.colour", "unknown key"),
        ('[groups.a]\nmodel = "IP232"\nvars = { FOO = "1" }\n', "groups.a.vars.FOO", "unknown variable"),
        ('[groups.a]\nmodel = "IP232"\nupdate_url = "ftp://x/"\n', "groups.a.update_url", "http"),
        ('[groups.a]\nmodel = "IP232"\ntz_offset = 20\n', "groups.a.tz_offset", "at most 14"),
        ('[fleet]\ndays = 0\n[groups.a]\nmodel = "IP232"\n', "fleet.days", "above 0"),
        ('[fleet]\nstart = "tomorrow"\n[groups.a]\nmodel = "IP232"\n', "fleet.start", "date and time"),
        ('[fleet]\nserver = "10.0.0.5"\n[groups.a]\nmodel = "IP232"\n', "fleet.server", "http"),
        ('[fleet]\nspeed = 1\n[groups.a]\nmodel = "IP232"\n', "fleet.speed", "unknown key"),
        ("[fleet]\nseed = 1\n", "groups", "no device groups"),
        ('[group.a]\nmodel = "IP232"\n', "group", "unknown key"),
        ('[groups."a b"]\nmodel = "IP232"\n', "groups.a b", "group names"),
    ],
)
def test_errors_name_file_and_key(text, key, words):
    with pytest.raises(FleetSpecError) as info:
        parse_fleet(text, "site.toml")
    message = str(info.value)
    assert message.startswith(f"site.toml: {key}: "), message
    assert words in message
    assert info.value.key == key


def test_not_toml_and_not_utf8():
    with pytest.raises(FleetSpecError, match=r"^f.toml: not valid TOML"):
        parse_fleet("[groups.a\n", "f.toml")
    with pytest.raises(FleetSpecError, match=r"^f.toml: not UTF-8"):
        parse_fleet(b"\xff\xfe[", "f.toml")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FleetSpecError, match="no such file"):
        load_fleet(tmp_path / "none.toml")
    with pytest.raises(FleetSpecError, match="is a directory"):
        load_fleet(tmp_path)


def test_default_fleet_from_root(tmp_path):
    (tmp_path / "update-ip1200.htm").write_text("mod cmd UP1 check ser 1\n")
    (tmp_path / "update-ip232.htm").write_text("")
    (tmp_path / "update-nothing.htm").write_text("")
    (tmp_path / "readme.txt").write_text("")
    spec = default_fleet(tmp_path)
    assert [(g.name, g.model, g.count, g.update_url) for g in spec.groups] == [
        ("ip1200", "IP1200", 10, "http://10.0.0.5/update-ip1200.htm"),
        ("ip232", "IP232", 10, "http://10.0.0.5/update-ip232.htm"),
    ]
    with pytest.raises(FleetSpecError, match="no update-<model>.htm"):
        default_fleet(tmp_path / "empty")


def test_parse_start():
    assert parse_start("2026-12-01T18:00") == datetime(2026, 12, 1, 18, 0)
    assert parse_start("2026-12-01 18:00:59") == datetime(2026, 12, 1, 18, 0)
    with pytest.raises(ValueError):
        parse_start("18:00 tomorrow")


def test_example_file_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / "examples" / "fleet.toml"
    spec = load_fleet(example)
    assert spec.device_count > 0 and len(spec.groups) >= 2
