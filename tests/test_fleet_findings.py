"""fleet_findings: what `innolint --simulate --fleet` reports on a script."""

from __future__ import annotations

import pytest

from innoscript.fleet import FleetSpecError, fleet_findings

FLEET = """
[fleet]
start = "2026-12-01T18:00"
days = 2

[groups.dect]
count = 6
model = "IP1200"
firmware = "13-5001234"

[groups.noclock]
count = 2
model = "IP1200"
firmware = "13-5001234"
has_clock = false

[groups.phones]
count = 3
model = "IP232"
"""

SCRIPT = (
    "# site Nord\n"
    "mod cmd UP1 times /allow 23,0,1\n"
    "mod cmd UP0 scfg http://10.0.0.5/backup/site.txt ser DAILY /force 24\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\n"
)


@pytest.fixture()
def site(tmp_path):
    (tmp_path / "fw").mkdir()
    (tmp_path / "fw" / "IP1200.bin").write_bytes(b"x" * 1000)
    script = tmp_path / "update-ip1200.htm"
    script.write_text(SCRIPT)
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET)
    return script, fleet


def test_findings_point_at_the_cause(site):
    script, fleet = site
    findings = fleet_findings(script, fleet)
    assert findings == sorted(findings)
    assert (2, "fleet group noclock: 2 of 2 devices not converged after 2 days (no clock)") in findings
    backup = [message for line, message in findings if line == 3]
    assert len(backup) == 1 and "written by several devices" in backup[0]
    assert "http://10.0.0.5/backup/site.txt" in backup[0]
    # the phones fetch update-ip232.htm: not this script's business
    assert not any("phones" in message for _, message in findings)


def test_clean_script_has_no_findings(site):
    script, fleet = site
    script.write_text(SCRIPT.replace("backup/site.txt", "backup/#m.txt"))
    fleet.write_text(FLEET.replace("has_clock = false", "has_clock = true"))
    assert fleet_findings(script, fleet) == []


def test_loops_point_at_the_download(site):
    script, fleet = site
    script.write_text(SCRIPT.replace("/fw/ ireset", "/fw/ reset").replace("13-5001235", "13-50012.35"))
    fleet.write_text(FLEET.replace("days = 2", 'days = 2\noptions = { update_vars_survive_reboot = false }'))
    findings = fleet_findings(script, fleet)
    assert any(line == 4 and "6 of 6 devices loop" in message for line, message in findings)


def test_script_no_group_fetches(site, tmp_path):
    _, fleet = site
    other = tmp_path / "update-ip72.htm"
    other.write_text(SCRIPT)
    assert fleet_findings(other, fleet) == []


def test_bad_fleet_file_names_key(site):
    script, fleet = site
    fleet.write_text('[groups.a]\nmodel = "IP1200"\ncount = "x"\n')
    with pytest.raises(FleetSpecError, match=r"fleet.toml: groups.a.count: must be an integer"):
        fleet_findings(script, fleet)
