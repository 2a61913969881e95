"""Fleet simulation: known answers, fast path == exact path, determinism."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoscript.device.fetch import MemoryFetcher
from innoscript.device.options import InterpreterOptions
from innoscript.fleet import InterpreterPoller, build_report, parse_fleet, simulate, to_json
from innoscript.fleet.devices import Schedule, busy_bases, draw, first_boot, first_boots, is_busy, split_busy
from innoscript.fleet.spec import GroupSpec

SERVER = "http://10.0.0.5/"
FIRMWARE = b"\x00" * 250_000  # 1 s at 2000 kbit/s


def run(toml: str, files: dict[str, bytes], *, exact: bool = False, options: InterpreterOptions | None = None):
    spec = parse_fleet(toml, "fleet.toml")
    fetcher = MemoryFetcher({SERVER + name: body for name, body in files.items()})
    poller = InterpreterPoller(spec, fetcher, options)
    result = simulate(spec, poller, exact=exact)
    return build_report(result, poller.describe)


def both(toml: str, files: dict[str, bytes], options: InterpreterOptions | None = None) -> dict:
    """The report, after checking that both paths give it byte for byte."""
    fast = to_json(run(toml, files, options=options))
    exact = to_json(run(toml, files, exact=True, options=options))
    assert fast == exact
    return json.loads(fast)


def group(report: dict, name: str) -> dict:
    return next(g for g in report["groups"] if g["name"] == name)


UPDATE = b"mod cmd UP1 times /allow 23,0,1\r\nmod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\r\n"
FILES = {"update-ip1200.htm": UPDATE, "fw/IP1200.bin": FIRMWARE}
FLEET = """
[fleet]
start = "2026-12-01T18:00"
days = 2
seed = 7

[groups.dect]
count = 10
model = "IP1200"
firmware = "13-5001234"
poll_minutes = 15
"""


def test_all_update_in_the_first_allowed_hour():
    report = both(FLEET, FILES)
    dect = group(report, "dect")
    assert dect["converged"] == 10 and dect["never_updated"] == {}
    assert dect["downloads"] == 10 and dect["restarts"] == 10 and dect["loops"] == 0
    ttc = dect["time_to_converge"]
    # 18:00 start, first allowed hour 23:00: every poll in 23:00-23:59 downloads.
    assert 5 * 3600 <= ttc["p50"] <= ttc["p95"] <= ttc["max"] <= 6 * 3600 + 120
    assert dect["goal"]["firmware"] == "13-5001235"
    server = report["server"]
    assert server["downloads"] == 10 and sum(server["downloads_per_hour"][5:6]) == 10
    assert server["bytes_down"] == 10 * len(FIRMWARE)
    assert 1 <= server["peak_concurrent_transfers"] <= 10
    # after the update every poll is a no-op: 4 polls an hour for 2 days
    assert 10 * 4 * 47 <= dect["polls"] <= 10 * 4 * 49


def test_group_without_clock_never_updates():
    toml = FLEET + '\n[groups.noclock]\ncount = 4\nmodel = "IP1200"\nfirmware = "13-5001234"\nhas_clock = false\n'
    report = both(toml, FILES)
    noclock = group(report, "noclock")
    assert noclock["converged"] == 0 and noclock["downloads"] == 0
    assert noclock["never_updated"] == {"no clock": 4}
    assert noclock["converged_by_hour"][-1] == 0
    assert group(report, "dect")["converged_by_hour"][-1] == 10


def test_missing_script_is_a_failed_fetch():
    toml = FLEET + '\n[groups.phones]\ncount = 3\nmodel = "IP232"\n'
    report = both(toml, FILES)
    assert group(report, "phones")["never_updated"] == {"failed fetch": 3}


def test_time_zone_shifts_the_allowed_hour():
    # Local time is 3 hours ahead: 23:00 local is 20:00 on the simulation clock.
    report = both(FLEET.replace("poll_minutes = 15", "poll_minutes = 15\ntz_offset = 3"), FILES)
    ttc = group(report, "dect")["time_to_converge"]
    assert 2 * 3600 <= ttc["p50"] and ttc["max"] <= 3 * 3600 + 120


def test_new_devices_are_unpacked_during_the_run():
    toml = FLEET.replace("poll_minutes = 15", "poll_minutes = 15\nnew_share = 0.5\nboot_spread_hours = 24")
    report = both(toml.replace("days = 2", "days = 0.25"), FILES)
    dect = group(report, "dect")
    # Six hours, 18:00 to 00:00: new devices boot spread over 24 hours, so
    # some boot after the end and never poll.
    never = dect["never_updated"]
    assert sum(never.values()) + dect["converged"] == 10
    assert never.get("never polled", 0) >= 1
    assert dect["polls"] > 5 * 4 * 5  # new devices poll every minute in their first half hour


def test_busy_devices_restart_later():
    toml = FLEET.replace("poll_minutes = 15", "poll_minutes = 15\nbusy_share = 0.6").replace("count = 10", "count = 30")
    report = both(toml, FILES)
    dect = group(report, "dect")
    assert dect["downloads"] == 30 and dect["converged"] == 30
    # a busy device's ireset waits for its next idle poll, 15 minutes or more later
    assert dect["time_to_converge"]["max"] > dect["time_to_converge"]["p50"]


def test_loop_is_reported():
    # A dotted serial never equals the running build once UPDATE/PROT is lost at restart.
    script = UPDATE.replace(b"13-5001235", b"13-50012.35")
    options = InterpreterOptions(update_vars_survive_reboot=False)
    report = both(FLEET, {**FILES, "update-ip1200.htm": script}, options)
    dect = group(report, "dect")
    assert dect["loops"] == 10 and dect["converged"] == 0
    assert dect["downloads"] >= 20
    assert dect["never_updated"] == {"loop": 10}
    assert dect["goal"] is None


def test_shared_backup_url_loses_backups():
    shared = b"mod cmd UP0 scfg http://10.0.0.5/backup/site.txt ser DAILY /force 24\r\n"
    report = both(FLEET, {"update-ip1200.htm": shared})
    backups = report["backups"]
    assert backups["files"] == 1 and backups["shared_files"] == 1
    assert backups["shared_examples"] == ["http://10.0.0.5/backup/site.txt"]
    # each device uploads once, then again a day later (/force 24): 2 days -> 2 or 3 each
    assert 20 <= backups["writes"] <= 30


def test_per_device_backups_are_distinct():
    own = b"mod cmd UP0 scfg http://10.0.0.5/backup/#m-#b3.txt ser DAILY /force 24\r\n"
    report = both(FLEET, {"update-ip1200.htm": own})
    backups = report["backups"]
    assert backups["shared_files"] == 0
    assert backups["files"] == backups["writes"]  # 2 days: at most indices 0..2 per device
    assert 20 <= backups["writes"] <= 30
    assert group(report, "dect")["uploads"] == backups["writes"]


def test_same_seed_same_report_other_seed_other_uptimes():
    first = to_json(run(FLEET, FILES))
    assert to_json(run(FLEET, FILES)) == first
    other = to_json(run(FLEET.replace("seed = 7", "seed = 8"), FILES))
    assert json.loads(other)["groups"][0]["converged"] == 10
    assert other != first


def test_draws_are_independent_of_order_and_spread():
    values = [draw(3, d, 1) for d in range(2000)]
    assert values == [draw(3, d, 1) for d in range(2000)]
    assert 0.45 < sum(values) / len(values) < 0.55
    assert len(set(values)) == len(values)


def test_first_boot_spreads_uptimes_and_new_devices_boot_later():
    g = GroupSpec("g", 10, "IP232", SERVER, boot_spread_hours=2, new_share=0.3)
    boots = [first_boot(1, d, d, g) for d in range(10)]
    assert [new for _, new in boots] == [True] * 3 + [False] * 7
    assert all(0 <= b < 7200 for b, new in boots if new)
    assert all(-7200 < b <= 0 for b, new in boots if not new)


def test_draws_for_many_devices_equal_the_draws_one_by_one():
    g = GroupSpec("g", 3000, "IP232", SERVER, boot_spread_hours=7.3, busy_share=0.3, new_share=0.3)
    devices = range(500, 3500)
    for seed in (0, 7, -5, 2**70):
        bases = busy_bases(seed, devices)
        sample = list(devices)[::7]
        for when in (0, 1, 900, 30 * 86400, -60):
            idle, busy = split_busy(bases, 500, sample, g.busy_share, when)
            assert busy == [d for d in sample if is_busy(seed, d, g, when)]
            assert idle == [d for d in sample if not is_busy(seed, d, g, when)]
        assert first_boots(seed, devices, g, True) == [first_boot(seed, d, 0, g)[0] for d in devices]
        assert first_boots(seed, devices, g, False) == [first_boot(seed, d, 2999, g)[0] for d in devices]


def test_schedule():
    s = Schedule(new_poll=60, new_window=1800, immediate=True)
    assert s.next(100, 99, 900, False) == 100  # right at boot
    assert s.next(100, 100, 900, False) == 1000
    assert s.next(100, 100, 900, True) == 160  # a new device polls every minute
    assert s.next(100, 1840, 900, True) == 1900  # ... for 30 minutes
    assert s.next(100, 1900, 900, True) == 2800
    assert Schedule(immediate=False).next(100, 99, 900, False) == 1000


# -- fast path == exact path over small random fleets

SCRIPTS = [
    b"mod cmd UP1 times /allow {hours}\r\nmod cmd UP0 prot http://10.0.0.5/fw/ {final} 13-2\r\n",
    b"mod cmd UP1 times /allow {hours} /initial 6\r\nmod cmd UP0 prot http://10.0.0.5/fw/ {final} 13-2\r\n",
    b"mod cmd UP0 scfg http://10.0.0.5/b/#m-#b2.txt ser W /force 5\r\nmod cmd UP1 times /allow {hours}\r\n"
    b"mod cmd UP1 check {final} C1\r\nconfig add UP1 /poll 20\r\nconfig write\r\nconfig activate\r\n",
    b"mod cmd UP1 times /allow {hours} /initial 20\r\nmod cmd UP0 boot http://10.0.0.5/fw/ ser 200\r\n"
    b"mod cmd UP0 prot http://10.0.0.5/fw/ ser 13-2\r\niresetn\r\n",
    b"mod cmd UP0 scfg http://10.0.0.5/b/site.txt\r\nmod cmd UP1 times /allow {hours}\r\n",
]


@st.composite
def fleets(draw_, most: int = 5):
    script = draw_(st.sampled_from(SCRIPTS))
    hours = ",".join(str(h) for h in sorted(draw_(st.sets(st.integers(0, 23), min_size=1, max_size=5))))
    final = draw_(st.sampled_from([b"ireset", b"reset", b"ser", b"iresetn"]))
    body = script.replace(b"{hours}", hours.encode()).replace(b"{final}", final)
    lines = [
        "[fleet]",
        f"seed = {draw_(st.integers(0, 1000))}",
        f'start = "2026-12-0{draw_(st.integers(1, 3))}T{draw_(st.integers(0, 23)):02d}:{draw_(st.sampled_from([0, 7, 30])):02d}"',
        f"days = {draw_(st.sampled_from([0.5, 1, 1.5]))}",
        f"restart_seconds = {draw_(st.sampled_from([0, 60, 400]))}",
    ]
    for i in range(draw_(st.integers(1, 2))):
        lines += [
            f"[groups.g{i}]",
            f"count = {draw_(st.integers(1, most))}",
            'model = "IP1200"',
            f'firmware = "{draw_(st.sampled_from(["13-1", "13-2"]))}"',
            f"poll_minutes = {draw_(st.sampled_from([5, 15, 60]))}",
            f"has_clock = {draw_(st.sampled_from(['true', 'true', 'false']))}",
            f"tz_offset = {draw_(st.sampled_from([0, 1, -5.5]))}",
            f"boot_spread_hours = {draw_(st.sampled_from([0, 1, 24]))}",
            f"new_share = {draw_(st.sampled_from([0, 0.5]))}",
            f"busy_share = {draw_(st.sampled_from([0, 0.4]))}",
        ]
    return "\n".join(lines) + "\n", body, draw_(st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleets())
def test_fast_path_equals_exact_path(case):
    same_report_both_ways(case)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleets(most=30))
def test_fast_path_equals_exact_path_in_larger_fleets(case):
    # Dozens of devices: cohorts of several devices that merge, split and
    # share effects, which two or three devices seldom do.
    same_report_both_ways(case)


def same_report_both_ways(case) -> None:
    toml, body, firmware_there = case
    files = {"update-ip1200.htm": body, "fw/IP1200-boot.bin": b"b" * 1000}
    if firmware_there:
        files["fw/IP1200.bin"] = FIRMWARE  # else every download fails and is retried
    fast = to_json(run(toml, files))
    exact = to_json(run(toml, files, exact=True))
    assert fast == exact


def test_fast_path_skips_polls():
    spec = parse_fleet(FLEET.replace("count = 10", "count = 300").replace("days = 2", "days = 10"), "f.toml")
    poller = InterpreterPoller(spec, MemoryFetcher({SERVER + k: v for k, v in FILES.items()}))
    result = simulate(spec, poller)
    polls = sum(result.recorder.polls)
    assert polls > 300 * 4 * 24 * 9
    # the whole point: far fewer interpreter runs and steps than polls
    assert result.stats["interpreter_runs"] * 100 < polls
    assert result.stats["cohort_steps"] * 20 < polls


@pytest.mark.parametrize("exact", [False, True])
def test_progress_reaches_the_end(exact):
    spec = parse_fleet(FLEET, "f.toml")
    poller = InterpreterPoller(spec, MemoryFetcher({SERVER + k: v for k, v in FILES.items()}))
    done = []
    simulate(spec, poller, exact=exact, progress=done.append)
    assert sum(done) == spec.seconds and all(step >= 0 for step in done)


def test_backups_named_by_device_are_shared_without_rerunning():
    own = b"mod cmd UP0 scfg http://10.0.0.5/backup/#m/#h-#b3.txt ser DAILY /force 24\r\n"
    toml = FLEET.replace("count = 10", "count = 40").replace("poll_minutes = 15", "poll_minutes = 15\nboot_spread_hours = 0")
    report = both(toml, {"update-ip1200.htm": own})
    backups = report["backups"]
    # all boot at the start: backups at 0 h, 24 h and 48 h (the end is included)
    assert backups["shared_files"] == 0 and backups["files"] == backups["writes"] == 40 * 3
    spec = parse_fleet(toml, "f.toml")
    poller = InterpreterPoller(spec, MemoryFetcher({SERVER + "update-ip1200.htm": own}))
    result = simulate(spec, poller)
    assert result.stats["interpreter_runs"] < 40
    urls = sorted(result.recorder.backup_files())
    assert urls[0] == "http://10.0.0.5/backup/00-90-33-00-00-00/IP1200-00-00-00-0.txt"
    assert "http://10.0.0.5/backup/00-90-33-00-00-27/IP1200-00-00-27-2.txt" in urls


def test_missing_firmware_is_retried_at_every_allowed_poll():
    report = both(FLEET, {"update-ip1200.htm": UPDATE})
    dect = group(report, "dect")
    # 4 polls an hour in 23:00-01:59, two nights, ten devices
    assert dect["downloads"] == 10 * 4 * 3 * 2
    assert dect["never_updated"] == {"failed download": 10} and dect["loops"] == 0
    assert report["server"]["bytes_down"] == 0


# -- shortcuts of the fast path, each against the exact path

SPREAD = FLEET.replace("count = 10", "count = 60").replace("poll_minutes = 15", "poll_minutes = 15\nbusy_share = 0.3")


def fast_stats(toml: str, files: dict[str, bytes]) -> dict:
    spec = parse_fleet(toml, "f.toml")
    poller = InterpreterPoller(spec, MemoryFetcher({SERVER + k: v for k, v in files.items()}))
    return simulate(spec, poller).stats


def test_polls_that_do_something_are_shared_as_effects():
    # Each device backs up to its own file, updates and restarts (or waits, busy):
    # the polls of later cohorts are not run but made from a confirmed effect.
    script = (b"mod cmd UP1 times /allow 23,0,1\r\nmod cmd UP0 scfg http://10.0.0.5/b/#h-#b3.txt ser W /force 24\r\n"
              b"mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\r\n")
    files = {"update-ip1200.htm": script, "fw/IP1200.bin": FIRMWARE}
    report = both(SPREAD, files)
    dect = group(report, "dect")
    assert dect["converged"] == 60 and dect["restarts"] == 60 and dect["downloads"] == 60
    assert report["backups"]["shared_files"] == 0 and report["backups"]["files"] == report["backups"]["writes"] >= 120
    small = fast_stats(SPREAD, files)
    assert small["shared_effects"] >= 3 and small["unshared_polls"] == 0
    # ten times the devices, hardly more runs (each device polling on its own: over 1,000)
    large = fast_stats(SPREAD.replace("count = 60", "count = 600"), files)
    assert large["interpreter_runs"] <= small["interpreter_runs"] + 20


def test_an_effect_that_depends_on_the_clock_is_not_shared():
    # `#d` puts the poll's date and time into the backup URL: no rule made at
    # one moment gives another moment's URL, so those polls are run.
    script = b"mod cmd UP1 times /allow 23,0,1\r\nmod cmd UP0 scfg http://10.0.0.5/b/#m-#d.txt ser W /force 24\r\n"
    files = {"update-ip1200.htm": script}
    report = both(SPREAD, files)
    assert report["backups"]["shared_files"] == 0 and report["backups"]["files"] == report["backups"]["writes"] >= 120
    stats = fast_stats(SPREAD, files)
    assert stats["unshared_polls"] >= 1
    assert stats["interpreter_runs"] >= report["backups"]["writes"]


def test_hours_skipped_only_while_every_poll_in_them_is_a_no_op():
    # Polls 23 h 40 min apart come 20 minutes earlier each day: for weeks
    # they fall in the same few hours (all no-ops), and only the 26th poll
    # (25 x 23:40 after the start) falls in the allowed hour, 9 hours before
    # the first poll's.
    toml = FLEET.replace("days = 2", "days = 40").replace("poll_minutes = 15", "poll_minutes = 1420\nboot_spread_hours = 0")
    script = b"mod cmd UP1 times /allow 9\r\nmod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\r\n"
    report = both(toml, {"update-ip1200.htm": script, "fw/IP1200.bin": FIRMWARE})
    dect = group(report, "dect")
    assert dect["converged"] == 10 and dect["downloads"] == 10
    assert dect["time_to_converge"]["max"] == 25 * (23 * 3600 + 40 * 60) + 1 + 60  # the download, then the restart


def test_backup_named_by_one_device_and_written_by_others_is_shared():
    # Devices of `own` back up to their MAC's file; `fixed` devices all write
    # the file named by device 1's MAC.  Counted per device, the fast path
    # must notice the one file both kinds of URL name.
    own = b"mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser W\r\n"
    fixed = b"mod cmd UP0 scfg http://10.0.0.5/b/00-90-33-00-00-01.txt ser W\r\n"
    toml = FLEET + '\n[groups.fixed]\ncount = 3\nmodel = "IP1200"\nupdate_url = "http://10.0.0.5/fixed.htm"\n'
    report = both(toml, {"update-ip1200.htm": own, "fixed.htm": fixed})
    backups = report["backups"]
    assert backups["writes"] == 13 and backups["files"] == 10
    assert backups["shared_files"] == 1 and backups["shared_examples"] == ["http://10.0.0.5/b/00-90-33-00-00-01.txt"]


def test_backups_named_by_the_device_are_counted_without_their_urls():
    own = b"mod cmd UP0 scfg http://10.0.0.5/b/#h-#b2.txt ser W /force 24\r\n"
    toml = FLEET.replace("count = 10", "count = 40").replace("poll_minutes = 15", "poll_minutes = 15\nboot_spread_hours = 0")
    report = both(toml, {"update-ip1200.htm": own})
    backups = report["backups"]
    assert backups["shared_files"] == 0 and backups["files"] == 40 * 2 and backups["writes"] == 40 * 3
    spec = parse_fleet(toml, "f.toml")
    poller = InterpreterPoller(spec, MemoryFetcher({SERVER + "update-ip1200.htm": own}))
    recorder = simulate(spec, poller).recorder
    assert not recorder.backups  # one byte per device and file name, no URL kept
    files = recorder.backup_files()
    assert len(files) == 80 and files["http://10.0.0.5/b/IP1200-00-00-27-1.txt"] == 39


def test_backups_counted_per_device_and_one_by_one_are_counted_once():
    # Spread uptimes: devices alone in their cohort are run one by one, and
    # their backup URLs kept as text, beside those counted per device.
    own = b"mod cmd UP0 scfg http://10.0.0.5/b/#h-#b2.txt ser W /force 24\r\n"
    toml = FLEET.replace("count = 10", "count = 40")
    report = both(toml, {"update-ip1200.htm": own})
    assert report["backups"]["shared_files"] == 0 and report["backups"]["files"] == 40 * 2


def test_backup_count_per_device_agrees_with_the_urls():
    from innoscript.fleet.poller import TAIL, Effect, Outcome, Transfer
    from innoscript.fleet.record import Recorder

    spec = parse_fleet(FLEET.replace("count = 10", "count = 20"), "f.toml")
    rec = Recorder(spec, [None])

    def put(devices, url, named=None):
        rec.transfers(0, devices, 0, Outcome("done", (Transfer("scfg", "PUT", url, 10),), None, False), named)

    framed = Effect("done", (Transfer("scfg", "PUT", f"http://s/b/{TAIL}.txt", 10),), None, False, False, True)
    put([5, 6, 7], "http://s/b/00-00-05.txt", framed)  # counted per device: 00-00-05, -06, -07
    put([5], "http://s/b/00-00-05.txt")  # the same file by the same device, as text
    put([8], "http://s/b/00-00-06.txt")  # device 6's file, written by device 8 too
    put([9], "http://s/b/00-00-11.txt")  # nobody's framed file (device 17 wrote none)
    put([1, 2], "http://s/b/all.txt")
    files = rec.backup_files()
    assert files == {"http://s/b/00-00-05.txt": 5, "http://s/b/00-00-06.txt": -1, "http://s/b/00-00-07.txt": 7,
                     "http://s/b/00-00-11.txt": 9, "http://s/b/all.txt": -1}
    assert rec.backup_summary() == (5, ["http://s/b/00-00-06.txt", "http://s/b/all.txt"])
    assert rec.backup_writes == 8
    # A frame of the same length with the tail elsewhere: the count is made from the URLs.
    other = Effect("done", (Transfer("scfg", "PUT", f"http://s/b/0{TAIL}txt", 10),), None, False, False, True)
    put([3], "http://s/b/000-00-03txt", other)
    assert not rec._frames_apart()
    assert rec.backup_summary() == (6, ["http://s/b/00-00-06.txt", "http://s/b/all.txt"])


def test_devices_sharing_a_poll_phase_part_when_the_interval_changes():
    # 60 uptimes spread over a day: some devices poll at the same moments
    # every 5 minutes (same boot time modulo 5 minutes) and step together;
    # `/poll 20` gives each its own phase modulo 20 minutes.
    script = b"mod cmd UP1 check ser C1\r\nconfig add UP1 /poll 20\r\nconfig write\r\nconfig activate\r\n"
    toml = FLEET.replace("count = 10", "count = 60").replace("poll_minutes = 15", "poll_minutes = 5").replace("days = 2", "days = 0.5")
    report = both(toml, {"update-ip1200.htm": script})
    dect = group(report, "dect")
    assert dect["converged"] == 60
    assert 60 * 36 - 60 < dect["polls"] < 60 * 36 + 60  # one at 5 minutes, then every 20 for 12 hours
