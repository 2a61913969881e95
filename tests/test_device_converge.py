"""Polling until convergence, loop detection and time between polls."""

from __future__ import annotations

from datetime import datetime

from innoscript.device import (
    DEFAULT_OPTIONS,
    MemoryFetcher,
    advance,
    make_state,
    poll_interval,
    run_poll,
    run_until_converged,
)

FW = "http://10.0.0.5/fw/"


def device(model="IP232", **fields):
    fields.setdefault("clock", datetime(2026, 3, 2, 2, 0))
    fields.setdefault("uptime_min", 600)
    return make_state(model, **fields)


def test_firmware_update_converges_after_the_restart():
    text = f"mod cmd UP1 check ser S\nmod cmd UP0 prot {FW} ireset 08-2\nconfig write\n"
    run = run_until_converged(device(firmware="08-1"), MemoryFetcher(default=b""), script=text)
    assert run.converged and run.loop is None
    assert [len(p.result.summary.restarts) for p in run.polls] == [1, 0, 0]
    assert run.state.firmware == "08-2" and run.state.var("CHECK") == "S"
    # A converged device does nothing on the next poll.
    again = run_poll(advance(run.state, 15), MemoryFetcher(default=b""), script=text)
    assert not again.summary.changed


def test_bare_reset_is_a_restart_loop():
    text = "config add GW1 /name a\nconfig write\nreset\n"
    run = run_until_converged(device(), MemoryFetcher(), script=text)
    assert not run.converged
    assert run.loop is not None and run.loop.lines == (3,)
    assert run.loop.restarts >= 1
    assert len(run.polls) < 20  # found early, not at the limit


def test_13_1_vars_lost_at_restart_with_dotted_serial_loops():
    text = f"mod cmd UP0 prot {FW} ireset 07-60600.03\n"
    fetcher = MemoryFetcher(default=b"")
    kept = run_until_converged(device(firmware="07-1"), fetcher, script=text)
    assert kept.converged and kept.loop is None
    lost = run_until_converged(
        device(firmware="07-1"), fetcher, DEFAULT_OPTIONS.replace(update_vars_survive_reboot=False), script=text
    )
    assert lost.loop is not None and lost.loop.downloads >= 1 and lost.loop.lines == (1,)
    assert "repeats" in lost.loop.message


def test_time_advances_between_polls_so_initial_plays_out():
    text = "mod cmd UP1 times /initial 20\nvars create A/B p 1\n"
    run = run_until_converged(device(uptime_min=0), MemoryFetcher(), script=text)
    stops = [p.result.summary.stopped_by for p in run.polls]
    assert stops[:2] == ["initial", "initial"] and stops[2] == "end"
    assert [p.uptime_min for p in run.polls[:3]] == [0, 15, 30]
    assert run.converged


def test_allow_window_opens_as_the_clock_advances():
    text = "mod cmd UP1 times /allow 3\nvars create A/B p 1\n"
    run = run_until_converged(device(clock=datetime(2026, 3, 2, 2, 30)), MemoryFetcher(), script=text)
    assert [p.result.summary.stopped_by for p in run.polls][:3] == ["times", "times", "end"]
    assert run.polls[2].clock.hour == 3


def test_waiting_for_times_is_not_convergence():
    text = "mod cmd UP1 times /allow 12\nconfig write\n"
    run = run_until_converged(device(), MemoryFetcher(), script=text, max_polls=5)
    assert not run.converged and run.loop is None and len(run.polls) == 5


def test_polls_runs_exactly_n():
    run = run_until_converged(device(), MemoryFetcher(), script="vars create A/B p 1\n", polls=4)
    assert len(run.polls) == 4 and run.converged


def test_13_3_first_poll_after_one_interval():
    state = device(uptime_min=0)
    immediate = run_until_converged(state, MemoryFetcher(), script="config write\n")
    later = run_until_converged(state, MemoryFetcher(), DEFAULT_OPTIONS.replace(first_poll="interval"), script="config write\n")
    assert immediate.polls[0].uptime_min == 0
    assert later.polls[0].uptime_min == 15


def test_2_3_new_devices_poll_fast_until_they_fetch():
    assert poll_interval(device(is_new=True, uptime_min=3)) == 1
    assert poll_interval(device(is_new=True, uptime_min=40)) == 15
    assert poll_interval(device(is_new=False, uptime_min=3)) == 15


def test_converged_only_when_a_poll_uploads_nothing():
    # A backup on every poll is activity: the device never settles, though
    # nothing loops (converged = no change, download, upload or restart).
    text = "mod cmd UP0 scfg http://10.0.0.5/b/#m-#b3.txt\nconfig add GW1 /name a\nconfig write\n"
    run = run_until_converged(device(), MemoryFetcher(), script=text, max_polls=6)
    assert not run.converged and run.loop is None
    assert all(p.result.summary.uploads for p in run.polls)
    once = run_until_converged(device(), MemoryFetcher(), script="mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser B1\n")
    assert once.converged and len(once.polls) == 2


def test_same_inputs_same_event_stream():
    text = f"mod cmd UP0 scfg http://10.0.0.5/b/#d.txt\nmod cmd UP1 check ser S\nmod cmd UP0 prot {FW} ireset 08-2\n"
    runs = [run_until_converged(device(firmware="08-1"), MemoryFetcher(default=b""), script=text) for _ in range(2)]
    assert [p.result.events for p in runs[0].polls] == [p.result.events for p in runs[1].polls]


def test_a_script_that_cannot_be_fetched_is_not_convergence():
    state = device(update_url="http://10.0.0.5/")
    run = run_until_converged(state, MemoryFetcher())
    assert not run.converged and run.loop is None
    assert len(run.polls) == 2  # the same failure twice: stop early
    assert run.state.status == "failed(404)"
