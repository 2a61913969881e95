"""Invariants of the interpreter over generated scripts and devices."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innoscript import catalog
from innoscript.device import (
    DEFAULT_OPTIONS,
    MemoryFetcher,
    advance,
    make_state,
    poll_interval,
    run_poll,
    run_until_converged,
)

SERIALS = ["08-1", "08-2", "07-60600.03", "140", "PCS1", "S1", "S2"]
FINALS = list(catalog.FINAL_COMMANDS) + ["no-op", "bogus"]
URLS = ["http://10.0.0.5/fw/", "http://10.0.0.5/fw/x.bin", "http://10.0.0.5/b/#m-#b3.txt", "http://10.0.0.5/b/#h.txt",
        "http://10.0.0.5/c.txt", "http://10.0.0.5/b/#bn-#d"]
PAYLOAD = b"config add GW1 /name a\nvars create UPDATE/PROT p 08-9\nmod cmd UP0 prot http://x/ reset 1\n"

hours = st.lists(st.integers(-1, 25), min_size=0, max_size=4).map(lambda h: ",".join(map(str, h)))
serial = st.sampled_from(SERIALS)
final = st.sampled_from(FINALS)
url = st.sampled_from(URLS)
module = st.sampled_from(["GW1", "UP1", "TIME", "CMD0"])


def _times(h, initial, alias):
    parts = ["mod cmd UP1 " + ("time" if alias else "times")]
    if h is not None:
        parts.append(f"/allow {h}")
    if initial is not None:
        parts.append(f"/initial {initial}")
    return " ".join(parts)


def line_strategy(serials: dict | None = None, stable: bool = False):
    """Catalogue-shaped lines; with ``serials`` each UP0 kind uses its fixed serial."""

    def pick(kind):
        return st.just(serials[kind]) if serials else serial

    shaped = [
        st.builds(_times, st.one_of(st.none(), hours), st.one_of(st.none(), st.integers(0, 30)), st.booleans()),
        st.builds(lambda f, s: f"mod cmd UP1 check {f} {s}", final, serial),
        st.builds(lambda f, s: f"mod cmd UP0 prot http://10.0.0.5/fw/ {f} {s}", final, pick("PROT")),
        st.builds(lambda f, s: f"mod cmd UP0 boot http://10.0.0.5/fw/ {f} {s}", final, pick("BOOT")),
        st.builds(lambda f, s: f"mod cmd UP0 bmc http://10.0.0.5/fw/r.bin {f} {s}", final, pick("BMC")),
        st.builds(lambda u, f, s: f"mod cmd UP0 cfg {u} {f} {s}", url, final, pick("CFG")),
        st.builds(lambda u, rest: f"mod cmd UP0 scfg {u} {rest}".strip(), url,
                  st.sampled_from(["", "ser W", "no-op W /force 1", "ser W /force x", "ser nop /always mod%20cmd%20X"])),
        st.builds(lambda v, m, o: f"config {v} {m} /{o} 1", st.sampled_from(["add", "change"]), module, st.sampled_from(["a", "url", "poll"])),
        st.sampled_from(["config write", "config activate", "mod cmd WLANMGR0 activate-pwr", "mod cmd WLANMGR0 deactivate-pwr",
                         "mod cmd UP1 poll", "mod cmd X509 xml-info", "# comment", "", "mod cmd UP0", "mod cmd UP1 check"]),
        st.sampled_from(list(catalog.FINAL_COMMANDS)),
    ]
    if not stable:
        shaped += [
            st.sampled_from(["mod cmd UP1 reinit", "vars create UPDATE/PROT p 08-2", "vars del UPDATE/CHECK"]),
            st.text(max_size=40).map(lambda t: t.replace("\r", " ").replace("\n", " ")),
        ]
    return st.one_of(*shaped)


def scripts(serials=None, stable=False):
    return st.lists(line_strategy(serials, stable), max_size=12).map(lambda lines: "\n".join(lines) + "\n")


devices = st.builds(
    lambda model, fw, vars_, uptime, has_time, hour, new, idle: make_state(
        model, firmware=fw, vars=vars_, uptime_min=uptime, has_time=has_time,
        clock=datetime(2026, 3, 2, hour, 0), is_new=new, idle=idle,
    ),
    st.sampled_from(["IP232", "IP1200", "IP72", "IP21"]),
    serial,
    st.dictionaries(st.sampled_from(list(catalog.UPDATE_VARS)), serial, max_size=3),
    st.integers(0, 120),
    st.booleans(),
    st.integers(0, 23),
    st.booleans(),
    st.booleans(),
)
options = st.builds(
    lambda survive, transfer, error, time_alias: DEFAULT_OPTIONS.replace(
        update_vars_survive_reboot=survive, transfer_failure=transfer, on_error=error, accept_time_alias=time_alias
    ),
    st.booleans(), st.sampled_from(["continue", "stop"]), st.sampled_from(["continue", "stop"]), st.booleans(),
)


def fetcher():
    return MemoryFetcher({"http://10.0.0.5/c.txt": PAYLOAD}, default=b"file")


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scripts(), devices, options)
def test_the_interpreter_never_raises(text, state, opts):
    result = run_poll(state, fetcher(), opts, script=text)
    assert result.summary.stopped_by in ("end", "check", "times", "initial", "restart", "error")
    assert set(result.summary.executed) <= set(range(1, text.count("\n") + 1))


@PROPERTY
@given(scripts(), devices, options)
def test_a_converged_device_does_nothing_on_the_next_poll(text, state, opts):
    run = run_until_converged(state, fetcher(), opts, script=text, max_polls=8, trace=False)
    if run.converged:
        following = advance(run.state, poll_interval(run.state, opts))
        result = run_poll(following, fetcher(), opts, script=text, trace=False)
        assert not result.summary.changed


@PROPERTY
@given(st.data(), devices)
def test_variables_equal_to_the_serials_download_nothing(data, state):
    serials = {kind: data.draw(serial) for kind in ("PROT", "BOOT", "BMC", "CFG")}
    text = data.draw(scripts(serials, stable=True))
    current = dict(state.vars)
    current.update({f"UPDATE/{k}": v for k, v in serials.items()})
    state = state.replace(vars=tuple(sorted(current.items())))
    result = run_poll(state, fetcher(), script=text)
    assert result.summary.downloads == ()


@PROPERTY
@given(scripts(), devices, options)
def test_same_inputs_give_the_same_event_stream(text, state, opts):
    first = run_until_converged(state, fetcher(), opts, script=text, max_polls=4)
    second = run_until_converged(state, fetcher(), opts, script=text, max_polls=4)
    assert [p.result.events for p in first.polls] == [p.result.events for p in second.polls]
    assert first.state == second.state and first.loop == second.loop


QUICK = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
config_texts = st.lists(
    st.builds(lambda v, m, o, x: f"config {v} {m} /{o} {x}", st.sampled_from(["add", "change"]), module,
              st.sampled_from(["a", "url", "poll"]), st.sampled_from(["1", "60", "http://10.0.0.5/", ""])),
    max_size=3,
).map("\n".join)


@QUICK
@given(scripts(), devices, options, config_texts)
def test_converged_script_does_nothing_on_the_next_poll(text, state, opts, config):
    # Converged means quiet: no change, download, upload, restart or rewrite
    # of the configuration, now and on the poll after.
    from innoscript.device.backup import read_config

    saved = read_config(config).config
    state = state.replace(saved_config=saved, running_config=saved, edited_config=saved)
    run = run_until_converged(state, fetcher(), opts, script=text, max_polls=8, trace=False)
    if run.converged:
        assert run.polls[-1].quiet
        following = advance(run.state, poll_interval(run.state, opts))
        result = run_poll(following, fetcher(), opts, script=text, trace=False)
        assert result.summary.quiet, text


@QUICK
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))),
       devices, options, st.integers(1, 3))
def test_no_script_crashes_the_interpreter(data, state, opts, cut):
    # Any bytes (binary, broken encodings, junk lines), any device, a power
    # cut: the run and its report never raise.
    from innoscript.device import power_cut, report

    def before(number, device):
        return power_cut(device) if number == cut else device

    run = run_until_converged(state, fetcher(), opts, script=data, max_polls=3, before_poll=before)
    for record in run.polls:
        report.poll_data(record)
        report.poll_text(record)
    report.summary_text(run)
    report.why_line(run, 1)
