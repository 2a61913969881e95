"""Rules of catalogue section C (`times`): catches / catches-not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript.lint import Settings, Severity, lint_script
from innoscript.lint.fixes import apply_edits
from innoscript.syntax import parse
from rule_helpers import findings, hits


def allow(hours: str, tail: str = " /initial 6") -> str:
    return f"mod cmd UP1 times /allow {hours}{tail}"


# -- UPD-020 hour range ---------------------------------------------------------------


@pytest.mark.parametrize("hours, bad", [
    ("22,23,24,1", ["24"]),
    ("25", ["25"]),
    ("1a,2", ["1a"]),
    ("2am,3pm", ["2am", "3pm"]),
    ("-1,0", ["-1"]),
    ("22, 23, 99", ["99"]),  # found in the split-off words too
])
def test_hour_out_of_range_catches(hours, bad):
    found = findings("UPD-020", allow(hours))
    text = allow(hours)
    assert [text[d.span.start : d.span.end] for d in found] == bad


@pytest.mark.parametrize("hours", ["0,1,2,23", "00,01", "22-4", "1,,2", "12,22,23,0,1,2,3,4"])
def test_hour_out_of_range_catches_not(hours):
    assert hits("UPD-020", allow(hours)) == []


# -- UPD-021 duplicate hour ---------------------------------------------------------------


def test_duplicate_hour_fix_removes_the_repeat():
    text = allow("1,2,2,4")
    (diagnostic,) = findings("UPD-021", text)
    assert (diagnostic.span.line, diagnostic.span.col) == (1, 30)
    assert diagnostic.fix.safe and diagnostic.related
    assert apply_edits(text, diagnostic.fix.edits) == allow("1,2,4")


def test_duplicate_hour_counts_leading_zeros_and_gives_one_finding_per_hour():
    text = allow("1,01,1,5,5")
    first, second = findings("UPD-021", text)
    assert "hour 1 is listed 3 times" in first.message and "hour 5 is listed twice" in second.message
    assert apply_edits(text, first.fix.edits + second.fix.edits) == allow("1,5")


def test_a_huge_list_of_one_repeated_hour_is_one_finding():
    """A million-character `/allow 1,1,1,...` is one mistake: one finding, one fix with every repeat."""
    text = allow(",".join(["1"] * 20000))
    (diagnostic,) = findings("UPD-021", text)
    assert len(diagnostic.fix.edits) == 19999
    assert apply_edits(text, diagnostic.fix.edits) == allow("1")


@pytest.mark.parametrize("hours", ["1,2,3,4", "22,23,0,1", "24,24"])
def test_duplicate_hour_catches_not(hours):
    assert hits("UPD-021", allow(hours)) == []


# -- UPD-022 malformed list -------------------------------------------------------------------


@pytest.mark.parametrize("hours, at", [
    ("22, 23, 0", (1, 26)),
    ("22 ,23", (1, 26)),
    ("22-4", (1, 26)),
    (",1,2", (1, 26)),
    ("1,2,", (1, 30)),
    ("1,,2", (1, 28)),
])
def test_malformed_hour_list_catches(hours, at):
    assert at in hits("UPD-022", allow(hours))


def test_allow_without_value():
    assert hits("UPD-022", "mod cmd UP1 times /allow /initial 6") == [(1, 19)]


def test_blank_after_comma_is_fixed_safely_and_not_extra_tokens():
    text = "mod cmd UP1\ttimes /allow 22, 23,\t0 /initial 6\r\n"
    (diagnostic,) = findings("UPD-022", text)
    assert diagnostic.fix.safe
    assert apply_edits(text, diagnostic.fix.edits) == "mod cmd UP1\ttimes /allow 22,23,0 /initial 6\r\n"
    assert findings("UPD-003", text) == []


@pytest.mark.parametrize("hours", ["22,23,0,1,2,3,4", "5", "0"])
def test_malformed_hour_list_catches_not(hours):
    assert hits("UPD-022", allow(hours)) == []


def test_a_comment_after_a_trailing_comma_is_not_an_hour():
    text = "mod cmd UP1 times /allow 1,2, # night"
    assert hits("UPD-020", text) == []
    assert hits("UPD-022", text) == [(1, 30)]
    assert hits("UPD-003", text) == [(1, 31)]


def test_words_after_a_complete_hour_list_are_extra_tokens():
    text = allow("1,2 3")
    assert hits("UPD-022", text) == []
    assert hits("UPD-003", text) == [(1, 30)]


# -- UPD-023 /initial ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "6min", "0", "1.5", "six"])
def test_initial_not_positive_catches(value):
    assert hits("UPD-023", f"mod cmd UP1 times /allow 1 /initial {value}") == [(1, 37)]


def test_initial_without_value():
    assert hits("UPD-023", "mod cmd UP1 times /initial") == [(1, 19)]


@pytest.mark.parametrize("value", ["6", "10", "120"])
def test_initial_catches_not(value):
    assert hits("UPD-023", f"mod cmd UP1 times /initial {value}") == []


# -- UPD-024 times not first -------------------------------------------------------------------


PROT = "mod cmd UP0 prot http://192.168.0.10/fw/ ireset 04-5679"
SCFG = "mod cmd UP0 scfg http://10.0.0.5/backup/#h.txt"
TIMES = "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6"


def test_times_after_a_download_is_a_warning():
    (diagnostic,) = findings("UPD-024", f"# comment\n{PROT}\n\n{TIMES}\n")
    assert (diagnostic.span.line, diagnostic.span.col, diagnostic.severity) == (4, 13, Severity.WARNING)


def test_backups_above_times_are_the_standard_layout_and_not_reported():
    # innovaphone's own update server writes backups above `times`: nothing is wrong.
    assert findings("UPD-024", f"{SCFG}\r\n{SCFG}\r\n{TIMES}\r\n") == []
    (diagnostic,) = findings("UPD-024", f"{SCFG}\n{PROT}\n{TIMES}\n")
    assert diagnostic.severity == Severity.WARNING and diagnostic.message.startswith("1 command above `times`")
    assert diagnostic.related[0].span.line == 2  # the first command that matters, not the backup


def test_configured_severity_applies():
    found = lint_script(parse(f"{PROT}\n{TIMES}\n"), Settings(select=("UPD-024",), severity={"UPD-024": Severity.ERROR}))
    assert [d.severity for d in found] == [Severity.ERROR]


@pytest.mark.parametrize("text", [
    f"{TIMES}\n{PROT}",
    f"# header\n\n{TIMES}\n{SCFG}",
    PROT,  # no times at all: UPD-025's business
])
def test_times_not_first_catches_not(text):
    assert hits("UPD-024", text) == []


def test_only_the_first_times_line_is_judged():
    assert hits("UPD-024", f"{TIMES}\n{PROT}\n{TIMES}") == []


# -- UPD-025 download without /initial -------------------------------------------------------------


def test_each_download_without_initial_is_reported():
    text = "mod cmd UP1 times /allow 23,0,1\n" + PROT + "\nmod cmd UP0 boot http://10.0.0.5/b.bin ireset 1\n"
    assert hits("UPD-025", text) == [(2, 13), (3, 13)]


@pytest.mark.parametrize("text", [
    f"{TIMES}\n{PROT}",
    f"mod cmd UP1 time /allow 1 /initial 6\n{PROT}",  # the alias counts
    f"{PROT}\nmod cmd UP1 times /initial 10",
    f"{SCFG}\nmod cmd UP0 cfg http://10.0.0.5/c.txt ser 1",  # not a download
    # malformed lines download nothing: UPD-005/010/011 report them
    "mod cmd UP0 prot ireset 04-5679",
    "mod cmd UP0 prot http://192.168.0.10/fw/",
    "mod cmd UP0 prot http://192.168.0.10/fw/ ireset",
    "mod cmd UP0 prot http://192.168.0.10/fw/ reboooot 04-5679",
])
def test_download_without_initial_catches_not(text):
    assert hits("UPD-025", text) == []


# -- UPD-026 / UPD-027 ---------------------------------------------------------------------------


def test_second_and_third_times_lines_are_reported():
    text = f"{TIMES}\nmod cmd UP1 time /allow 1\nmod cmd UP1 times /allow 2"
    found = findings("UPD-026", text)
    assert [(d.span.line, d.span.col) for d in found] == [(2, 13), (3, 13)]
    assert all(d.related[0].span.line == 1 for d in found)


def test_single_times_line_is_fine():
    assert hits("UPD-026", f"{TIMES}\n{PROT}") == []


@pytest.mark.parametrize("text, reported", [
    ("mod cmd UP1 times", True),
    ("mod cmd UP1 times  \r\n", True),
    ("mod cmd UP1 times /days 1-5", True),
    ("mod cmd UP1 times /allow 1", False),
    ("mod cmd UP1 times /initial 6", False),
])
def test_times_without_options(text, reported):
    assert bool(hits("UPD-027", text)) == reported


# -- UPD-028 one-hour hole ----------------------------------------------------------------------


@pytest.mark.parametrize("hours, hole", [
    ("12,23,1,2,3,4", "0"),
    ("1,2,2,4", "3"),
    ("22,0", "23"),
    ("0,2,4", "1, 3"),
])
def test_hour_gap_catches(hours, hole):
    (diagnostic,) = findings("UPD-028", allow(hours))
    assert f"hour{'s' if ',' in hole else ''} {hole} missing" in diagnostic.message


@pytest.mark.parametrize("hours", ["12,22,23,0,1,2,3,4", "23,0,1,2,3,4", "2,3,4", "5", "12,14-16"])
def test_hour_gap_catches_not(hours):
    assert hits("UPD-028", allow(hours)) == []


# -- properties ----------------------------------------------------------------------------------

HOUR_RULES = ("UPD-020", "UPD-021", "UPD-022", "UPD-028")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=23), min_size=1, max_size=24, unique=True))
def test_a_contiguous_well_formed_list_is_never_reported(hours):
    start = hours[0]
    window = [(start + i) % 24 for i in range(len(hours))]
    text = allow(",".join(map(str, window)))
    assert [d.code for d in lint_script(parse(text), Settings(select=HOUR_RULES))] == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789,- \t", max_size=20))
def test_any_hour_text_is_read_without_crashing(hours):
    text = f"mod cmd UP1 times /allow {hours} /initial 6"
    for diagnostic in lint_script(parse(text), Settings(select=("times", "lexical"))):
        assert "internal error" not in diagnostic.message
        assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text)
