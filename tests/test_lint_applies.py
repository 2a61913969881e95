"""Rules that declare when they apply are skipped only where they could find nothing.

A line rule's ``applies(ctx)`` lets the engine leave it out of the loop over
the lines for a whole script.  Over every target version, every model (and
none) and both modes, a rule whose ``applies`` says no must find nothing on
any line of its examples or of the corpus, and the engine must give the same
diagnostics as running every line rule on every line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from innoscript import catalog
from innoscript.lint import engine
from innoscript.lint.context import LintContext
from innoscript.lint.rule import all_rules
from innoscript.lint.settings import MODES, Settings
from innoscript.source import Source
from innoscript.syntax import parse, parse_line

ROOT = Path(__file__).resolve().parent.parent
GATED = [rule for rule in all_rules() if rule.applies is not None]


def _scripts():
    texts = []
    for rule in all_rules():
        for example in (rule.bad_example, rule.good_example):
            if example is not None:
                texts.append(example.data)
    for path in sorted((ROOT / "corpus").rglob("*")):
        if path.is_file() and path.suffix in (".htm", ".upd", ".txt"):
            texts.append(path.read_bytes())
    # Lines every gated or narrowed rule reports on under some settings.
    texts.append(
        b"config change cmd0 /name x\r\n"
        b"config add UP1 /url https://updates.example/#q#t#h/\r\n"
        b"mod cmd up0 prot ftp://fw.example/fw/ restart 13-1#t\r\n"
        b"mod cmd UP0 boot https://fw.example/boot/#z ireboot 13-5001234\r\n"
        b"mod cmd UP0 bmc http://10.0.0.5/bmc/ iresetn 13-5001234\r\n"
        b"mod cmd UP0 scfg http://10.0.0.5/b/#h-#q.txt ser WEEKLY /force 24\r\n"
        b"mod cmd UP0 cfg http://10.0.0.5/c.txt ser CFG-#h\r\n"
        b"mod cmd UP1 check iresetn no-op 2020-01-01\r\n"
        b"mod cmd WLANMGR0 activate-pwr\r\n"
        b"vars create UPDATE/X p #h\r\n"
        b"reboot\r\n"
    )
    return [parse(Source.from_bytes(data, "update.htm")) for data in texts]


SCRIPTS = _scripts()


def _models() -> list[str | None]:
    """No model, and one model per combination of the properties the gates read."""
    kinds: dict[tuple, str] = {}
    for name, model in catalog.MODELS.items():
        key = (model.reboot, model.dect, model.wlan, model.firmware_name == model.firmware_name.lower())
        kinds.setdefault(key, name)
    return [None, *kinds.values()]


SETTINGS = [Settings(target_version=version, model=model, mode=mode)
            for version in catalog.VERSIONS for model in _models() for mode in MODES]


def test_some_rules_are_gated():
    assert {"UPD-014", "UPD-015", "UPD-043", "UPD-053", "UPD-062", "UPD-065"} <= {r.code for r in GATED}


@pytest.mark.parametrize("rule", GATED, ids=lambda r: r.code)
def test_a_rule_that_does_not_apply_finds_nothing(rule):
    skipped = 0
    for settings in SETTINGS:
        for script in SCRIPTS:
            ctx = LintContext(script, settings)
            if rule.applies(ctx):
                continue
            skipped += 1
            for line in script.lines:
                if isinstance(line, rule.kinds):
                    assert not list(rule.check(ctx, line) or ()), (rule.code, settings, line.text)
    assert skipped  # the gate does say no somewhere


def test_the_engine_gives_what_every_rule_on_every_line_gives(monkeypatch):
    settings_sample = SETTINGS[:: max(1, len(SETTINGS) // 12)]
    for settings in settings_sample:
        for script in SCRIPTS[:40]:
            gated = engine.lint_script(script, settings)
            with monkeypatch.context() as patch:
                patch.setattr(engine, "_applies", lambda ctx, rule: True)
                everything = engine.lint_script(script, settings)
            assert gated == everything


NEEDING = [rule for rule in all_rules() if engine.rule_needs(rule) is not None]


def test_some_rules_need_a_text():
    assert {"UPD-056", "UPD-060", "UPD-061", "UPD-062"} <= {r.code for r in NEEDING}


@pytest.mark.parametrize("rule", NEEDING, ids=lambda r: r.code)
def test_a_rule_finds_nothing_on_lines_without_the_text_it_needs(rule):
    needs = engine.rule_needs(rule)
    lines = 0
    for settings in SETTINGS[:: max(1, len(SETTINGS) // 24)]:
        for script in SCRIPTS:
            ctx = LintContext(script, settings)
            for line in script.lines:
                if isinstance(line, rule.kinds) and needs not in line.text:
                    lines += 1
                    assert not list(rule.check(ctx, line) or ()), (rule.code, settings, line.text)
    assert lines


def test_the_engine_skips_a_rule_only_on_lines_without_the_text_it_needs(monkeypatch):
    from innoscript.lint.rule import find_rule

    rule = find_rule("UPD-060")
    original = rule.check
    seen: list[str] = []

    def counting(ctx, line):
        seen.append(line.text)
        return original(ctx, line)

    counting.rule_needs = original.rule_needs
    data = b"vars create UPDATE/X p #h\r\nvars create UPDATE/Y p 1\r\nmod cmd UP1 check ser x#m\r\n"
    script = parse(Source.from_bytes(data, "update.htm"))
    monkeypatch.setattr(engine, "_SHARED", {})
    object.__setattr__(rule, "check", counting)
    try:
        skipping = engine.lint_script(script, Settings())
    finally:
        object.__setattr__(rule, "check", original)
    assert seen == ["vars create UPDATE/X p #h", "mod cmd UP1 check ser x#m"]
    assert [d.span.line for d in skipping if d.code == "UPD-060"] == [1, 3]
    for settings in SETTINGS[:: max(1, len(SETTINGS) // 12)]:
        for script in SCRIPTS[:40]:
            monkeypatch.setattr(engine, "_SHARED", {})
            skipping = engine.lint_script(script, settings)
            with monkeypatch.context() as patch:
                patch.setattr(engine, "_SHARED", {})
                patch.setattr(engine, "rule_needs", lambda rule: None)
                everything = engine.lint_script(script, settings)
            assert skipping == everything


# Rules that once ran on every command and now declare the node kinds they
# can report on: on any other command they must find nothing.
NARROWED = ("UPD-001", "UPD-005", "UPD-006", "UPD-009", "UPD-013", "UPD-014", "UPD-015", "UPD-044", "UPD-056",
            "UPD-060", "UPD-061", "UPD-062")


@pytest.mark.parametrize("code", NARROWED)
def test_a_rule_finds_nothing_on_the_commands_it_does_not_declare(code):
    from innoscript.syntax import ast

    rule = next(r for r in all_rules() if r.code == code)
    others = 0
    for settings in SETTINGS[::3]:
        for script in SCRIPTS:
            ctx = LintContext(script, settings)
            for line in script.lines:
                if isinstance(line, ast.Command) and not isinstance(line, rule.kinds):
                    others += 1
                    assert not list(rule.check(ctx, line) or ()), (code, settings, line.text)
    assert others


def test_repeated_lines_get_the_findings_of_running_every_line(monkeypatch):
    """The engine runs line rules once per distinct line text and moves the findings."""
    repeated = (
        b"mod cmd up0 prot http://10.0.0.5/fw/ ireset 13-5001234 # new\r\n"
        b"config change cmd0 /name a b\r\n"
        b"mod cmd UP1 times /allow 25,1 /initial 0\r\n"
    )
    data = repeated * 3 + b"iresetn\r\n" + repeated + repeated.rstrip(b"\r\n")
    script = parse(Source.from_bytes(data, "update-ip1200.htm"))

    def every_line(ctx, rules, check=None):
        by_type: dict = {}
        for line in ctx.script.lines:
            fresh = parse_line(line.text, newline=line.newline)  # its own parse, not shared
            found = engine._run_line(ctx, fresh, engine._wanted(by_type, rules, type(fresh)))
            yield engine._place_found(found, line.number, line.offset, ctx.source)

    for settings in (Settings(), Settings(target_version="v6")):
        once = engine.lint_script(script, settings)
        with monkeypatch.context() as patch:
            patch.setattr(engine, "_once_per_text", every_line)
            everything = engine.lint_script(script, settings)
        assert once == everything
        assert len({d.span.line for d in once if d.fix is not None}) > 5  # moved findings, fixes included


def test_line_findings_are_shared_across_scripts_only_under_the_same_model_and_settings(monkeypatch):
    """The scripts of one site repeat lines: each distinct line is checked once per model and settings."""
    from innoscript.lint.rule import find_rule

    rule = find_rule("UPD-048")  # wlanmgr-not-wlan: depends on the device model
    original = rule.check
    calls: list[str] = []

    def counting(ctx, line):
        calls.append(ctx.script.path)
        return original(ctx, line)

    monkeypatch.setattr(engine, "_SHARED", {})
    object.__setattr__(rule, "check", counting)
    try:
        line = b"mod cmd WLANMGR0 activate-pwr\r\n"
        first = engine.lint_script(parse(Source.from_bytes(line, "a/update-ip1200.htm")), Settings())
        second = engine.lint_script(parse(Source.from_bytes(b"config write\r\n" + line, "b/update-ip1200.htm")), Settings())
        other_settings = engine.lint_script(parse(Source.from_bytes(line, "c/update-ip1200.htm")),
                                            Settings(target_version="v6"))
        other_model = engine.lint_script(parse(Source.from_bytes(line, "d/update-ip72.htm")), Settings())
    finally:
        object.__setattr__(rule, "check", original)
    assert calls == ["a/update-ip1200.htm", "c/update-ip1200.htm"]  # b reused a's finding; d's model has WLAN
    assert "UPD-048" in [d.code for d in other_settings]
    assert [d.code for d in first if d.code == "UPD-048"] == [d.code for d in second if d.code == "UPD-048"] == ["UPD-048"]
    assert [d.span.line for d in second if d.code == "UPD-048"] == [2]  # placed where it stands in b
    assert not [d for d in other_model if d.code == "UPD-048"]  # an IP72 has WLAN


def test_each_selection_gets_its_own_rules_when_several_alternate():
    """The engine keeps the selection per select/ignore lists: alternating them changes nothing."""
    script = parse(Source.from_bytes(b"mod cmd UP1 time /allow 22,23 /initial 6\r\nconfig add CMD0 /name a\r\n",
                                     "update-ip232.htm"))
    choices = (Settings(), Settings(select=("UPD-002",)), Settings(ignore=("UPD-002",)), Settings(select=("UPD-07",)))
    first = [engine.lint_script(script, settings) for settings in choices]
    assert {d.code for d in first[1]} == {"UPD-002"} and "UPD-002" in {d.code for d in first[0]}
    assert "UPD-002" not in {d.code for d in first[2]} and first[2]
    assert first[3] and all(d.code.startswith("UPD-07") for d in first[3])
    for settings, expected in zip(reversed(choices), reversed(first)):
        assert engine.lint_script(script, settings) == expected
    assert [r.code for r in engine.active_rules(choices[1])] == ["UPD-002"]
    engine.active_rules(choices[1]).clear()  # a caller's list is its own
    assert [r.code for r in engine.active_rules(choices[1])] == ["UPD-002"]
