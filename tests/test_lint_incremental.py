"""Rules in one pass, and incremental re-lint: after any sequence of edits the
incremental linter gives exactly the diagnostics of a full lint, while running
the line rules only on lines it has not seen."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from innoscript.lint import Settings, lint_script
from innoscript.lint.engine import IncrementalLinter
from innoscript.lint.rule import all_rules
from innoscript.source import Source
from innoscript.syntax import parse
from innoscript.syntax.parser import reparse

# Lines that trigger (or almost trigger) many rules: every rule's examples, and a few more.
POOL = sorted(
    {line for rule in all_rules() for example in (rule.bad_example, rule.good_example)
     for line in example.text.splitlines() if "\\x" not in line}
    | {
        "mod cmd UP1 times /allow 22,23,23,24,1-3, 5 /initial 0",
        "mod cmd UP0 prot http://fw.example.com/07-60600.03/ reboot 07-60600.03 # trailing",
        "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force x",
        "config change UP1 /url http://#i/#z/update.htm /poll 1",
        "# innolint: disable-next-line=UPD-002 -- staged",
        "# innolint: disable=UPD-003",
        "# innolint: enable=all",
        "mod cmd UP1 check nop 2024-06-01",
        "iresetn",
        "",
    }
)
NEWLINES = ("\n", "\r\n")
SETTINGS = (
    Settings(),
    Settings(target_version="v6", model="IP72"),
    Settings(select=("times", "UPD-00"), ignore=("UPD-002",)),
    Settings(mode="cfg-payload", require_reason=True),
)
NAMES = ("update-ip1200.htm", "update-ip72.htm", "update-ip232.htm")


def script_of(lines: list[str], newline: str, final_newline: bool, name: str):
    text = newline.join(lines) + (newline if final_newline and lines else "")
    return parse(Source(text, name))


edits = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 40), st.sampled_from(POOL)),
    st.tuples(st.just("delete"), st.integers(0, 40), st.just("")),
    st.tuples(st.just("replace"), st.integers(0, 40), st.sampled_from(POOL)),
    st.tuples(st.just("type"), st.integers(0, 40), st.sampled_from([" ", ",", "3", "#", "x", "/", "time", "\t"])),
    st.tuples(st.just("erase"), st.integers(0, 40), st.integers(0, 30).map(str)),
)


def apply(lines: list[str], edit: tuple[str, int, str]) -> list[str]:
    kind, where, text = edit
    lines = list(lines)
    if kind == "insert":
        lines.insert(where % (len(lines) + 1), text)
    elif not lines:
        return lines
    elif kind == "delete":
        del lines[where % len(lines)]
    elif kind == "replace":
        lines[where % len(lines)] = text
    elif kind == "type":
        index = where % len(lines)
        line = lines[index]
        at = (where * 7) % (len(line) + 1)
        lines[index] = line[:at] + text + line[at:]
    else:  # erase one character
        index = where % len(lines)
        line = lines[index]
        if line:
            at = int(text) % len(line)
            lines[index] = line[:at] + line[at + 1:]
    return lines


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(POOL), min_size=0, max_size=14),
    st.lists(edits, min_size=1, max_size=8),
    st.sampled_from(NEWLINES),
    st.booleans(),
    st.sampled_from(SETTINGS),
    st.sampled_from(NAMES),
)
def test_incremental_relint_after_random_edits_equals_a_full_lint(start, sequence, newline, final_newline, settings, name):
    linter = IncrementalLinter()
    lines = start
    script = script_of(lines, newline, final_newline, name)
    assert linter.lint(script, settings) == lint_script(script, settings)
    for edit in sequence:
        lines = apply(lines, edit)
        fresh = script_of(lines, newline, final_newline, name)
        # As the language server does: only the changed region parsed again, the
        # nodes placed in the last version handed over where they did not move.
        script, _ = reparse(script, fresh.source.text)
        assert linter.lint(script, settings) == lint_script(fresh, settings), (edit, lines)


def test_a_one_line_edit_runs_the_line_rules_on_that_line_only():
    lines = [f"config change CMD{i} /name x{i}" for i in range(200)]
    lines[0] = "mod cmd UP1 times /allow 22,23,0,1 /initial 6"
    linter = IncrementalLinter()
    first = linter.lint(script_of(lines, "\n", True, "update-ip1200.htm"))
    assert linter.computed == 200 and linter.reused == 0
    lines[100] = "mod cmd UP1 time /allow 1,2"
    edited = script_of(lines, "\n", True, "update-ip1200.htm")
    again = linter.lint(edited)
    assert (linter.computed, linter.reused) == (1, 199)
    assert again == lint_script(edited) and again != first
    assert "UPD-002" in {d.code for d in again if d.span.line == 101}
    # A line inserted above moves every later finding: positions still exact.
    lines.insert(3, "config write")
    moved = script_of(lines, "\n", True, "update-ip1200.htm")
    assert linter.lint(moved) == lint_script(moved)
    assert (linter.computed, linter.reused) == (1, 200)


def test_other_settings_or_model_empty_the_store():
    lines = ["mod cmd UP0 bmc http://10.0.0.5/fw/ ser 1", "mod cmd WLANMGR0 activate-pwr"]
    linter = IncrementalLinter()
    for name in ("update-ip1200.htm", "update-ip72.htm"):
        for settings in (Settings(), Settings(target_version="v6")):
            script = script_of(lines, "\n", True, name)
            assert linter.lint(script, settings) == lint_script(script, settings)
            assert linter.reused == 0


def test_line_rules_are_dispatched_by_node_kind_in_one_loop():
    """Each line rule sees only the node kinds it declares, each line once."""
    from innoscript.syntax import ast

    seen: list[tuple[str, int]] = []
    rules = [r for r in all_rules() if r.per_line]
    assert len(rules) > 40  # most rules look at one line
    originals = {rule.code: rule.check for rule in rules}

    def spy(rule):
        def check(ctx, line):
            assert isinstance(line, rule.kinds)
            seen.append((rule.code, line.text))
            return originals[rule.code](ctx, line)
        return check

    for rule in rules:
        object.__setattr__(rule, "check", spy(rule))  # Rule is frozen; restored below
    try:
        script = parse(Source("mod cmd UP1 times /allow 1,2\n# a comment\nconfig write\niresetn\n", "update-ip1200.htm"))
        lint_script(script)
    finally:
        for rule in rules:
            object.__setattr__(rule, "check", originals[rule.code])
    assert len(seen) == len(set(seen))
    assert not [text for _, text in seen if text == "# a comment"]  # a comment is no command: no command rule ran on it
    times_rules = {code for code, text in seen if text == "mod cmd UP1 times /allow 1,2"}
    assert {"UPD-002", "UPD-020", "UPD-022"} <= times_rules
    assert ast.Times in {k for r in rules for k in r.kinds}


def test_a_line_rule_that_raises_gives_one_internal_error_in_both_paths():
    from innoscript.lint.rule import find_rule

    rule = find_rule("UPD-002")
    original = rule.check

    def broken(ctx, line):
        if line.text.endswith("2"):
            raise ValueError("boom")
        return original(ctx, line)

    object.__setattr__(rule, "check", broken)
    try:
        script = parse(Source("mod cmd UP1 time /allow 1\nmod cmd UP1 time /allow 2\n", "update-ip1200.htm"))
        full = lint_script(script)
        assert full == IncrementalLinter().lint(script)
    finally:
        object.__setattr__(rule, "check", original)
    mine = [d for d in full if d.code == "UPD-002"]
    assert len(mine) == 1 and "internal error in rule UPD-002: ValueError('boom')" in mine[0].message


def test_a_stale_lint_stops_midway_and_the_next_one_is_exact():
    """The language server abandons a lint a newer edit made stale: ``check`` raises in the middle."""

    class Stale(Exception):
        pass

    text = "".join(f"mod cmd UP1 times /allow {i % 24},{i % 24}\nconfig add CMD0 /name n{i}\n" for i in range(6000))
    script = parse(Source(text, "update-ip1200.htm"))
    linter = IncrementalLinter()
    calls = []

    def check():
        calls.append(1)
        if len(calls) == 2:  # past the first rules, well before the end
            raise Stale()

    with pytest.raises(Stale):
        linter.lint(script, Settings(), check)
    assert len(calls) == 2
    edited = parse(Source(text.replace("/name n7\n", "/name n7 x\n"), "update-ip1200.htm"))
    assert linter.lint(edited, Settings()) == lint_script(edited, Settings())


def test_blank_lines_share_one_parse_and_linting_places_only_the_other_lines():
    """Ten million blank lines (10 MB of CR) must cost a pointer each, not a node each."""
    script = parse(Source("\r" * 50_000 + "mod cmd UP1 check ser 1\r" + "\r" * 50_000, "update-ip1200.htm"))
    assert len({id(shape) for shape in script.shapes}) == 2
    lint_script(script, Settings())
    assert script._lines is None
    assert {index + 1 for index in script._nodes} <= {50_001, 100_001}  # the command; the last line


def test_the_store_keeps_the_parses_of_the_last_version_only():
    """Each edit adds a parse; the store drops those no line has any more, and stays exact."""
    lines = ["mod cmd UP1 times /allow 22,23 /initial 6", "mod cmd UP1 time /allow 1", "config write"]
    linter = IncrementalLinter()
    script = script_of(lines, "\n", True, "update-ip1200.htm")
    linter.lint(script)
    for serial in range(200):
        lines[1] = f"mod cmd UP1 time /allow {serial % 24}, {serial}"
        fresh = script_of(lines, "\n", True, "update-ip1200.htm")
        script, _ = reparse(script, fresh.source.text)
        assert linter.lint(script) == lint_script(fresh)
        assert len(linter._shapes) <= 2 * len(lines) + 64 + 1
