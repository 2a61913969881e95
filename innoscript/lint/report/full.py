"""`full`: the terminal format.

    update-ip232.htm:3:13: UPD-002 [time-alias] warning: `time` instead of `times`
      |
    3 | mod cmd UP1 time /allow 22,23,0,1
      |             ^^^^
      = fix (safe): use `times`
    3 - mod cmd UP1 time /allow 22,23,0,1
      + mod cmd UP1 times /allow 22,23,0,1
      = docs: innolint rule UPD-002

Tabs are expanded to the next multiple of ``TAB_WIDTH`` in the excerpt and
the caret line alike, so the carets stay under the span; control characters
are shown as their Unicode "control picture" so they cannot move the cursor
or ring the bell of the terminal that prints them.

A long line is shown only around the span or the edit, cut with `…`: each
finding's text is bounded, so a line with thousands of findings (a
`/allow 1,1,1,...` of a megabyte) gives a report that grows with the
findings, not with the findings times the line.  The line itself is never
copied whole for that.
"""

from __future__ import annotations

from collections.abc import Sequence
import unicodedata

from ...source import Source, Span
from ..diagnostic import Diagnostic, Edit, Fix, Severity
from ..result import FileResult
from .common import Counts, one_line, plural, rule_docs, severity_word, summary_lines

TAB_WIDTH = 4
CONTEXT = 60  # characters shown on either side of a span or an edit on a long line
ROW_LIMIT = 240  # characters of one printed row at most
CUT = "\u2026"

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
SEVERITY_COLOR = {
    Severity.ERROR: _RED,
    Severity.WARNING: _YELLOW,
    Severity.HINT: _CYAN,
    Severity.INFO: _CYAN,
}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        return "".join(styles) + text + _RESET


def render(results: Sequence[FileResult], *, color: bool = False, settings=None, summary: bool = True,
           fail_levels=None, errors: int = 0) -> str:
    paint = _Paint(color)
    blocks: list[str] = []
    for result in results:
        for diagnostic in result.diagnostics:
            blocks.append(render_diagnostic(diagnostic, result.source, paint))
    if summary:
        blocks.append(summary_text(results, paint, settings=settings, fail_levels=fail_levels, errors=errors))
    return "\n".join(blocks)


def render_diagnostic(diagnostic: Diagnostic, source: Source, paint: _Paint | None = None) -> str:
    """One finding: header, excerpt with carets, fix, related places, docs link."""
    paint = paint or _Paint(False)
    span = diagnostic.span
    color = SEVERITY_COLOR[diagnostic.severity]
    header = (
        paint(f"{diagnostic.path}:{span.line}:{span.col}:", _BOLD)
        + " "
        + paint(diagnostic.code, _BOLD, color)
        + f" [{diagnostic.name}] "
        + paint(severity_word(diagnostic.severity) + ":", color)
        + f" {one_line(diagnostic.message)}"
    )
    lines = [header]
    numbers = [span.line] + _fix_line_numbers(diagnostic.fix, source)
    width = len(str(max(numbers)))
    blank = " " * width
    bar = paint("|", _CYAN)
    if 1 <= span.line <= len(source.lines):
        text, underline = excerpt(source, span)
        lines.append(f"{blank} {bar}")
        lines.append(f"{paint(str(span.line).rjust(width), _CYAN)} {bar} {text}".rstrip())
        lines.append(f"{blank} {bar} {paint(underline, _BOLD, color)}")
    fix = diagnostic.fix
    if fix is not None:
        kind = "safe" if fix.safe else "unsafe"
        lines.append(f"{blank} {paint('=', _CYAN)} fix ({kind}): {one_line(fix.message)}")
        for sign, number, text in fix_preview(source, fix):
            gutter = str(number).rjust(width) if number else blank
            style = _RED if sign == "-" else _GREEN if sign == "+" else ""
            body = f"{sign} {text}".rstrip()
            lines.append(f"{paint(gutter, _CYAN)} {paint(body, style) if style else body}")
    for related in diagnostic.related:
        where = f"{related.path or diagnostic.path}:{related.span.line}:{related.span.col}"
        lines.append(f"{blank} {paint('=', _CYAN)} related: {where}: {one_line(related.message)}")
    docs = rule_docs(diagnostic.code)
    if docs:
        lines.append(f"{blank} {paint('=', _CYAN)} docs: {docs}")
    return "\n".join(lines) + "\n"


def summary_text(results: Sequence[FileResult], paint: _Paint | None = None, *, settings=None, fail_levels=None,
                 errors: int = 0) -> str:
    """`Found 3 problems in 2 files (1 error, 2 warnings).`, why the exit status, what --fix can do."""
    paint = paint or _Paint(False)
    counts = Counts(results)
    lines = []
    if counts.fixes_applied:
        lines.append(f"Fixed {plural(counts.fixes_applied, 'problem')}.")
    found, *why = summary_lines(results, settings=settings, fail_levels=fail_levels, errors=errors)
    lines.append(paint(found, _BOLD))
    lines += why
    if counts.safe_fixes or counts.unsafe_fixes:
        if not counts.safe_fixes:
            fixable = f"{counts.unsafe_fixes} fixable with --fix --unsafe-fixes"
        else:
            fixable = f"{counts.safe_fixes} fixable with --fix"
            if counts.unsafe_fixes:
                fixable += f" ({counts.unsafe_fixes} more with --unsafe-fixes)"
        lines.append(fixable + ".")
    return "\n".join(lines) + "\n"


# -- excerpt -------------------------------------------------------------------


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display(text: str) -> tuple[str, list[int]]:
    """The line as printed and the display column where each character starts.

    ``columns`` has one entry more than ``text``: the column just past the end.
    """
    if text.isascii() and text.isprintable():  # the common case: one column a character
        return text, list(range(len(text) + 1))
    out: list[str] = []
    columns: list[int] = []
    column = 0
    for ch in text:
        columns.append(column)
        if ch == "\t":
            step = TAB_WIDTH - column % TAB_WIDTH
            out.append(" " * step)
        elif ord(ch) < 0x20:
            step = 1
            out.append(chr(0x2400 + ord(ch)))
        elif ord(ch) == 0x7F:
            step = 1
            out.append("\u2421")
        else:
            step = char_width(ch)
            out.append(ch)
        column += step
    columns.append(column)
    return "".join(out), columns


def _bounds(source: Source, number: int) -> tuple[int, int]:
    """Offsets of the content of line ``number`` (1-based), without making the line's text."""
    text, starts = source.text, source.lines._starts
    start = starts[number - 1]
    end = starts[number] if number < len(starts) else len(text)
    if end > start and text[end - 1] == "\n":
        end -= 2 if end - 2 >= start and text[end - 2] == "\r" else 1
    elif end > start and text[end - 1] == "\r":
        end -= 1
    return start, end


def excerpt(source: Source, span: Span) -> tuple[str, str]:
    """The span's first line as printed (cut around the span when long) and the caret line under the span."""
    start, end = _bounds(source, span.line)
    length = end - start
    first = min(max(span.col - 1, 0), length)
    if span.end_line == span.line:
        last = min(max(span.end_col - 1, first), length)
    else:
        last = length  # a span running on: underline to the end of its first line
    low = max(first - CONTEXT, 0) if length > ROW_LIMIT else 0
    high = min(last + CONTEXT, low + ROW_LIMIT, length) if length > ROW_LIMIT else length
    head, tail = (CUT if low else ""), (CUT if high < length else "")
    text, columns = display(source.text[start + low : start + high])  # one column for the cut mark
    first, last = min(first, high) - low, min(last, high) - low
    start_column = columns[first] + len(head)
    width = max(columns[last] + len(head) - start_column, 1)
    return head + text + tail, " " * start_column + "^" * width


# -- fix preview ---------------------------------------------------------------


def _fix_line_numbers(fix: Fix | None, source: Source) -> list[int]:
    if fix is None or not fix.edits:
        return []
    return [source.position(min(e.span.start for e in fix.edits))[0], source.position(max(e.span.end for e in fix.edits))[0]]


def fix_preview(source: Source, fix: Fix) -> list[tuple[str, int | None, str]]:
    """The lines a fix changes: (sign, old line number or None, text as printed).

    Signs are "-" (removed), "+" (added) and " " (kept, for context).  Edits
    on lines far apart (a line moved above a `check`) are shown as separate
    hunks joined by a ``...`` row, never with the lines between them: the
    preview grows with the fix, not with the distance it spans.
    """
    edits = sorted(fix.edits, key=lambda e: (e.span.start, e.span.end))
    if not edits or any(a.span.end > b.span.start for a, b in zip(edits, edits[1:])):
        return []
    rows: list[tuple[str, int | None, str]] = []
    for hunk in _hunks(source, edits):
        if rows:
            rows.append((" ", None, "..."))
        rows.extend(_hunk_preview(source, hunk))
    return rows


def _hunks(source: Source, edits: list[Edit]) -> list[list[Edit]]:
    """Sorted edits grouped by the lines they touch; a group ends at an untouched line."""
    hunks: list[list[Edit]] = []
    last_line = 0
    for edit in edits:
        first = source.position(edit.span.start)[0]
        if hunks and first <= last_line + 1:
            hunks[-1].append(edit)
        else:
            hunks.append([edit])
        last_line = max(last_line, source.position(max(edit.span.end - 1, edit.span.start))[0])
    return hunks


def _hunk_preview(source: Source, edits: list[Edit]) -> list[tuple[str, int | None, str]]:
    text = source.text
    begin, end = edits[0].span.start, max(e.span.end for e in edits)
    number = source.position(begin)[0]
    last_number = source.position(max(end - 1, begin))[0]
    block_start, first_end = _bounds(source, number)
    last_start, last_end = _bounds(source, last_number)
    starts = source.lines._starts
    block_end = max(starts[last_number] if last_number < len(starts) else len(text), end)
    # A long first or last line: only CONTEXT characters of it beside the edits.
    cut_head = first_end - block_start > ROW_LIMIT and begin - block_start > CONTEXT
    if cut_head:
        block_start = begin - CONTEXT
    cut_tail = last_end - last_start > ROW_LIMIT and last_end - end > CONTEXT
    if cut_tail:
        block_end = end + CONTEXT
    pieces: list[str] = []
    position = block_start
    for edit in edits:
        pieces.append(text[position : edit.span.start])
        pieces.append(edit.text)
        position = edit.span.end
    pieces.append(text[position:block_end])
    old_lines = _split(text[block_start:block_end])
    new_lines = _split("".join(pieces))
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head
        and old_lines[len(old_lines) - 1 - tail] == new_lines[len(new_lines) - 1 - tail]
    ):
        tail += 1

    def row(lines: list[str], index: int) -> str:
        """A row as printed: cut where the block was, and when long (a long inserted or deleted line)."""
        line = lines[index]
        cut = len(line) > ROW_LIMIT + 1
        shown = display(line[:ROW_LIMIT] if cut else line)[0]
        head_cut = CUT if cut_head and index == 0 else ""
        tail_cut = CUT if cut or (cut_tail and index == len(lines) - 1) else ""
        return head_cut + shown + tail_cut

    rows: list[tuple[str, int | None, str]] = []
    for index in range(len(old_lines)):
        kept = index < head or index >= len(old_lines) - tail
        if not kept:
            rows.append(("-", number + index, row(old_lines, index)))
    for index in range(head, len(new_lines) - tail):
        rows.append(("+", None, row(new_lines, index)))
    # Context: the unchanged lines of the block, where they stand.
    before = [(" ", number + i, row(old_lines, i)) for i in range(head)]
    after = [(" ", number + i, row(old_lines, i)) for i in range(len(old_lines) - tail, len(old_lines))]
    return before + rows + after


def _split(block: str) -> list[str]:
    """Lines of a block without their endings (an empty last piece dropped)."""
    return [line.text for line in Source(block).lines if line.newline or line.text]
