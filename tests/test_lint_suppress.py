"""Inline suppressions and the rules about them (UPD-093, UPD-094, UPD-095).

UPD-090 (a control character in a line) is the finding suppressed here: it
depends on nothing but the line itself.
"""

from __future__ import annotations

from hypothesis import given, settings as hsettings, strategies as st

from innoscript.lint import Settings, lint_text
from innoscript.lint.fixes import apply_edits
from innoscript.lint.suppress import directives
from innoscript.syntax import parse

BAD = "mod\x01cmd UP1 check iresetn 2024-06-01"  # UPD-090 at column 4
GOOD = "mod cmd UP1 check iresetn 2024-06-01"
SUPPRESSION_CODES = {"UPD-093", "UPD-094", "UPD-095"}


def lint(*lines: str, **settings) -> list:
    return lint_text("\n".join(lines) + "\n", "update-example.htm", Settings(**settings))


def at(diagnostics, code):
    return [(d.span.line, d.span.col) for d in diagnostics if d.code == code]


def test_unsuppressed_baseline():
    assert at(lint(BAD, BAD), "UPD-090") == [(1, 4), (2, 4)]


def test_disable_next_line_covers_only_the_next_line():
    found = lint("# innolint: disable-next-line=UPD-090 -- vendor tool", BAD, BAD)
    assert at(found, "UPD-090") == [(3, 4)]
    assert at(found, "UPD-093") == []


def test_stacked_directives_share_the_line_below():
    found = lint("# innolint: disable-next-line=UPD-090 -- a", "# innolint: disable-next-line=UPD-091 -- b", BAD)
    assert at(found, "UPD-090") == []


def test_rule_names_and_all_work_like_codes():
    assert at(lint("# innolint: disable-next-line=syntax-error", BAD), "UPD-090") == []
    assert at(lint("# innolint: disable-next-line=all", BAD), "UPD-090") == []
    assert at(lint("# innolint: disable-next-line=90", BAD), "UPD-090") == []


def test_disable_enable_range():
    found = lint(BAD, "# innolint: disable=UPD-090 -- block", BAD, BAD, "# innolint: enable=UPD-090", BAD)
    assert at(found, "UPD-090") == [(1, 4), (6, 4)]
    assert at(found, "UPD-093") == []


def test_disable_without_enable_runs_to_the_end_and_enable_all_closes_everything():
    assert at(lint("# innolint: disable=UPD-090", BAD, BAD), "UPD-090") == []
    found = lint("# innolint: disable=UPD-090", BAD, "# innolint: enable=all", BAD)
    assert at(found, "UPD-090") == [(4, 4)]


def test_disable_file_anywhere_in_the_file():
    found = lint(BAD, GOOD, "# innolint: disable-file=UPD-090 -- generated", BAD)
    assert at(found, "UPD-090") == []


def test_other_codes_are_not_suppressed():
    found = lint("# innolint: disable-next-line=UPD-091 -- x", BAD)
    assert at(found, "UPD-090") == [(2, 4)]
    assert at(found, "UPD-093") == [(1, 31)]


def test_unused_suppression_is_reported_at_the_code_with_a_line_deleting_fix():
    text = "# innolint: disable-next-line=UPD-090 -- stale\n" + GOOD + "\n"
    found = lint_text(text, "update-example.htm")
    (unused,) = [d for d in found if d.code == "UPD-093"]
    assert (unused.span.line, unused.span.col, unused.span.end_col) == (1, 31, 38)
    assert unused.fix is not None and unused.fix.safe
    assert apply_edits(text, unused.fix.edits) == GOOD + "\n"


def test_partly_unused_directive_loses_only_the_unused_code():
    text = "# innolint: disable-next-line=UPD-091, UPD-090 -- x\n" + BAD + "\n"
    (unused,) = [d for d in lint_text(text, "update-example.htm") if d.code == "UPD-093"]
    assert apply_edits(text, unused.fix.edits).startswith("# innolint: disable-next-line=UPD-090 -- x\n")
    text = "# innolint: disable-next-line=UPD-090,UPD-091 -- x\n" + BAD + "\n"
    (unused,) = [d for d in lint_text(text, "update-example.htm") if d.code == "UPD-093"]
    assert apply_edits(text, unused.fix.edits).startswith("# innolint: disable-next-line=UPD-090 -- x\n")


def test_unused_counts_findings_before_suppression():
    # Both name the same finding; the most specific one is credited, the file-wide one is unused.
    found = lint("# innolint: disable-file=UPD-090 -- a", "# innolint: disable-next-line=UPD-090 -- b", BAD)
    assert at(found, "UPD-090") == []
    assert at(found, "UPD-093") == [(1, 26)]


def test_unused_not_reported_for_rules_that_did_not_run():
    found = lint("# innolint: disable-next-line=UPD-090 -- x", GOOD, select=("UPD-093",))
    assert at(found, "UPD-093") == []
    found = lint("# innolint: disable-next-line=UPD-090 -- x", GOOD, ignore=("UPD-090",))
    assert at(found, "UPD-093") == []


def test_unused_suppressions_can_themselves_be_suppressed():
    found = lint("# innolint: disable-file=UPD-093", "# innolint: disable-next-line=UPD-090", GOOD)
    assert at(found, "UPD-093") == []


def test_an_unused_disable_all_hides_no_other_unused_suppression():
    # Its fix deletes it: what it hid would be found by the next run, and --fix would not converge.
    found = lint(GOOD, "# innolint: disable=all -- x", "# innolint: disable=all -- y", "# innolint: disable=all")
    assert at(found, "UPD-093") == [(2, 21), (3, 21), (4, 21)]
    # A used one stays, and still hides the unused one below it.
    assert at(lint("# innolint: disable=all", BAD, "# innolint: disable-next-line=UPD-090", GOOD), "UPD-093") == []


def test_ignoring_unused_suppression_rule():
    found = lint("# innolint: disable-next-line=UPD-090", GOOD, ignore=("UPD-093",))
    assert [d for d in found if d.code in SUPPRESSION_CODES] == []


def test_unknown_and_malformed_directives():
    found = lint(
        "# innolint: disable-next-line=UPD-999,syntax-error -- x",
        BAD,
        "# innolint: disabel=UPD-090",
        "# innolint:",
        "# innolint: disable",
        GOOD,
    )
    assert at(found, "UPD-094") == [(1, 31), (3, 13), (4, 1), (5, 13)]
    assert at(found, "UPD-090") == []  # the known code still works


def test_severity_override_applies_to_unused_suppression():
    found = lint("# innolint: disable-next-line=UPD-090", GOOD, severity={"UPD-093": Settings().fail_level.ERROR})
    assert [d.severity.name for d in found if d.code == "UPD-093"] == ["ERROR"]


def test_require_reason():
    lines = ("# innolint: disable-next-line=UPD-090", BAD, "# innolint: disable-next-line=UPD-090 -- why", BAD,
             "# innolint: enable=UPD-090")
    assert at(lint(*lines, require_reason=True), "UPD-095") == [(1, 13)]
    assert at(lint(*lines), "UPD-095") == []


def test_directives_are_read_with_their_positions():
    script = parse("# innolint: disable=UPD-090, all -- r\n")
    (found,) = directives(script)
    assert found.action == "disable"
    assert [(ref.code, found.line.at(ref.token).col) for ref in found.codes] == [("UPD-090", 21), ("all", 30)]


LINES = st.sampled_from([BAD, GOOD, "", "# note"])
DIRECTIVES = st.sampled_from(
    [
        "# innolint: disable-next-line=UPD-090",
        "# innolint: disable=UPD-090",
        "# innolint: enable=UPD-090",
        "# innolint: disable-file=UPD-091",
        "# innolint: disable-next-line=all",
        "# innolint: bogus=UPD-090",
    ]
)


@hsettings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(LINES, DIRECTIVES), max_size=12))
def test_suppressions_only_ever_remove_findings(lines):
    """Whatever the directives, no UPD-090 appears that was not there, and none moves."""
    text = "\n".join(lines) + "\n"
    plain = [line for line in lines if not line.startswith("# innolint")]
    with_directives = lint_text(text, "update-example.htm")
    without = lint_text("\n".join(plain) + "\n", "update-example.htm")
    kept_090 = sum(1 for d in with_directives if d.code == "UPD-090")
    assert kept_090 <= sum(1 for d in without if d.code == "UPD-090")
    for d in with_directives:
        if d.code == "UPD-090":
            assert lines[d.span.line - 1] == BAD
