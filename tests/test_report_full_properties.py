"""Properties of the `full` format's pieces that its short cuts must keep.

The format splits each fix's block with string methods rather than a
``Source``, takes a line of printable ASCII as its own display, trusts a
span's own line number only when the line starts agree, joins its rows a
few thousand at a time, and paints with escape strings that are empty when
colour is off: each must give what the general path gives, on any text.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    import fuzzing
except ImportError:  # the tests folder imported as a package
    from . import fuzzing

from innoscript.lint import lint_source
from innoscript.lint.diagnostic import Diagnostic, Edit, Fix, Severity
from innoscript.lint.report import render
from innoscript.lint.report.full import _line_of, _split, display, excerpt, fix_preview, render_diagnostic, summary_text
from innoscript.lint.result import FileResult
from innoscript.source import Source

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Line endings, the byte-order mark, and characters that other splitters (str.splitlines) take for line ends.
ODD = st.sampled_from(["\r", "\n", "\r\n", "\ufeff", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\t"])
BLOCKS = st.lists(st.one_of(ODD, st.text("ab ", max_size=3)), max_size=12).map("".join)
# Printable ASCII, tabs, control characters, wide (CJK, emoji) and combining characters, U+2028.
LINE_CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(["\t", "\x00", "\x07", "\x1b", "\x7f", "\u3042", "\U0001F600", "\u0301", "\u2028", "\xa0"]),
)


@BOUNDED
@given(BLOCKS)
def test_split_gives_the_lines_of_a_source(block):
    assert _split(block) == [line.text for line in Source(block).lines if line.newline or line.text]


@BOUNDED
@given(BLOCKS, st.data())
def test_line_of_an_offset_is_the_sources_whatever_the_guess(text, data):
    """A span's own line is only a guess (a fix may carry a span made elsewhere): a wrong one changes nothing."""
    source = Source(text)
    offset = data.draw(st.integers(-1, len(source.text) + 1))
    guess = data.draw(st.integers(-1, len(source.lines) + 1))
    assert _line_of(source.lines.starts, offset, guess) == source.position(offset)[0]


@BOUNDED
@given(st.text(LINE_CHARACTERS, max_size=40), st.data())
def test_excerpt_of_a_short_line_is_its_display_with_carets_under_the_span(line, data):
    source = Source(line + "\nnext\n", "a.htm")
    first = data.draw(st.integers(0, len(line)))
    last = data.draw(st.integers(first, len(line)))
    shown, underline = excerpt(source, source.span(first, last))
    text, columns = display(line)
    assert shown == text
    assert underline == " " * columns[first] + "^" * max(columns[last] - columns[first], 1)


@BOUNDED
@given(st.text(LINE_CHARACTERS, max_size=20), st.integers(-2, 25), st.integers(-2, 25), st.booleans())
def test_excerpt_clamps_columns_outside_the_line(line, col, end_col, runs_on):
    """A span whose columns fall outside its line (one made for an older text) is underlined within the line."""
    source = Source(line + "\nnext\n", "a.htm")
    span = source.span(0, 0)._replace(col=col, end_col=end_col, end_line=2 if runs_on else 1)
    shown, underline = excerpt(source, span)
    first = min(max(col - 1, 0), len(line))
    last = len(line) if runs_on else min(max(end_col - 1, first), len(line))
    text, columns = display(line)
    assert shown == text
    assert underline == " " * columns[first] + "^" * max(columns[last] - columns[first], 1)


def test_excerpt_of_a_wide_or_control_character_line_counts_columns():
    line = "\u3042\tx\x1by"
    source = Source(line, "a.htm")
    start = line.index("y")
    shown, underline = excerpt(source, source.span(start, start + 1))
    # The wide character takes columns 0-1, the tab fills 2-3, x is at 4, ESC (as its picture) at 5.
    assert shown == "\u3042  x\u241by"
    assert underline == " " * 6 + "^"


def test_preview_of_a_fix_spanning_lines_in_crlf_text():
    source = Source("one\r\ntwo\r\nthree\r\nfour\r\n", "a.htm")
    start, end = source.text.index("wo"), source.text.index("hree")
    fix = Fix("join", (Edit(source.span(start, end), "-"),), True)
    assert fix_preview(source, fix) == [("-", 2, "two"), ("-", 3, "three"), ("+", None, "t-hree")]
    lines = render_diagnostic(finding(source, start, fix), source).splitlines()
    assert lines[5:8] == ["2 - two", "3 - three", "  + t-hree"]


def test_preview_of_edits_on_lines_apart_and_next_to_each_other():
    source = Source("a\nb\nc\nd\ne\n", "a.htm")
    at = source.text.index
    fix = Fix("several", (
        Edit(source.span(at("e"), at("e") + 1), "E"),  # given out of order: sorted for the preview
        Edit(source.span(at("a"), at("a") + 1), "A"),
        Edit(source.span(at("b"), at("b") + 1), "B"),
    ), True)
    assert fix_preview(source, fix) == [
        ("-", 1, "a"), ("-", 2, "b"), ("+", None, "A"), ("+", None, "B"),
        (" ", None, "..."),
        ("-", 5, "e"), ("+", None, "E"),
    ]


def test_gutter_is_as_wide_as_the_last_line_a_fix_reaches():
    """A fix that deletes line 9 with its line end reaches the start of line 10: two columns of gutter."""
    source = Source("".join(f"line {n}\n" for n in range(1, 11)), "a.htm")
    start = source.text.index("line 9")
    fix = Fix("delete", (Edit(source.span(start, start + len("line 9\n")), ""),), True)
    lines = render_diagnostic(finding(source, start, fix), source).splitlines()
    assert lines[1:4] == ["   |", " 9 | line 9", "   | ^"]
    assert lines[5] == " 9 - line 9"


def finding(source: Source, start: int, fix: Fix | None):
    """A warning on the character at ``start``."""
    span = source.span(start, start + 1)
    return Diagnostic("UPD-090", "some-rule", Severity.WARNING, "message", source.path, span, fix)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fuzzing.inputs())
def test_coloured_report_is_the_plain_one_painted(data):
    source = Source.from_bytes(data, "update-ip232.htm")
    result = FileResult(source.path, source, tuple(lint_source(source)))
    plain = render("full", [result])
    coloured = render("full", [result], color=True)
    assert ANSI.sub("", coloured) == plain
    # Each finding alone prints as its block of the report.
    blocks = "".join(render_diagnostic(d, source) + "\n" for d in result.diagnostics)
    assert plain.startswith(blocks)


def test_a_report_of_many_findings_is_their_blocks_in_order():
    """The report is joined a few thousand rows at a time: no row may be lost or doubled at a seam."""
    source = Source("".join(f"mod cmd UP{n % 10} check ser {n}\n" for n in range(3000)), "a.htm")
    starts = source.lines.starts
    findings = tuple(finding(source, starts[n], None) for n in range(3000))
    result = FileResult(source.path, source, findings)
    blocks = [render_diagnostic(d, source) for d in findings]
    assert render("full", [result], summary=False) == "\n".join(blocks)
    assert render("full", [result]) == "\n".join([*blocks, summary_text([result])])
