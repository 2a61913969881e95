"""The interpreter's behaviour, one test per documented rule of the spec.

Section numbers are those of innovaphone-spec.md.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from innoscript.device import (
    DEFAULT_OPTIONS,
    DeviceError,
    MemoryFetcher,
    make_state,
    run_poll,
)
from innoscript.device import events as ev
from innoscript.device.expand import expand_meta, update_url

FW = "http://10.0.0.5/fw/"


def device(model="IP232", **fields):
    fields.setdefault("clock", datetime(2026, 3, 2, 2, 30))
    fields.setdefault("uptime_min", 600)
    return make_state(model, **fields)


def poll(text, state=None, fetcher=None, options=DEFAULT_OPTIONS, **fields):
    state = state or device(**fields)
    fetcher = fetcher if fetcher is not None else MemoryFetcher(default=b"binary")
    return run_poll(state, fetcher, options, script=text)


def kinds(result, cls):
    return [e for e in result.events if isinstance(e, cls)]


# -- 2.2 URL rules and 2.4 status --------------------------------------------


def test_2_2_trailing_slash_gets_default_script_name_and_standard_query():
    state = device("IP1200", update_url="http://10.0.0.5/cfg/", firmware="07-60600.03", vars={"CHECK": "c1", "PROT": "x"})
    url = update_url(state, DEFAULT_OPTIONS)
    path, _, query = url.partition("?")
    assert path == "http://10.0.0.5/cfg/update-ip1200.htm"
    names = [pair.split("=")[0] for pair in query.split("&")]
    for name in ("ver", "BOOT", "CHECK", "PROT", "BMC", "CFG", "CFG-BACKUP-NUM", "SCFG"):
        assert name in names
    assert "CHECK=c1" in query and "PROT=x" in query
    # The running build is shown without the Info page's dot (2.2).
    assert state.firmware == "07-6060003"


def test_2_2_meta_sequences_expand_in_the_update_url():
    state = device("IP232", update_url="http://10.0.0.5/u/script.php?mac=#m", mac="00-90-33-aa-bb-cc")
    assert update_url(state, DEFAULT_OPTIONS).startswith("http://10.0.0.5/u/script.php?mac=00-90-33-aa-bb-cc&ver=")


@pytest.mark.parametrize("code", [404, 401, 502])
def test_2_4_failed_fetch_sets_status_and_runs_nothing(code):
    class Failing(MemoryFetcher):
        def get(self, url):
            from innoscript.device import Response

            return Response(code)

    state = device(update_url="http://10.0.0.5/")
    result = run_poll(state, Failing())
    assert result.summary.status == f"failed({code})"
    assert result.state.status == f"failed({code})"
    assert result.summary.stopped_by == "fetch"
    assert result.summary.executed == ()


def test_2_3_successful_fetch_ends_factory_state():
    fetcher = MemoryFetcher({"http://10.0.0.5/update-ip232.htm": b"config write\n"})
    state = device(update_url="http://10.0.0.5/", is_new=True)
    result = run_poll(state, fetcher)
    assert result.summary.status == "ok"
    assert result.state.is_new is False


# -- 4 / 5.1 check -------------------------------------------------------------


def test_5_1_check_with_equal_serial_skips_the_rest():
    result = poll("mod cmd UP1 check ser S1\nconfig add GW1 /name a\n", vars={"CHECK": "S1"})
    assert result.summary.stopped_by == "check"
    assert result.summary.executed == (1,)
    assert kinds(result, ev.Skipped)[0].by == "check"


def test_4_check_commit_is_deferred_to_the_end():
    result = poll("mod cmd UP1 check ser S2\nconfig add GW1 /name a\nconfig write\n")
    changes = [e for e in result.events if isinstance(e, (ev.VariableChanged, ev.ConfigChanged))]
    # UPDATE/CHECK is written after every other line ran.
    assert isinstance(changes[-1], ev.VariableChanged) and changes[-1].name == "UPDATE/CHECK"
    assert result.state.var("CHECK") == "S2"
    assert result.summary.check_committed


def test_4_check_not_committed_when_a_restart_interrupts_the_script():
    result = poll("mod cmd UP1 check ser S3\nreset\nconfig write\n")
    assert result.summary.stopped_by == "restart"
    assert result.state.var("CHECK") == ""
    assert kinds(result, ev.ScriptInterrupted)[0].remaining == 3


def test_q14_restart_on_the_last_line_commits_the_check_first():
    result = poll("mod cmd UP1 check ser S4\nconfig write\nreset\n# trailing comment\n")
    assert result.summary.check_committed
    assert result.state.var("CHECK") == "S4"
    assert len(result.summary.restarts) == 1


def test_4_check_final_command_runs_after_commit():
    result = poll("mod cmd UP1 check reset S5\nconfig add GW1 /name a\nconfig write\n")
    assert result.state.var("CHECK") == "S5"
    assert [r.command for r in result.summary.restarts] == ["reset"]
    # The restart activated the written configuration.
    assert dict(result.state.running_config)["GW1"] == (("/name", "a"),)


def test_q4_times_cancellation_after_check_prevents_the_commit_by_default():
    text = "mod cmd UP1 check ser S6\nmod cmd UP1 times /allow 12\n"
    assert poll(text).state.var("CHECK") == ""
    options = DEFAULT_OPTIONS.replace(commit_check_after_times_cancel=True)
    assert poll(text, options=options).state.var("CHECK") == "S6"


@pytest.mark.parametrize("which,expected", [("last", "B"), ("first", "A")])
def test_q10_multiple_checks(which, expected):
    text = "mod cmd UP1 check ser A\nmod cmd UP1 check ser B\n"
    result = poll(text, options=DEFAULT_OPTIONS.replace(multiple_checks=which))
    assert result.state.var("CHECK") == expected


def test_5_1_commands_before_check_run_every_poll():
    result = poll("config add GW1 /name a\nmod cmd UP1 check ser S\nconfig write\n", vars={"CHECK": "S"})
    assert result.summary.executed == (1, 2)
    assert "GW1" in dict(result.state.edited_config)


# -- 5.2 / 9 times ---------------------------------------------------------------


def test_5_2_outside_allow_cancels_the_rest():
    result = poll("mod cmd UP1 times /allow 22,23\nconfig add GW1 /name a\n")  # clock 02:30
    assert result.summary.stopped_by == "times"
    assert result.summary.executed == (1,)


def test_5_2_inside_allow_runs():
    result = poll("mod cmd UP1 times /allow 1,2,3\nconfig add GW1 /name a\n")
    assert result.summary.stopped_by == "end"


def test_9_no_time_cancels_every_execution():
    result = poll("mod cmd UP1 times /allow 0,1,2,3,4,5\nconfig write\n", has_time=False)
    assert result.summary.stopped_by == "times"


def test_5_2_initial_blocks_within_minutes_after_boot():
    result = poll("mod cmd UP1 times /initial 6\nconfig write\n", uptime_min=5)
    assert result.summary.stopped_by == "initial"
    assert poll("mod cmd UP1 times /initial 6\nconfig write\n", uptime_min=6).summary.stopped_by == "end"


def test_5_2_new_device_with_initial_runs_outside_allow():
    text = "mod cmd UP1 times /allow 22,23 /initial 6\nconfig write\n"
    assert poll(text, is_new=True, uptime_min=10).summary.stopped_by == "end"
    assert poll(text, is_new=False, uptime_min=10).summary.stopped_by == "times"
    # Without /initial the exception does not apply.
    assert poll("mod cmd UP1 times /allow 22,23\nconfig write\n", is_new=True).summary.stopped_by == "times"
    off = DEFAULT_OPTIONS.replace(initial_lifts_allow=False)
    assert poll(text, is_new=True, uptime_min=10, options=off).summary.stopped_by == "times"


def test_5_2_new_device_stays_new_through_initial_then_runs_outside_allow():
    """Seed example (spec 12): new devices update after a restart and after
    the /initial minutes have elapsed, even outside /allow."""
    text = "mod cmd UP1 times /allow 22,23 /initial 6\nconfig write\n"
    first = poll(text, is_new=True, uptime_min=1)
    assert first.summary.stopped_by == "initial"
    assert first.state.is_new
    later = poll(text, state=first.state.replace(uptime_min=7))
    assert later.summary.stopped_by == "end"
    assert not later.state.is_new


def test_5_2_times_acts_where_it_stands():
    result = poll("config add GW1 /name a\nmod cmd UP1 times /allow 22\nconfig write\n")
    assert result.summary.executed == (1, 2)
    assert "GW1" in dict(result.state.edited_config)
    assert result.state.saved_config == ()


def test_q11_time_alias_accepted_by_default_and_switchable():
    text = "mod cmd UP1 time /allow 22\nconfig write\n"
    assert poll(text).summary.stopped_by == "times"
    off = poll(text, options=DEFAULT_OPTIONS.replace(accept_time_alias=False))
    assert off.summary.stopped_by == "end"
    assert off.summary.errors == 1


def test_10_10_bad_hours_are_an_error_and_the_script_goes_on():
    result = poll("mod cmd UP1 times /allow 24,1a\nconfig write\n")
    assert result.summary.errors == 1
    assert result.summary.stopped_by == "end"
    stop = poll("mod cmd UP1 times /allow 24\nconfig write\n", options=DEFAULT_OPTIONS.replace(on_error="stop"))
    assert stop.summary.stopped_by == "error" and stop.summary.executed == (1,)


# -- 5.3 - 5.5 prot / boot / bmc ---------------------------------------------------


def test_5_3_equal_serial_downloads_nothing_and_runs_no_final():
    result = poll(f"mod cmd UP0 prot {FW} reset 08-1\n", vars={"PROT": "08-1"})
    assert result.summary.downloads == ()
    assert result.summary.restarts == ()


def test_5_3_empty_variable_compares_with_the_running_build():
    assert poll(f"mod cmd UP0 prot {FW} reset 08-1\n", firmware="08-1").summary.downloads == ()
    result = poll(f"mod cmd UP0 prot {FW} ser 08-2\n", firmware="08-1")
    assert [d.serial for d in result.summary.downloads] == ["08-2"]


def test_5_3_download_sets_variable_reset_required_and_trailing_slash_name():
    result = poll(f"mod cmd UP0 prot {FW} ser 08-2\n", model="IP1200", firmware="08-1")
    assert result.summary.downloads[0].url == FW + "IP1200.bin"
    assert result.state.var("PROT") == "08-2"
    assert result.state.reset_required
    assert result.state.firmware == "08-1"  # not active before a restart
    assert dict(result.state.flashed) == {"PROT": "08-2"}


def test_2_2_dotted_serial_never_equals_the_running_build():
    result = poll(f"mod cmd UP0 prot {FW} ser 07-60600.03\n", firmware="07-60600.03")
    assert len(result.summary.downloads) == 1


def test_4_restart_activates_firmware_and_stops_the_script():
    result = poll(f"mod cmd UP0 prot {FW} ireset 08-2\nconfig write\n", firmware="08-1", uptime_min=300)
    assert result.summary.stopped_by == "restart"
    assert result.summary.executed == (1,)
    state = result.state
    assert state.firmware == "08-2" and state.uptime_min == 0 and not state.reset_required
    assert state.var("PROT") == "08-2"  # vars survive by default (7)


def test_13_1_vars_lost_at_restart_when_switched():
    options = DEFAULT_OPTIONS.replace(update_vars_survive_reboot=False)
    result = poll(f"mod cmd UP0 prot {FW} ireset 08-2\n", firmware="08-1", options=options)
    assert result.state.var("PROT") == ""
    assert result.state.firmware == "08-2"


def test_q3_failed_download_continues_or_stops():
    fetcher = MemoryFetcher()  # every GET is 404
    text = f"mod cmd UP0 prot {FW} reset 08-2\nconfig write\n"
    result = poll(text, fetcher=fetcher, firmware="08-1")
    assert result.summary.downloads[0].status == 404
    assert result.state.var("PROT") == "" and not result.summary.restarts
    assert result.summary.stopped_by == "end"
    stop = poll(text, fetcher=MemoryFetcher(), firmware="08-1", options=DEFAULT_OPTIONS.replace(transfer_failure="stop"))
    assert stop.summary.stopped_by == "error"


def test_5_4_boot_compares_running_boot_and_reboot_activates_it():
    assert poll(f"mod cmd UP0 boot {FW} reboot 140\n", boot="140").summary.downloads == ()
    result = poll(f"mod cmd UP0 boot {FW}boot.bin reboot 141\n", boot="140")
    assert result.state.boot == "141"
    assert result.summary.restarts[0].command == "reboot"


def test_5_5_bmc_only_on_dect_and_default_name_without_bin():
    assert poll(f"mod cmd UP0 bmc {FW} ser PCS1\n", model="IP232").summary.errors == 1
    result = poll(f"mod cmd UP0 bmc {FW} ser PCS1\n", model="IP1200")
    assert result.summary.downloads[0].url == FW + "IP1200-bmc"
    assert result.state.var("BMC") == "PCS1"


# -- final commands (4) ------------------------------------------------------------


def test_4_ireset_when_busy_is_queued_and_the_script_continues():
    result = poll(f"mod cmd UP0 prot {FW} ireset 08-2\nconfig write\n", firmware="08-1", idle=False)
    assert result.summary.restarts == ()
    assert result.summary.executed == (1, 2)
    assert result.state.pending_restart == "ireset"
    later = run_poll(result.state.replace(idle=True), MemoryFetcher(default=b""), script="config write\n")
    assert [r.line for r in later.summary.restarts] == [0]
    assert later.state.firmware == "08-2"


def test_4_iresetn_and_resetn_only_when_a_reset_is_required():
    assert poll("iresetn\n").summary.restarts == ()
    assert poll("resetn\n").summary.restarts == ()
    assert len(poll("resetn\n", reset_required=True).summary.restarts) == 1
    result = poll(f"mod cmd UP0 prot {FW} ser 08-2\niresetn\n", firmware="08-1")
    assert [r.line for r in result.summary.restarts] == [2]


def test_10_config_change_requires_reset_option():
    text = "config add GW1 /name a\nconfig write\niresetn\n"
    assert poll(text).summary.restarts == ()
    assert len(poll(text, options=DEFAULT_OPTIONS.replace(config_change_requires_reset=True)).summary.restarts) == 1


def test_11_reboot_does_not_work_on_ip21():
    result = poll("reboot\nconfig write\n", model="IP21")
    assert result.summary.restarts == ()
    assert result.summary.errors == 1
    assert result.summary.executed == (1, 2)


def test_10_unknown_final_word_acts_as_ser_with_an_error():
    result = poll(f"mod cmd UP0 prot {FW} restart 08-2\nconfig write\n", firmware="08-1")
    assert result.summary.restarts == () and result.summary.errors == 1
    noop = poll("mod cmd UP0 scfg http://10.0.0.5/b/#m.txt no-op WEEKLY\n")
    assert noop.summary.errors == 0
    assert any(isinstance(e, ev.Error) and e.severity == "warning" for e in noop.events)


def test_10_restart_drops_unsaved_configuration():
    result = poll("config add GW1 /name a\nreset\n")
    assert result.state.edited_config == () and result.state.running_config == ()


# -- 5.6 / 6 scfg -----------------------------------------------------------------


def test_5_6_scfg_puts_the_configuration_to_the_expanded_url():
    fetcher = MemoryFetcher()
    result = poll("config add GW1 /name a\nconfig write\nmod cmd UP0 scfg http://10.0.0.5/b/#h_#m.txt\n",
                  fetcher=fetcher, model="IP232", mac="00-90-33-01-02-03")
    url = "http://10.0.0.5/b/IP232-01-02-03_00-90-33-01-02-03.txt"
    assert [u.url for u in result.summary.uploads] == [url]
    assert b"config change GW1 /name a" in fetcher.uploads[url]


def test_5_6_equal_save_serial_skips_unless_force_hours_passed():
    text = "mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser WEEKLY /force 168\n"
    first = poll(text)
    assert len(first.summary.uploads) == 1 and first.state.var("SCFG") == "WEEKLY"
    again = run_poll(first.state, MemoryFetcher(), script=text)
    assert again.summary.uploads == ()
    week_later = first.state.replace(clock=first.state.clock.replace(day=first.state.clock.day + 7))
    assert len(run_poll(week_later, MemoryFetcher(), script=text).summary.uploads) == 1
    no_force = "mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser WEEKLY\n"
    assert run_poll(week_later, MemoryFetcher(), script=no_force).summary.uploads == ()


def test_5_6_without_serial_every_poll_uploads():
    text = "mod cmd UP0 scfg http://10.0.0.5/b/#m.txt\n"
    first = poll(text)
    assert len(run_poll(first.state, MemoryFetcher(), script=text).summary.uploads) == 1


def test_6_2_rolling_index_loops_over_n():
    text = "mod cmd UP0 scfg http://10.0.0.5/b/#m-#b3.txt\n"
    state = device(mac="m")
    seen = []
    for _ in range(4):
        result = run_poll(state, MemoryFetcher(), script=text)
        seen.append(result.summary.uploads[0].url.rsplit("-", 1)[1])
        state = result.state
    assert seen == ["0.txt", "1.txt", "2.txt", "0.txt"]
    assert state.var("CFG-BACKUP-NUM") == "0"


def test_q1_bn_literal_uses_the_default_size():
    url, size = expand_meta("http://x/#bn", device(), DEFAULT_OPTIONS.replace(bn_default=7))
    assert size == 7 and url == "http://x/0"


def test_13_2_hash_h_hardware_id_or_short_name():
    state = device("IP1200", mac="00-90-33-03-0d-f0")
    assert expand_meta("#h", state, DEFAULT_OPTIONS)[0] == "IP1200-03-0d-f0"
    assert expand_meta("#h", state, DEFAULT_OPTIONS.replace(hash_h="short-name"))[0] == "IP1200"


def test_6_1_meta_sequences_not_expanded_in_prot_urls():
    result = poll("mod cmd UP0 prot http://10.0.0.5/#m/fw.bin ser 08-2\n", firmware="08-1")
    # `#m` stays as written, so the HTTP client sends no fragment: `/` is requested.
    assert result.summary.downloads[0].url == "http://10.0.0.5/"
    assert result.summary.downloads[0].written == "http://10.0.0.5/#m/fw.bin"


def test_5_6_failed_upload_keeps_the_serial():
    class Refusing(MemoryFetcher):
        def put(self, url, body):
            return 403

    result = poll("mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser W\n", fetcher=Refusing())
    assert result.summary.uploads[0].status == 403
    assert result.state.var("SCFG") == ""
    assert result.summary.errors == 1


# -- 5.7 cfg ----------------------------------------------------------------------


def test_5_7_cfg_executes_lines_writes_but_does_not_activate():
    payload = b"config change GW1 /name trunk\nvars create PHONE/LANG p de\n"
    fetcher = MemoryFetcher({"http://10.0.0.5/c.txt": payload})
    result = poll("mod cmd UP0 cfg http://10.0.0.5/c.txt ser C1\n", fetcher=fetcher)
    state = result.state
    assert dict(state.saved_config)["GW1"] == (("/name", "trunk"),)
    assert state.running_config == ()
    assert state.var("PHONE/LANG") == "de" and state.var("CFG") == "C1"


def test_5_7_cfg_rejects_nested_up0_commands():
    fetcher = MemoryFetcher({"http://10.0.0.5/c.txt": b"mod cmd UP0 cfg http://10.0.0.5/d.txt ser X\nconfig add A /b c\n"})
    result = poll("mod cmd UP0 cfg http://10.0.0.5/c.txt ser C1\n", fetcher=fetcher)
    assert result.summary.errors == 1
    assert "nested" in kinds(result, ev.Error)[0].message
    assert [d.url for d in result.summary.downloads] == ["http://10.0.0.5/c.txt"]


def test_q9_cfg_with_equal_serial_is_skipped_and_switchable():
    fetcher = MemoryFetcher({"http://10.0.0.5/c.txt": b"config add A /b c\n"})
    text = "mod cmd UP0 cfg http://10.0.0.5/c.txt ser C1\n"
    assert poll(text, fetcher=fetcher, vars={"CFG": "C1"}).summary.downloads == ()
    off = DEFAULT_OPTIONS.replace(cfg_compares_serial=False)
    assert len(poll(text, fetcher=fetcher, vars={"CFG": "C1"}, options=off).summary.downloads) == 1


def test_5_7_cfg_without_serial_is_malformed():
    result = poll("mod cmd UP0 cfg http://10.0.0.5/config?mac=1 iresetn\n")
    assert result.summary.errors == 1 and result.summary.downloads == ()


def test_5_7_backup_loaded_by_cfg_rewrites_update_serials():
    fetcher = MemoryFetcher({"http://10.0.0.5/c.txt": b"vars create UPDATE/PROT p 01-1\n"})
    result = poll("mod cmd UP0 cfg http://10.0.0.5/c.txt ser C1\n", fetcher=fetcher, vars={"PROT": "08-1"})
    assert result.state.var("PROT") == "01-1"


# -- 5.8 WLAN power save ------------------------------------------------------------


def test_5_8_ip72_example_deactivate_never_runs_after_ireset():
    text = f"mod cmd WLANMGR0 activate-pwr\nmod cmd UP0 prot {FW} ireset 04-5656\nmod cmd WLANMGR0 deactivate-pwr\n"
    result = poll(text, model="IP72", firmware="04-5600")
    assert result.summary.executed == (1, 2)
    assert result.summary.downloads[0].url == FW + "IP72.bin"
    assert result.state.power_save  # booted into its configured power-save mode
    assert not any(isinstance(e, ev.Error) for e in result.events)


def test_5_8_download_in_power_save_is_warned_and_non_wlan_has_no_wlanmgr():
    result = poll(f"mod cmd UP0 prot {FW} ser 04-5656\n", model="IP72", firmware="04-5600")
    assert any(isinstance(e, ev.Error) and "power-save" in e.message for e in result.events)
    assert poll("mod cmd WLANMGR0 activate-pwr\n", model="IP232").summary.errors == 1


# -- 5.9 / 5.10 other commands ---------------------------------------------------------


def test_5_9_reinit_clears_update_serials():
    result = poll("mod cmd UP1 reinit\n", vars={"PROT": "1", "CHECK": "2", "X/Y": "3"})
    assert result.state.update_vars() == {}
    assert result.state.var("X/Y") == "3"


def test_5_10_config_add_merges_and_change_replaces():
    result = poll("config add GW1 /a 1\nconfig add GW1 /b 2\nconfig change GW2 /c 3\nconfig change GW2 /d 4\n")
    edited = dict(result.state.edited_config)
    assert dict(edited["GW1"]) == {"/a": "1", "/b": "2"}
    assert dict(edited["GW2"]) == {"/d": "4"}


def test_5_10_activate_makes_the_saved_configuration_active_and_up1_settings_apply():
    result = poll("config add UP1 /url http://10.0.0.9/ /poll 30\nconfig write\nconfig activate\n",
                  update_url="http://10.0.0.5/")
    assert result.state.update_url == "http://10.0.0.9/"
    assert result.state.poll_minutes == 30


def test_5_10_vars_create_and_del():
    result = poll("vars create A/B p 1\nvars create A/C p 2\nvars del A/B\nvars read A/C\n")
    assert result.state.var("A/B") == "" and result.state.var("A/C") == "2"


def test_10_10_unknown_up0_verb_and_syntax_errors_are_errors():
    result = poll("mod cmd UP0 flash http://x/ ser 1\nmod\x01cmd\nconfig write\n")
    assert result.summary.errors == 2
    assert result.summary.stopped_by == "end"


def test_10_11_extra_words_are_warned():
    result = poll(f"mod cmd UP0 prot {FW} ser 08-1 extra\n", firmware="08-1")
    assert any(isinstance(e, ev.Error) and e.severity == "warning" and "extra" in e.message for e in result.events)


# -- the API -------------------------------------------------------------------------


def test_untraced_poll_builds_no_events_but_the_same_summary():
    text = f"mod cmd UP1 check ser S\nmod cmd UP0 prot {FW} ireset 08-2\nconfig write\n"
    state = device(firmware="08-1")
    traced = run_poll(state, MemoryFetcher(default=b""), script=text)
    fast = run_poll(state, MemoryFetcher(default=b""), script=text, trace=False)
    assert fast.events == ()
    assert traced.events
    assert fast.summary == traced.summary and fast.state == traced.state


def test_poll_never_changes_the_given_state():
    state = device(firmware="08-1")
    before = state.to_dict()
    run_poll(state, MemoryFetcher(default=b""), script=f"mod cmd UP0 prot {FW} reset 08-2\n")
    assert state.to_dict() == before


def test_make_state_rejects_unknown_models_and_fields():
    with pytest.raises(DeviceError):
        make_state("IP9999")
    with pytest.raises(DeviceError):
        make_state("IP232", colour="red")
    assert make_state("ip72").power_save is True


def test_events_serialise_to_plain_data():
    result = poll(f"mod cmd UP0 prot {FW} reset 08-2\n", firmware="08-1")
    data = [e.to_dict() for e in result.events]
    assert {"event": "restart", "line": 1, "command": "reset", "activated": ("PROT 08-2",)} in data


def test_q5_scfg_always_uploads_whatever_the_serial():
    fetcher = MemoryFetcher()
    text = "mod cmd UP0 scfg http://10.0.0.5/q?sn=#m ser nop /always mod%20cmd%20CMD0%20xml-info\n"
    result = poll(text, fetcher=fetcher, vars={"SCFG": "nop"})
    assert len(result.summary.uploads) == 1
    assert b"mod cmd CMD0 xml-info" in next(iter(fetcher.uploads.values()))


def test_options_from_text_and_errors():
    from innoscript.device import OptionError, options_from

    options = options_from([("update-vars-survive-reboot", "no"), ("bn_default", "3"), ("hash_h", "short-name")])
    assert options.update_vars_survive_reboot is False and options.bn_default == 3 and options.hash_h == "short-name"
    assert options_from({"first_poll": "interval"}).first_poll == "interval"
    for bad in ([("bogus", "1")], [("bn_default", "0")], [("on_error", "explode")], [("accept_time_alias", "perhaps")]):
        with pytest.raises(OptionError):
            options_from(bad)


def test_state_to_dict_is_plain_data():
    import json

    result = poll("mod cmd UP0 scfg http://10.0.0.5/b/#m.txt ser W\nconfig add GW1 /a 1\nconfig write\n")
    data = result.state.to_dict()
    json.dumps(data)
    assert data["vars"] == {"UPDATE/SCFG": "W"}
    assert data["saved_config"] == {"GW1": {"/a": "1"}}
    assert data["stamps"]["SCFG"] == "2026-03-02T02:30"


def test_4_queued_restart_activates_saved_up1_settings_before_the_fetch():
    text = "config add UP1 /url http://10.0.0.9/new/\nconfig write\nireset\n"
    busy = poll(text, update_url="http://10.0.0.5/", idle=False)
    assert busy.state.pending_restart == "ireset"
    fetcher = MemoryFetcher({"http://10.0.0.9/new/update-ip232.htm": b"config write\n"})
    later = run_poll(busy.state.replace(idle=True), fetcher)
    assert later.summary.restarts[0].line == 0
    assert later.summary.status == "ok"
    started = next(e for e in later.events if isinstance(e, ev.PollStarted))
    assert started.url.startswith("http://10.0.0.9/new/update-ip232.htm?")
