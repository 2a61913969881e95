"""Rules of catalogue section A (lexical and structural): catches / catches-not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript.lint import Settings, Severity, lint_script, lint_source
from innoscript.lint.fixes import apply_edits
from innoscript.source import Source
from innoscript.syntax import parse
from rule_helpers import findings, fixed, hits

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FAMILIES = ("lexical", "arguments", "times", "check")


# -- UPD-001 unknown verb ---------------------------------------------------------


@pytest.mark.parametrize("text", [
    "mod cmd UP0 firmware http://10.0.0.5/fw/ ireset 13-5001234",
    "mod cmd UP1 update",
    "mod cmd UP0 PROT http://10.0.0.5/fw/ ireset 13-5001234",
    "mod cmd up1 chek iresetn 2024-06-01",
    "mod cmd UP1",
])
def test_unknown_verb_catches(text):
    assert hits("UPD-001", text)


@pytest.mark.parametrize("text", [
    "mod cmd UP1 time /allow 22,23 /initial 6",  # UPD-002's
    "mod cmd UP1 times /allow 22,23 /initial 6",
    "mod cmd UP1 poll",
    "mod cmd UP1 provision 1",
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt",
    "mod cmd WLANMGR0 frobnicate",  # not an update module
    "mod cmd CMD0 xml-info",
    "# mod cmd UP0 firmware http://10.0.0.5/",
])
def test_unknown_verb_catches_not(text):
    assert hits("UPD-001", text) == []


def test_unknown_verb_names_the_right_case():
    (diagnostic,) = findings("UPD-001", "mod cmd UP0 PROT http://10.0.0.5/fw/ ireset 1")
    assert "`prot`" in diagnostic.message and diagnostic.span.col == 13


# -- UPD-002 time alias -------------------------------------------------------------


def test_time_alias_catches_and_fixes():
    text = "mod cmd UP1 time /allow 22,23,0,1 /initial 6\n"
    assert hits("UPD-002", text) == [(1, 13)]
    assert fixed("UPD-002", text) == "mod cmd UP1 times /allow 22,23,0,1 /initial 6\n"
    assert findings("UPD-002", text)[0].fix.safe


@pytest.mark.parametrize("text", ["mod cmd UP1 times /allow 1", "mod cmd UP1 timer /allow 1", "# mod cmd UP1 time"])
def test_time_alias_catches_not(text):
    assert hits("UPD-002", text) == []


# -- UPD-003 extra tokens -------------------------------------------------------------


@pytest.mark.parametrize("text, at", [
    ("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234 # new firmware", (1, 56)),
    ("mod cmd UP1 times /allow 22,23 /initial 6 # night only", (1, 43)),
    ("mod cmd UP1 check iresetn 2024-06-01 extra", (1, 38)),
    ("mod cmd UP1 poll now", (1, 18)),
    ("iresetn please", (1, 9)),
    ("config write now", (1, 14)),
    ("config add CMD0 stray /name x", (1, 17)),
    ("config add CMD0 /name x # the name", (1, 25)),
    ("mod cmd UP1\tcheck\tiresetn\t1\tx", (1, 29)),
    ("mod cmd UP1 times /allow 1,2 3", (1, 30)),
])
def test_extra_tokens_catches(text, at):
    assert hits("UPD-003", text) == [at]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234",
    "mod cmd UP0 scfg http://10.0.0.5/q.php?sn=#m ser nop /always mod%20cmd%20CMD0%20xml-info",
    "mod cmd UP0 scfg http://10.0.0.5/q.php?sn=#m ser nop /always mod cmd CMD0 xml-info",
    "mod cmd UP1 times /allow 22, 23, 0 /initial 6",  # UPD-022's
    "config add CMD0 /name Front Desk",  # UPD-007's
    "vars create PHONE/LANG p de",
    "mod cmd UP0 cfg http://10.0.0.5/cfg/#m.txt ser CFG-7",
    "# a comment # with hashes",
    "mod cmd UP1 check iresetn 2024-06-01   ",
])
def test_extra_tokens_catches_not(text):
    assert hits("UPD-003", text) == []


def test_trailing_comment_fix_moves_it_above_and_keeps_crlf():
    text = "mod cmd UP1 check iresetn 1\r\n  config write # store it\r\nconfig activate\r\n"
    (diagnostic,) = findings("UPD-003", text)
    assert diagnostic.span.line == 2 and not diagnostic.fix.safe
    assert apply_edits(text, diagnostic.fix.edits) == (
        "mod cmd UP1 check iresetn 1\r\n  # store it\r\n  config write\r\nconfig activate\r\n"
    )


def test_trailing_comment_fix_on_last_line_without_newline():
    text = "config write # done"
    assert fixed("UPD-003", text) == "# done\nconfig write"


# -- UPD-004 BOM / leading control characters --------------------------------------------


def test_bom_is_reported_at_file_start():
    data = b"\xef\xbb\xbfmod cmd UP1 times /allow 1 /initial 6\r\n"
    assert hits("UPD-004", data) == [(1, 1)]
    assert findings("UPD-004", data)[0].fix is None


def test_bom_before_a_comment_is_reported_too():
    assert hits("UPD-004", b"\xef\xbb\xbf# comment\nmod cmd UP1 poll\n") == [(1, 1)]


def test_leading_invisible_characters_are_deleted_by_the_fix():
    text = "\u200b\x1amod cmd UP1 poll\n"
    (diagnostic,) = findings("UPD-004", text)
    assert (diagnostic.span.start, diagnostic.span.end) == (0, 2)
    assert apply_edits(text, diagnostic.fix.edits) == "mod cmd UP1 poll\n"


@pytest.mark.parametrize("data", [b"mod cmd UP1 poll\n", b"\tmod cmd UP1 poll\n", b"\n\xef\xbb\xbf", b""])
def test_bom_catches_not(data):
    assert hits("UPD-004", data) == []


# -- UPD-005 / UPD-006 final commands -------------------------------------------------------


@pytest.mark.parametrize("text, at", [
    ("mod cmd UP0 prot http://10.0.0.5/fw/ restart 13-5001234", (1, 38)),
    ("mod cmd UP1 check reload 2024-06-01", (1, 19)),
    ("mod cmd UP0 cfg http://10.0.0.5/c.txt activate CFG-1", (1, 39)),
    ("mod cmd UP0 scfg http://10.0.0.5/#h.txt weekly WEEKLY /force 168", (1, 41)),
])
def test_unknown_final_catches(text, at):
    assert hits("UPD-005", text) == [at]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 prot http://10.0.0.5/fw/ IRESET 13-5001234",
    "mod cmd UP0 boot http://10.0.0.5/fw/b.bin ireboot 140",
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt no-op WEEKLY",  # UPD-006's
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt nop WEEKLY",
    "mod cmd UP1 check 2024-06-01",  # missing argument: ambiguous
    "mod cmd UP0 prot ireset 04-5656",  # URL lost: ambiguous
    "mod cmd UP0 prot /ser 04-5679",
    "mod cmd UP0 cfg http://10.0.0.5/c.txt CFG-1",  # two words: which one is missing?
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt",
])
def test_unknown_final_catches_not(text):
    assert hits("UPD-005", text) == []


def test_noop_final_is_replaced_by_ser():
    text = "mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt no-op WEEKLY /force 168"
    assert hits("UPD-006", text) == [(1, 49)]
    assert fixed("UPD-006", text) == text.replace("no-op", "ser")
    assert hits("UPD-006", "mod cmd UP1 check NOP 1") == [(1, 19)]


@pytest.mark.parametrize("text", [
    "mod cmd UP0 scfg http://10.0.0.5/q?sn=#m ser nop /always x",  # `nop` is the serial here
    "mod cmd UP0 scfg no-op WEEKLY /force 168",  # URL lost: reading ambiguous
    "mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser WEEKLY",
])
def test_noop_final_catches_not(text):
    assert hits("UPD-006", text) == []


# -- UPD-007 split value -------------------------------------------------------------


def test_split_value_is_joined_with_percent_20():
    text = "config add CMD0 /name Trunk Gateway 1 /hw x\n"
    assert hits("UPD-007", text) == [(1, 23)]
    (diagnostic,) = findings("UPD-007", text)
    assert not diagnostic.fix.safe
    assert apply_edits(text, diagnostic.fix.edits) == "config add CMD0 /name Trunk%20Gateway%201 /hw x\n"


@pytest.mark.parametrize("text", [
    "config add CMD0 /name Front%20Desk",
    "config add CMD0 /name x # comment",
    "config add UP1 /no-dhcp",
    "mod cmd UP0 scfg http://10.0.0.5/#h.txt ser S /always mod cmd",
    "config write",
])
def test_split_value_catches_not(text):
    assert hits("UPD-007", text) == []


def test_split_value_with_tabs():
    assert hits("UPD-007", "config add CMD0 /name\tFront\tDesk") == [(1, 23)]


# -- UPD-008 unreachable after restart -------------------------------------------------------


def test_every_line_after_a_bare_reset_is_unreachable():
    text = "mod cmd UP1 times /allow 1 /initial 6\nreset\n# comment\nconfig write\n\nconfig activate\nreset\n"
    found = findings("UPD-008", text)
    assert [(d.span.line, d.span.col) for d in found] == [(4, 1), (6, 1), (7, 1)]
    assert all(d.unnecessary and d.related for d in found)


@pytest.mark.parametrize("word", ["reset", "ireset", "reboot", "ireboot", "IRESET"])
def test_unconditional_restarts(word):
    assert hits("UPD-008", f"{word}\nconfig write") == [(2, 1)]


@pytest.mark.parametrize("text", [
    "iresetn\nconfig write",
    "resetn\nconfig write",
    "ser\nconfig write",
    "config write\nreset",
    "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 1\nmod cmd WLANMGR0 deactivate-pwr",  # conditional
    "reset\n# only comments below\n\n",
])
def test_unreachable_catches_not(text):
    assert hits("UPD-008", text) == []


# -- UPD-009 module case ---------------------------------------------------------------


@pytest.mark.parametrize("text, fixed_text", [
    ("mod cmd up1 check iresetn 2024-06-01", "mod cmd UP1 check iresetn 2024-06-01"),
    ("mod cmd Up0 prot http://10.0.0.5/fw/ ireset 1", "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 1"),
    ("mod cmd wlanmgr0 activate-pwr", "mod cmd WLANMGR0 activate-pwr"),
    ("config add cmd0 /name x", "config add CMD0 /name x"),
])
def test_module_case_fix(text, fixed_text):
    assert hits("UPD-009", text)
    assert fixed("UPD-009", text) == fixed_text


@pytest.mark.parametrize("text", ["mod cmd UP1 poll", "config add CMD0 /name x", "config write", "mod cmd UP1"])
def test_module_case_catches_not(text):
    assert hits("UPD-009", text) == []


# -- the corpus: clean files stay clean, broken files show these rules -----------------------


def _expected():
    path = CORPUS / "expected.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def _lint_corpus_file(entry):
    context = entry["context"]
    settings = Settings(
        target_version=context["target_version"], mode=context["mode"], model=context.get("model"), select=FAMILIES
    )
    path = CORPUS / entry["path"]
    return lint_source(Source.from_bytes(path.read_bytes(), str(path)), settings)


CLEAN = sorted(p for p in (CORPUS / "clean").glob("*") if p.is_file()) if (CORPUS / "clean").is_dir() else []


@pytest.mark.skipif(not CLEAN, reason="corpus/clean is absent")
@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_corpus_has_no_warning_from_these_families(path):
    source = Source.from_bytes(path.read_bytes(), str(path))
    found = lint_source(source, Settings(select=FAMILIES))
    assert [f"{d.code}:{d.span.line} {d.message}" for d in found if d.severity >= Severity.WARNING] == []


def _mine(code: str) -> bool:
    return code.startswith("UPD-0") and 1 <= int(code[4:]) <= 37


@pytest.mark.skipif(not _expected(), reason="corpus/expected.json is absent")
@pytest.mark.parametrize("entry", _expected(), ids=lambda e: e["path"])
def test_corpus_expectations_for_these_families(entry):
    found = _lint_corpus_file(entry)
    at = {(d.code, d.span.line) for d in found}
    for expect in entry["expect"]:
        if not (_mine(expect["code"]) and expect["required"]):
            continue
        lines = [expect["line"], *expect.get("also_at", [])]
        assert any((expect["code"], line) in at for line in lines), f"{expect['code']} at line {expect['line']}"
    if entry["kind"] != "broken":
        # Clean files: only the hints and infos the expectations list.
        allowed = {(a["code"], a["line"]) for a in entry["allowed"]}
        assert sorted(x for x in at if x not in allowed) == []


# -- properties over generated scripts (all four families) ----------------------------------

WORDS = [
    "mod", "cmd", "UP0", "UP1", "up1", "prot", "boot", "bmc", "scfg", "cfg", "check", "times", "time", "poll",
    "http://10.0.0.5/fw/", "http://fw.example.com/a.bin", "ftp://10.0.0.5/x", "http://10.0.0.5/#h-#b5.txt",
    "ireset", "reset", "iresetn", "ser", "no-op", "nop", "restart", "13-5021837", "#d", "2024-06-01",
    "/allow", "/initial", "/force", "/always", "/days", "22,23,", "0", "1,2,2,4", "22-4", "6", "6min",
    "config", "add", "write", "CMD0", "/name", "Front", "Desk", "#", "note", "vars", "create",
]
LINE = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    st.lists(st.sampled_from(WORDS[6:]), max_size=6).map(lambda words: "mod cmd UP1 " + "\t".join(words)),
    st.lists(st.sampled_from(WORDS[4:]), max_size=6).map(lambda words: "mod cmd UP0 " + " ".join(words)),
    st.sampled_from(["", "# comment", "iresetn", "reset", "\ufeff"]),
)
SCRIPT = st.tuples(st.lists(LINE, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"])).map(
    lambda parts: parts[1].join(parts[0])
)


@settings(max_examples=150, deadline=None)
@given(SCRIPT)
def test_generated_scripts_give_well_formed_findings(text):
    script = parse(text)
    found = lint_script(script, Settings(select=FAMILIES))
    for diagnostic in found:
        assert "internal error" not in diagnostic.message
        assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(script.source.text)
        assert diagnostic.span.line == script.source.position(diagnostic.span.start)[0]


SAFE_FIXES = ("UPD-002", "UPD-004", "UPD-006", "UPD-009", "UPD-021", "UPD-022")


@settings(max_examples=150, deadline=None)
@given(SCRIPT, st.sampled_from(SAFE_FIXES))
def test_a_safe_fix_removes_its_finding(text, code):
    before = lint_script(parse(text), Settings(select=(code,)))
    fixable = [d for d in before if d.fix is not None and d.fix.safe]
    if not fixable:
        return
    after = lint_script(parse(apply_edits(text, fixable[0].fix.edits)), Settings(select=(code,)))
    assert len(after) < len(before)
