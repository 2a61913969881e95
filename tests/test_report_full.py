"""The `full` terminal format: excerpt, carets, fix preview, colour, summary."""

from __future__ import annotations

import re

from innoscript.lint.diagnostic import Diagnostic, Edit, Fix, Related, Severity
from innoscript.lint.report import render
from innoscript.lint.report.full import display, excerpt, fix_preview, render_diagnostic
from innoscript.lint.result import FileResult
from innoscript.source import Source

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def finding(source: Source, start: int, end: int, *, code="UPD-090", severity=Severity.WARNING, fix=None, related=()):
    return Diagnostic(code, "some-rule", severity, "message", source.path, source.span(start, end), fix, related)


def caret_columns(rendered: str) -> tuple[int, int]:
    line = next(l for l in rendered.splitlines() if "^" in l)
    return line.index("^"), line.count("^")


def test_carets_sit_under_the_span_with_tabs_expanded():
    source = Source("mod\tcmd UP1\t\tcheck ser 1\n", "a.htm")
    start = source.text.index("check")
    text, underline = excerpt(source, source.span(start, start + 5))
    assert "\t" not in text
    assert text[underline.index("^") :].startswith("check")
    assert underline.count("^") == 5


def test_wide_and_control_characters_keep_the_carets_aligned():
    line = "a\U0001F600b\x07c"
    shown, columns = display(line)
    assert "\x07" not in shown and "\u2407" in shown
    assert columns == [0, 1, 3, 4, 5, 6]
    source = Source(line, "x.htm")
    start = line.index("c")
    _, underline = excerpt(source, source.span(start, start + 1))
    assert underline == " " * 5 + "^"


def test_empty_span_at_end_of_line_gets_one_caret():
    source = Source("mod cmd UP1 check\n", "a.htm")
    end = len("mod cmd UP1 check")
    rendered = render_diagnostic(finding(source, end, end), source)
    column, count = caret_columns(rendered)
    assert count == 1
    assert column == rendered.splitlines()[2].index("|") + 2 + end


def test_span_over_several_lines_underlines_the_first_to_its_end():
    source = Source("first line\nsecond\n", "a.htm")
    _, underline = excerpt(source, source.span(6, 14))
    assert underline == " " * 6 + "^" * 4


def test_header_fix_related_and_docs():
    source = Source("mod cmd UP1 Times /allow 1\n", "dir/update-ip232.htm")
    span = source.span(12, 17)
    fix = Fix("write `times`", (Edit(span, "times"),), True)
    related = (Related(source.span(0, 3), "starts here"), Related(source.span(0, 1), "elsewhere", "other.htm"))
    rendered = render_diagnostic(finding(source, 12, 17, fix=fix, related=related), source)
    lines = rendered.splitlines()
    assert lines[0] == "dir/update-ip232.htm:1:13: UPD-090 [some-rule] warning: message"
    assert "= fix (safe): write `times`" in rendered
    assert "1 - mod cmd UP1 Times /allow 1" in lines
    assert "  + mod cmd UP1 times /allow 1" in lines
    assert "= related: dir/update-ip232.htm:1:1: starts here" in rendered
    assert "= related: other.htm:1:1: elsewhere" in rendered
    assert rendered.rstrip().endswith("= docs: innolint rule UPD-090")  # the docs that ship with the package


def test_unsafe_fix_is_marked_and_unknown_code_has_no_docs_line():
    source = Source("a b\n", "a.htm")
    fix = Fix("drop b", (Edit(source.span(1, 3), ""),), False)
    rendered = render_diagnostic(finding(source, 2, 3, code="XYZ-1", fix=fix), source)
    assert "fix (unsafe): drop b" in rendered
    assert "docs:" not in rendered


def test_preview_of_an_inserted_line_shows_the_new_line_before_its_neighbour():
    source = Source("one\ntwo\n", "a.htm")
    fix = Fix("add", (Edit(source.span(4, 4), "inserted\n"),), True)
    assert fix_preview(source, fix) == [("+", None, "inserted"), (" ", 2, "two")]


def test_preview_of_a_deleted_line_and_of_an_append_at_the_end():
    source = Source("one\ntwo\nthree", "a.htm")
    delete = Fix("delete", (Edit(source.span(4, 8), ""),), True)
    assert fix_preview(source, delete) == [("-", 2, "two")]
    end = len(source.text)
    append = Fix("append", (Edit(source.span(end, end), "\nfour"),), True)
    assert fix_preview(source, append) == [(" ", 3, "three"), ("+", None, "four")]
    ended = Source("one\n", "a.htm")
    at_end = Fix("append", (Edit(ended.span(4, 4), "two\n"),), True)
    assert fix_preview(ended, at_end) == [(" ", 1, "one"), ("+", None, "two")]


def test_preview_of_overlapping_edits_is_left_out():
    source = Source("abcdef\n", "a.htm")
    fix = Fix("odd", (Edit(source.span(0, 3), "x"), Edit(source.span(2, 4), "y")), True)
    assert fix_preview(source, fix) == []


def test_colour_only_when_asked():
    source = Source("mod\x01cmd\n", "a.htm")
    result = FileResult("a.htm", source, (finding(source, 3, 4, severity=Severity.ERROR),))
    plain = render("full", [result])
    coloured = render("full", [result], color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in coloured and "\x1b[1m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_summary_counts_and_fixables():
    source = Source("a b c\n", "a.htm")
    safe = Fix("s", (Edit(source.span(0, 1), "A"),), True)
    unsafe = Fix("u", (Edit(source.span(2, 3), "B"),), False)
    diagnostics = (
        finding(source, 0, 1, severity=Severity.ERROR, fix=safe),
        finding(source, 2, 3, severity=Severity.WARNING, fix=unsafe),
        finding(source, 4, 5, severity=Severity.WARNING),
        finding(source, 4, 5, severity=Severity.INFO),
    )
    text = render("full", [FileResult("a.htm", source, diagnostics), FileResult("b.htm", Source("", "b.htm"), ())])
    assert "Found 4 problems in 2 files (1 error, 2 warnings, 1 info)." in text
    assert "1 fixable with --fix (1 more with --unsafe-fixes)." in text


def test_summary_when_clean_and_after_fixing():
    source = Source("ok\n", "a.htm")
    assert render("full", [FileResult("a.htm", source, ())]) == "No problems found in 1 file.\n"
    fixed = FileResult("a.htm", source, (), fixed=True, fixes_applied=2)
    assert render("full", [fixed]).splitlines()[0] == "Fixed 2 problems."


def test_diagnostic_past_the_last_line_has_no_excerpt():
    source = Source("a\n", "a.htm")
    outside = Diagnostic("UPD-090", "x", Severity.ERROR, "m", "a.htm", source.span(0, 0)._replace(line=9, end_line=9))
    rendered = render_diagnostic(outside, source)
    assert rendered.splitlines()[0] == "a.htm:9:1: UPD-090 [x] error: m" and "^" not in rendered


def test_line_formats_keep_messages_on_one_line_and_free_of_control_codes():
    source = Source("a b\n", "a.htm")
    d = Diagnostic("UPD-090", "x", Severity.ERROR, "quoted `a\x1b[2J`\nnext", "a.htm", source.span(0, 1))
    result = FileResult("a.htm", source, (d,))
    for name in ("full", "concise", "gcc"):
        text = render(name, [result])
        assert "\x1b" not in text
        assert "quoted `a\u241b[2J`\u240anext" in text
    assert render("concise", [result], summary=False).count("\n") == 1


def test_preview_of_a_moved_line_does_not_print_the_lines_between():
    from innoscript.lint import Settings, lint_source

    filler = [f"config add CMD0 /name n{n}" for n in range(2000)]
    text = "\n".join(
        ["mod cmd UP1 times /allow 23 /initial 6", "mod cmd UP1 check iresetn 1", *filler, "mod cmd UP0 scfg http://h/#h.txt ser W /force 1"]
    ) + "\n"
    source = Source(text, "update-ip232.htm")
    (finding,) = lint_source(source, Settings(select=("UPD-055",)))
    rows = fix_preview(source, finding.fix)
    assert rows == [
        ("+", None, "mod cmd UP0 scfg http://h/#h.txt ser W /force 1"),
        (" ", 2, "mod cmd UP1 check iresetn 1"),
        (" ", None, "..."),
        ("-", 2003, "mod cmd UP0 scfg http://h/#h.txt ser W /force 1"),
    ]
    assert len(render_diagnostic(finding, source)) < 1000


def test_a_long_line_is_cut_around_each_finding():
    """Many findings on one long line (`/allow 1,2,1,2,...`): each must not print the whole line."""
    text = "mod cmd UP1 times /allow " + "1," * 5000 + "2\n"
    source = Source(text, "update-ip232.htm")
    base = text.index("1,")
    findings = []
    for n in range(1, 1001):
        at = base + 10 * n
        fix = Fix("remove the repeat", (Edit(source.span(at - 1, at + 1), ""),), True)
        findings.append(finding(source, at, at + 1, fix=fix))
    report = render("full", [FileResult(source.path, source, tuple(findings))])
    assert len(report) < 1000 * len(findings)  # the whole line in excerpt and preview: over 30,000 each
    middle = findings[len(findings) // 2]
    block = render_diagnostic(middle, source)
    assert "\u2026" in block and len(block) < 1200
    # The carets still sit under the span, cut marks counted.
    shown, underline = excerpt(source, middle.span)
    column = underline.index("^")
    assert shown[column : column + underline.count("^")] == text[middle.span.start : middle.span.end]
    assert shown.startswith("\u2026") and shown.endswith("\u2026")
    # The preview shows the edit in its context, cut on both sides.
    (old, new) = fix_preview(source, middle.fix)
    assert old[0] == "-" and new[0] == "+" and old[2].startswith("\u2026") and old[2].endswith("\u2026")
    assert len(old[2]) - len(new[2]) == 2


def test_a_long_inserted_line_is_cut_in_the_preview():
    source = Source("mod cmd UP1 poll\n", "a.htm")
    fix = Fix("insert", (Edit(source.span(0, 0), "# " + "x" * 5000 + "\n"),), True)
    rows = fix_preview(source, fix)
    assert rows[0][0] == "+" and rows[0][2].endswith("\u2026") and len(rows[0][2]) < 300
