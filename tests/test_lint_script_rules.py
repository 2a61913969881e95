"""The cross-line (script) rules read line parses and place only what they report.

A script rule walks the numbers of the lines it wants (``ctx.numbers``),
tests each line's parse (``ctx.shape``, ``script.shapes``: made once per
line text, at line 1, offset 0) and places only the lines it reports
(``ctx.at``, ``ctx.line``).  A rule that read a position from a parse would
point at line 1: the property below catches it by linting the script again
with every line's parse replaced by the line placed, which must change
nothing.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

try:
    import fuzzing
except ImportError:  # the tests folder imported as a package
    from . import fuzzing

from innoscript.lint import Settings, lint_script
from innoscript.lint.rule import all_rules
from innoscript.source import Source
from innoscript.syntax import ast, parse
from rule_helpers import findings

SCRIPT_RULES = tuple(rule.code for rule in all_rules() if rule.stage == "script")

# The script rules that only run under some settings or models run too.
SETTINGS = [
    ("update-ip232.htm", Settings(select=SCRIPT_RULES)),
    ("update-ip72.htm", Settings(select=SCRIPT_RULES, target_version="v13r3")),  # UPD-046 (a WLAN model), UPD-076
    ("update-ip232.htm", Settings(select=SCRIPT_RULES, mode="cfg-payload")),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fuzzing.inputs(), st.sampled_from(SETTINGS))
def test_script_rules_read_no_position_from_a_parse(data, where):
    path, lint_settings = where
    script = parse(Source.from_bytes(data, path))
    expected = lint_script(script, lint_settings)
    placed = ast.Script(script.source, script.lines, script.filled)  # each "parse" where its line stands
    assert lint_script(placed, lint_settings) == expected
    assert not [d for d in expected if "internal error" in d.message]


TYPE_SETS = [
    (ast.Command,), (ast.Times,), (ast.Check,), (ast.Download, ast.Cfg), (ast.Download, ast.Scfg, ast.Cfg),
    (ast.Download, ast.WlanPower), (ast.ConfigLine,), (ast.FinalLine,), (ast.Comment,), (ast.Line,), (ast.Blank,),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.scripts(max_lines=20), st.lists(st.sampled_from(TYPE_SETS), max_size=6))
def test_numbers_of_are_the_lines_of_those_types(text, asked):
    script = parse(Source(text + "\n\n# note\n", "update-ip232.htm"))
    for types in asked + TYPE_SETS:  # some asked twice: the second answer is the kept one
        numbers = script.numbers_of(*types)
        assert list(numbers) == [line.number for line in script.lines if isinstance(line, types)]
        assert script.lines_of(*types) == [line for line in script.lines if isinstance(line, types)]


# -- what the rewritten rules report, where the rule tests say less -------------------------

TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6"
SCFG = "mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168"
CHECK = "mod cmd UP1 check iresetn 2024-06-01"
PROT = "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin"


def _text(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def test_times_not_first_counts_the_commands_above_but_backups():
    text = _text(SCFG, "config add CMD0 /name A", SCFG, "config write", TIMES, TIMES)
    (found,) = findings("UPD-024", text)
    assert (found.span.line, found.span.col) == (5, 13)
    assert found.message.startswith("2 commands above `times` run at any hour (from line 2)")
    assert [(r.span.line, r.span.start) for r in found.related] == [(2, len(SCFG) + 2)]


def test_several_checks_and_the_record_only_check():
    text = _text(TIMES, CHECK, "config add CMD0 /name A", "mod cmd UP1 check ireset 2024-06-02", "iresetn")
    second = findings("UPD-032", text)
    assert [(d.span.line, d.span.col) for d in second] == [(4, 13)]
    assert "the first is on line 2" in second[0].message and second[0].related[0].span.line == 2
    record_only = findings("UPD-033", text)
    assert [(d.span.line, d.span.col) for d in record_only] == [(4, 13)]


def test_restart_inside_check_spares_the_last_line_and_the_lines_above():
    text = _text(TIMES, f"{PROT} ireset 13-1", CHECK, f"{PROT} ireset 13-2", "config write", f"{PROT} ireset 13-3")
    (found,) = findings("UPD-034", text)
    assert (found.span.line, found.span.col) == (4, len(PROT) + 2)
    assert found.fix.edits[0].span == found.span and found.related[0].span.line == 3


def test_save_serials_differ_names_the_first_other_serial():
    daily = "mod cmd UP0 scfg http://10.0.0.5/bak/#h-d.txt ser DAILY /force 24"
    text = _text(TIMES, daily, daily, SCFG)
    (found,) = findings("UPD-059", text)
    assert (found.span.line, found.message.split(":")[0]) == (4, "save-serial `WEEKLY` differs from `DAILY` on line 2")
    assert (found.related[0].span.line, found.related[0].span.col) == (2, daily.index("DAILY") + 1)


def test_cfg_loads_backup_names_the_first_scfg_writing_it():
    text = _text(TIMES, SCFG, SCFG, CHECK, "mod cmd UP0 cfg http://10.0.0.5/backup/IP232-0a-1b-2c-3.txt ser R",
                 "config activate")
    (found,) = findings("UPD-067", text)
    assert "written by the scfg on line 2" in found.message
    assert (found.related[0].span.line, found.related[0].span.col) == (2, 18)


def test_never_activated_adds_the_activation_after_the_last_write_below_the_changes():
    text = _text(TIMES, "config write", "mod cmd UP1 check ser 2024-06-01", "config add CMD0 /name A", "config write",
                 "config add CMD0 /name B", "config write", "mod cmd UP1 poll")
    found = findings("UPD-071", text)
    assert [d.span.line for d in found] == [4, 6]
    assert {d.fix.edits[0].span.line for d in found} == {8}  # after line 7, the last `config write`


def test_download_never_activated_offers_one_fix_at_the_end():
    text = _text(TIMES, f"{PROT} ser 13-1", "mod cmd UP0 boot http://10.0.0.5/fw/boot.bin ser 140", "config write")
    found = findings("UPD-049", text)
    assert [d.span.line for d in found] == [2, 3]
    assert found[0].fix == found[1].fix and found[0].fix.edits[0].span.line == 5


def test_restart_between_downloads_names_the_next_download():
    text = _text(TIMES, f"{PROT} ireset 13-1", "config write", "mod cmd UP0 boot http://10.0.0.5/fw/b.bin ser 140")
    (found,) = findings("UPD-050", text)
    assert "before the `boot` on line 4" in found.message
    assert (found.related[0].span.line, found.related[0].span.col) == (4, 13)
