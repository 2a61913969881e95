"""Option values are read once, by the catalogue's parser, and every face agrees.

For every option of every command and every configuration setting the
catalogue knows: whatever the value (any Unicode digit, signs, blanks,
leading zeros, nothing, huge numbers), no face raises, and the linter
reports an error on the line exactly when the interpreter logs an error
for it.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from innoscript import catalog
from innoscript.cli import main
from innoscript.device import MemoryFetcher, make_state, run_poll, run_until_converged
from innoscript.device import events as ev
from innoscript.fmt import format_text
from innoscript.lint import Settings, lint_script
from innoscript.lint.diagnostic import Severity
from innoscript.lsp.completion import complete
from innoscript.lsp.hover import hover
from innoscript.lsp.tokens import semantic_tokens
from innoscript.source import Source
from innoscript.syntax import parse

PATH = "update-ip232.htm"
_ARGUMENTS = {"final": "ser", "serial": "S1", "integer": "1", "word": "x"}


def _argument(command: catalog.Command, param: catalog.Param) -> str:
    if param.kind == "url":
        return "http://10.0.0.5/bak/#m-#b3.txt" if command.expands_meta else "http://10.0.0.5/fw/"
    return _ARGUMENTS[param.kind]


def option_lines() -> list[tuple[str, str | None]]:
    """(line up to the option's name, value kind) for every option the catalogue knows."""
    found = []
    for command in catalog.COMMANDS:
        args = " ".join(_argument(command, p) for p in command.params)
        head = f"mod cmd {command.module} {command.verb} {args}".rstrip()
        found += [(f"{head} {option.name}", option.value) for option in command.options]
    for module, options in catalog.CONFIG_SETTINGS.items():
        for verb in ("add", "change"):
            found += [(f"config {verb} {module} {option.name}", option.value) for option in options]
    return found


LINES = option_lines()
DIGITS = st.characters(whitelist_categories=("Nd", "No"))
CHARACTERS = st.one_of(st.sampled_from("0123456789,-+. \t"), DIGITS)
VALUES = st.one_of(
    st.text(CHARACTERS, max_size=10),
    st.integers(-(10**30), 10**30).map(str),
    st.builds(lambda zeros, n: "0" * zeros + str(n), st.integers(1, 30), st.integers(0, 10**7)),
    st.lists(st.integers(-2, 30), min_size=1, max_size=5).map(lambda hours: ",".join(map(str, hours))),
    st.sampled_from(["", " ", "²", "2,²", "-5", "٣", "０", "15", "0", "1.5", "1,,2", "22-4", "9" * 40]),
)


def _lint(text: str, simulate: bool = False):
    script = parse(Source(text, PATH))
    return lint_script(script, Settings(simulate=simulate, select=("ALL",) if simulate else ()))


def _interpreter_errors(text: str) -> list[ev.Error]:
    state = make_state("IP232", clock=datetime(2026, 1, 1, 2, 0), uptime_min=600, update_url="")
    result = run_poll(state, MemoryFetcher(default=b""), script=text)
    return [e for e in result.events if isinstance(e, ev.Error) and e.severity == "error"]


def _blank_split_hour_list(kind: str | None, value: str) -> bool:
    # `/allow 1 ,2`: the device reads `1`; the linter reads the words as one
    # list split by a blank (UPD-022, an error in the script, not for the device).
    return kind == "hour-list" and any(word.startswith(",") for word in value.split()[1:])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LINES), VALUES)
def test_linter_and_interpreter_agree_on_every_option_value(line, value):
    head, kind = line
    assume(not _blank_split_hour_list(kind, value))
    text = f"{head} {value}\n"
    lint_errors = [d for d in _lint(text) if d.severity == Severity.ERROR and d.span.line == 1]
    run_errors = _interpreter_errors(text)
    assert bool(lint_errors) == bool(run_errors), (text, lint_errors, run_errors)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LINES), VALUES)
def test_no_face_raises_on_any_option_value(line, value):
    text = f"{line[0]} {value}\n"
    script = parse(Source(text, PATH))
    assert not [d for d in _lint(text, simulate=True) if "internal error" in d.message]
    _interpreter_errors(text)
    for col in range(len(text)):
        hover(script, 0, col)
    semantic_tokens(script)
    complete(text.rstrip("\n"), len(text) - 1)
    assert parse(format_text(text, PATH)).lines[0].kind == script.lines[0].kind


# -- the values named in the report, through the command line ---------------------

SUPERSCRIPTS = """\
mod cmd UP1 times /allow 2,\u00b2 /initial 6
mod cmd UP0 scfg http://10.0.0.5/bak/#m.txt ser WEEKLY /force \u00b2
config add UP1 /poll \u00b2
config write
config activate
"""


def test_superscript_digits_are_clean_errors_in_run(tmp_path):
    path = tmp_path / PATH
    path.write_text(SUPERSCRIPTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path)], catch_exceptions=False)
    # Clean errors, no traceback; exit 1 because `config write`/`activate`
    # rewrite the configuration on every poll, so the device never converges.
    assert result.exit_code == 1, result.output
    assert "1  error: /allow: hours 0-23 separated by commas expected: `²` is not an hour 0-23" in result.output
    assert "2  error: /force: a whole number of hours expected" in result.output
    assert "3  error: UP1 /poll: a positive whole number of minutes expected" in result.output


def test_superscript_digits_are_findings_in_innolint_simulate():
    found = {(d.code, d.span.line, d.span.col) for d in _lint(SUPERSCRIPTS, simulate=True)}
    assert not any(d for d in _lint(SUPERSCRIPTS, simulate=True) if "internal error" in d.message)
    assert {("UPD-020", 1, 28), ("UPD-052", 2, 63), ("UPD-077", 3, 22)} <= found


def test_initial_minus_five_is_a_finding_and_an_error_event():
    text = "mod cmd UP1 times /allow 2 /initial -5\n"
    assert [(d.code, d.span.col) for d in _lint(text) if d.severity == Severity.ERROR] == [("UPD-023", 37)]
    assert [e.message for e in _interpreter_errors(text)] == [
        "/initial: a positive whole number of minutes expected (ASCII digits, at most 999999), not `-5`"
    ]


def test_hover_over_unreadable_hours_explains_them():
    script = parse(SUPERSCRIPTS)
    text, _span = hover(script, 0, 20)
    assert "`²` is not an hour 0-23" in text


# -- configuration sub-objects and `config rem` -------------------------------------

PHONE = """\
mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
mod cmd UP1 check iresetn 2024-06-15
config change PHONE SIG /prot SIP /gk-addr 10.0.0.1
config change PHONE APP /bg-image http://10.0.0.5/bg.png
config rem UP1 /provision
config write
config activate
iresetn
"""


def test_subobjects_and_config_rem_lint_clean():
    assert [(d.code, d.span.line) for d in _lint(PHONE)] == []


def test_subobjects_are_configured_apart_and_the_run_converges():
    up1 = (("UP1", (("/url", "http://10.0.0.5/"), ("/provision", "1"))),)
    state = make_state("IP232", clock=datetime(2026, 1, 1, 2, 0), uptime_min=600, update_url="http://10.0.0.5/",
                       edited_config=up1, saved_config=up1, running_config=up1)
    fetcher = MemoryFetcher({"http://10.0.0.5/update-ip232.htm": PHONE.encode()})
    run = run_until_converged(state, fetcher)
    assert run.converged and not run.loop
    saved = dict(run.state.saved_config)
    assert dict(saved["PHONE SIG"]) == {"/prot": "SIP", "/gk-addr": "10.0.0.1"}
    assert dict(saved["PHONE APP"]) == {"/bg-image": "http://10.0.0.5/bg.png"}
    assert "/provision" not in dict(saved["UP1"])
    errors = [e for poll in run.polls for e in poll.result.events if isinstance(e, ev.Error)]
    assert errors == []


# -- a new download verb is one catalogue entry ---------------------------------------

TRIAL = catalog.lookup("UP0", "boot")._replace(
    verb="app", summary="download an application image when the serial differs",
    reads="APP", writes="APP", running=None, default_file="{short}-app.bin", spec="",
)


def test_a_new_download_verb_is_one_catalogue_entry(monkeypatch):
    monkeypatch.setattr(catalog, "COMMANDS", catalog.COMMANDS + (TRIAL,))
    monkeypatch.setitem(catalog._COMMAND_INDEX, ("UP0", "app"), TRIAL)
    text = "mod cmd UP1 times /allow 2 /initial 6\nmod cmd UP0 app http://10.0.0.5/apps/ ireset A-7\n"
    line = parse(text).lines[1]
    assert line.kind == "download" and line.spec is TRIAL and line.serial.text == "A-7"
    # Linted like the other downloads: known verb, final command and URL checked.
    assert not [d for d in _lint(text) if d.code in ("UPD-001", "UPD-003", "UPD-010", "UPD-011")]
    assert [d.code for d in _lint(text.replace("ireset", "restart"))] == ["UPD-005"]
    state = make_state("IP232", clock=datetime(2026, 1, 1, 2, 0), uptime_min=600, update_url="")
    fetcher = MemoryFetcher({"http://10.0.0.5/apps/ip232-app.bin": b"app"})
    result = run_poll(state, fetcher, script=text)
    downloads = [e for e in result.events if isinstance(e, ev.Download)]
    assert [(d.kind, d.url, d.status) for d in downloads] == [("app", "http://10.0.0.5/apps/ip232-app.bin", 200)]
    assert dict(result.state.vars)["UPDATE/APP"] == "A-7"
    assert [e for e in result.events if isinstance(e, ev.Error)] == []


def test_completion_offers_the_catalogue_settings():
    labels = lambda text: [item.label for item in complete(text, len(text))]  # noqa: E731
    assert labels("config add UP1 ") == [s.name for s in catalog.CONFIG_SETTINGS["UP1"]]
    assert "/poll" not in labels("config add UP1 /poll 15 ")
    assert labels("config add UP1 /poll ") == []  # the cursor is on the value
    assert labels("config write ") == []


def test_hover_explains_settings_and_subobjects():
    script = parse("config add UP1 /poll \u00b2\nconfig change PHONE SIG /prot SIP\n")
    text, _span = hover(script, 0, 16)
    assert text.startswith("`/poll <minutes>`: poll interval") and "(default 15)" in text and "not readable" in text
    text, span = hover(script, 1, 21)
    assert text.startswith("sub-object `SIG` of module PHONE:") and (span.col, span.end_col) == (21, 24)


# -- a new option is one catalogue entry: both faces check its value ------------------

SCFG = catalog.lookup("UP0", "scfg")
KEEP = catalog.OptionSpec("/keep", "integer", "keep this many backups")
TRIAL_SCFG = SCFG._replace(options=SCFG.options + (KEEP,))


def _with_keep(monkeypatch):
    monkeypatch.setattr(catalog, "COMMANDS", tuple(TRIAL_SCFG if c is SCFG else c for c in catalog.COMMANDS))
    monkeypatch.setitem(catalog._COMMAND_INDEX, ("UP0", "scfg"), TRIAL_SCFG)


def _keep_script(value: str) -> str:
    return (
        "mod cmd UP1 times /allow 2 /initial 6\n"
        f"mod cmd UP0 scfg http://10.0.0.5/keep/#m-#b3.txt ser WEEKLY /force 168 /keep {value}\n"
    )


def test_a_new_option_is_one_catalogue_entry(monkeypatch, tmp_path):
    _with_keep(monkeypatch)
    bad = _keep_script("\u00b2")
    line = parse(bad).lines[1]
    assert line.option("/keep").kind == "integer" and line.option("/keep").invalid is not None
    errors = [d for d in _lint(bad) if d.severity == Severity.ERROR]
    assert [(d.code, d.span.line, d.span.col) for d in errors] == [("UPD-078", 2, 78)]
    assert [e.message for e in _interpreter_errors(bad)] == [
        "/keep: a whole number of units expected (ASCII digits, at most 999999), not `²`"
    ]
    path = tmp_path / PATH
    path.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--polls", "1"], catch_exceptions=False)
    assert "2  error: /keep:" in result.output, result.output
    for good in ("3", "12"):
        text = _keep_script(good)
        assert [d for d in _lint(text) if d.severity == Severity.ERROR] == []
        assert _interpreter_errors(text) == []
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["run", str(path), "--polls", "1"], catch_exceptions=False)
        assert "error" not in result.output, result.output


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_linter_and_interpreter_agree_on_a_new_options_values(value):
    # monkeypatch is function-scoped; hypothesis runs many examples in one call.
    saved = catalog.COMMANDS, catalog._COMMAND_INDEX[("UP0", "scfg")]
    try:
        catalog.COMMANDS = tuple(TRIAL_SCFG if c is SCFG else c for c in catalog.COMMANDS)
        catalog._COMMAND_INDEX[("UP0", "scfg")] = TRIAL_SCFG
        text = _keep_script(value)
        lint_errors = [d for d in _lint(text) if d.severity == Severity.ERROR and d.span.line == 2]
        run_errors = [e for e in _interpreter_errors(text) if e.line == 2]
        assert bool(lint_errors) == bool(run_errors), (text, lint_errors, run_errors)
    finally:
        catalog.COMMANDS, catalog._COMMAND_INDEX[("UP0", "scfg")] = saved


# -- config and vars verbs: the catalogue's lists, read by both faces ---------------

VERB_LINES = [f"config {verb} CMD0 /name Lobby" for verb in (*catalog.CONFIG_VERBS, "frob", "set", "ADD", "")]
VERB_LINES += [f"vars {verb} X/Y pb 1" for verb in (*catalog.VARS_VERBS, "frob", "set", "CREATE", "")]
# A known verb without what it acts on: no module, no variable name.
VERB_LINES += [f"config {verb} /name Lobby" for verb in catalog.CONFIG_VERBS]
VERB_LINES += [f"vars {verb}" for verb in catalog.VARS_VERBS]


@pytest.mark.parametrize("line", VERB_LINES)
def test_linter_and_interpreter_agree_on_config_and_vars_verbs(line):
    text = f"{line}\n"
    lint_errors = [d for d in _lint(text) if d.severity == Severity.ERROR and d.span.line == 1]
    run_errors = _interpreter_errors(text)
    assert bool(lint_errors) == bool(run_errors), (text, lint_errors, run_errors)


def test_unknown_config_verb_is_an_error_in_a_script_and_in_a_cfg_payload(tmp_path):
    text = "config frob UP1 /x 1\nconfig write\n"
    assert [(d.code, d.span.col) for d in _lint(text)] == [("UPD-079", 8)]
    payload = parse(Source(text, "site.txt"))
    found = lint_script(payload, Settings(mode="cfg-payload"))
    assert [(d.code, d.severity, d.span.col) for d in found] == [("UPD-079", Severity.ERROR, 8)]
    assert [e.message for e in _interpreter_errors(text)] == ["unknown config verb 'frob'"]
