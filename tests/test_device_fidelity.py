"""A dry run never shows success where a device fails: one test per execution
rule of innovaphone-spec.md that the interpreter once got wrong."""

from __future__ import annotations

from datetime import datetime

from innoscript.device import (
    DEFAULT_OPTIONS,
    MemoryFetcher,
    make_state,
    run_poll,
    run_until_converged,
)
from innoscript.device import events as ev

FW = "http://10.0.0.5/fw/"


def device(model="IP232", **fields):
    fields.setdefault("clock", datetime(2026, 3, 2, 2, 30))
    fields.setdefault("uptime_min", 600)
    return make_state(model, **fields)


class Recording(MemoryFetcher):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gets: list[str] = []
        self.puts: list[str] = []

    def get(self, url):
        self.gets.append(url)
        return super().get(url)

    def put(self, url, body):
        self.puts.append(url)
        return super().put(url, body)


def errors(result):
    return [e.message for e in result.events if isinstance(e, ev.Error) and e.severity == "error"]


def test_spec_10_10_malformed_scfg_logs_error_and_does_nothing():
    # `/force` is not a serial: the save-serial is missing (spec 5.6 form).
    fetcher = Recording()
    result = run_poll(device(), fetcher, script="mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser /force 168\n")
    assert fetcher.puts == [] and result.summary.uploads == ()
    assert result.summary.errors == 1 and "save-serial" in errors(result)[0]
    stopped = run_poll(device(), Recording(), DEFAULT_OPTIONS.replace(on_error="stop"),
                       script="mod cmd UP0 scfg http://10.0.0.5/b/x ser\nvars create A/B p 1\n")
    assert stopped.summary.stopped_by == "error" and stopped.state.var("A/B") == ""


def test_spec_5_10_activate_makes_the_edited_configuration_running():
    for text in ("config add CMD0 /name Reception\nconfig activate\n",
                 "config add CMD0 /name Reception\nconfig activate\nconfig write\n"):
        state = run_poll(device(), MemoryFetcher(), script=text).state
        assert dict(state.running_config)["CMD0"] == (("/name", "Reception"),), text
    written = run_poll(device(), MemoryFetcher(), script="config add CMD0 /name Reception\nconfig activate\nconfig write\n").state
    assert dict(written.saved_config)["CMD0"] == (("/name", "Reception"),)


def test_spec_5_10_active_but_unwritten_change_is_lost_at_the_restart():
    text = "config add CMD0 /name Reception\nconfig activate\nreset\n"
    result = run_poll(device(), MemoryFetcher(), script=text)
    assert "CMD0" not in dict(result.state.running_config)
    lost = [e for e in result.events if isinstance(e, ev.ConfigChanged) and e.stage == "lost"]
    assert [e.module for e in lost] == ["CMD0"]
    from innoscript.device.report import poll_text

    assert "unsaved configuration of CMD0 lost at the restart" in poll_text(_record(result))


def _record(result):
    from innoscript.device import PollRecord

    return PollRecord(1, datetime(2026, 3, 2, 2, 30), 600, result, False)


def test_spec_5_10_config_change_omitted_poll_takes_the_default_interval():
    state = device(update_url="http://10.0.0.5/", poll_minutes=60)
    text = "config change UP1 /url http://10.0.0.6/\nconfig activate\n"
    after = run_poll(state, MemoryFetcher(), script=text).state
    assert after.update_url == "http://10.0.0.6/" and after.poll_minutes == 15
    added = run_poll(state, MemoryFetcher(), script="config add UP1 /url http://10.0.0.6/\nconfig activate\n").state
    assert added.update_url == "http://10.0.0.6/" and added.poll_minutes == 60
    from innoscript.device import PollRecord
    from innoscript.device.report import poll_text

    result = run_poll(state, MemoryFetcher(), script=text)
    shown = poll_text(PollRecord(1, state.clock, 600, result, False, state))
    assert "running configuration: UP1 /poll removed (was 60)" in shown and "poll interval: 60 -> 15 min" in shown


def test_spec_10_9_restart_by_the_last_line_commits_the_check():
    for last in ("mod cmd UP0 scfg http://10.0.0.5/b.txt ireset B1", f"mod cmd UP0 prot {FW} ireset 08-2"):
        result = run_poll(device(firmware="08-1"), MemoryFetcher(default=b"x"),
                          script=f"mod cmd UP1 check ser S1\n{last}\n")
        assert result.summary.stopped_by == "restart", last
        assert result.summary.check_committed and result.state.var("CHECK") == "S1", last
        assert not [e for e in result.events if isinstance(e, ev.ScriptInterrupted)], last


def test_spec_6_1_the_reported_url_is_the_requested_one():
    # `#h` is not expanded in prot URLs and starts a fragment, which HTTP clients do not send.
    fetcher = Recording(default=b"fw")
    result = run_poll(device("IP1200", firmware="08-1"), fetcher, script="mod cmd UP0 prot http://host/fw/#h/ ser 08-2\n")
    [download] = result.summary.downloads
    assert fetcher.gets == ["http://host/fw/"] == [download.url]
    assert download.written == "http://host/fw/#h/IP1200.bin"
    from innoscript.device.report import poll_data

    data = poll_data(_record(result))["downloads"][0]
    assert (data["url"], data["written"]) == ("http://host/fw/", "http://host/fw/#h/IP1200.bin")
    upload = run_poll(device(mac="00-90-33-aa-bb-cc"), Recording(), script="mod cmd UP0 scfg http://h/#m.txt\n")
    assert upload.summary.uploads[0].url == "http://h/00-90-33-aa-bb-cc.txt"
    assert upload.summary.uploads[0].written == "http://h/#m.txt"


def test_spec_10_10_every_error_of_a_line_is_logged():
    result = run_poll(device(), MemoryFetcher(), script="mod cmd UP1 times /allow 24 /initial -5\n")
    messages = errors(result)
    assert len(messages) == 2 and result.summary.errors == 2
    assert any("/initial" in m for m in messages) and any("/allow" in m for m in messages)


def test_spec_10_converged_only_when_a_poll_does_nothing():
    # Part A (before check) rewrites and re-activates the configuration on every poll.
    text = "config add CMD0 /name Reception\nconfig write\nconfig activate\nmod cmd UP1 check ser S1\n"
    run = run_until_converged(device(), MemoryFetcher(), script=text, max_polls=5)
    assert not run.converged and run.loop is None
    assert all(p.result.summary.config_applied for p in run.polls)
    quiet = run_until_converged(device(), MemoryFetcher(), script="mod cmd UP1 check ser S1\nconfig add CMD0 /name R\nconfig write\n")
    assert quiet.converged and quiet.polls[-1].quiet


def test_spec_10_missing_file_is_a_failed_download_not_a_loop():
    text = "mod cmd UP0 cfg http://10.0.0.5/site.txt ser C1\n"
    run = run_until_converged(device(), MemoryFetcher(), script=text, max_polls=6)
    assert run.loop is None and not run.converged
    assert [(f.line, f.kind, f.status) for f in run.failing] == [(1, "cfg", 404)]


def test_spec_9_default_horizon_covers_a_day_of_polls():
    from innoscript.device import FolderFetcher, dry_run

    noon = device(clock=datetime(2026, 3, 2, 12, 0))
    run = dry_run(noon, FolderFetcher(), script="mod cmd UP1 times /allow 2\nmod cmd UP1 check ser S1\n")
    assert run.converged and run.polls[-1].clock.hour == 2
    assert run.horizon_minutes == 24 * 60
    never = dry_run(noon.replace(has_time=False), FolderFetcher(), script="mod cmd UP1 times /allow 2\n")
    assert not never.converged and len(never.polls) == 24 * 4 + 1  # a whole day of 15-minute polls


def test_config_add_edits_one_module_in_place():
    # Constant time per `config add` (benchmarks/bench_interpreter.py measures
    # 40,000 lines): the module's table is edited, not copied per line.
    lines = "".join(f"config add CMD0 /k{i} {i}\n" for i in range(300)) + "config write\n"
    state = run_poll(device(), MemoryFetcher(), script=lines).state
    saved = dict(dict(state.saved_config)["CMD0"])
    assert len(saved) == 300 and saved["/k299"] == "299"


def test_read_config_takes_a_backup_with_its_serials():
    from innoscript.device.backup import read_config

    text = ("config change UP1 /url http://10.0.0.5/ /poll 60\r\nconfig change CMD0 /name Hall\r\n"
            "vars create UPDATE/PROT p 08-1\r\nmod cmd FLASHDIR0 add-item 1\r\n")
    loaded = read_config(text)
    assert dict(loaded.config)["CMD0"] == (("/name", "Hall"),)
    assert loaded.vars == {"UPDATE/PROT": "08-1"}
    state = make_state("IP232", saved_config=loaded.config)
    assert state.running_config == state.saved_config and state.poll_minutes == 60
    assert state.update_url == "http://10.0.0.5/"
