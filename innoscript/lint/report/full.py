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

from bisect import bisect_right
from collections.abc import Sequence
import unicodedata

from ...source import BOM, Source, Span
from ..diagnostic import Diagnostic, Edit, Fix, Severity
from ..result import FileResult
from .common import Counts, one_line, plural, rule_docs, severity_word, summary_lines

TAB_WIDTH = 4
CONTEXT = 60  # characters shown on either side of a span or an edit on a long line
ROW_LIMIT = 240  # characters of one printed row at most
CUT = "\u2026"
_CHUNK_ROWS = 8192  # rows of a report joined at a time

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
    """Colour on or off, and the painted pieces that findings repeat, each made once a report.

    A report of 100,000 findings repeats the same few codes, rule names,
    docs lines and gutters; building them per finding was most of its cost.
    The escape strings (``bold``, ``cyan``, ...) are empty when colour is
    off, so one f-string prints both ways; they wrap only text that is never
    empty, as ``__call__`` would.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bold, self.cyan, self.red, self.green, self.reset = (
            (_BOLD, _CYAN, _RED, _GREEN, _RESET) if enabled else ("", "", "", "", "")
        )
        self.bar = self("|", _CYAN)
        self.equals = self("=", _CYAN)
        self.carets = {severity: _BOLD + color if enabled else "" for severity, color in SEVERITY_COLOR.items()}
        self._headers: dict[tuple, str] = {}
        self._docs: dict[str, str] = {}
        self._gutters: dict[int, tuple[str, str, str, str]] = {}

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        return "".join(styles) + text + _RESET

    def header(self, code: str, name: str, severity: Severity) -> str:
        """The middle of a header, ` CODE [name] severity: `, painted."""
        key = (code, name, severity)
        text = self._headers.get(key)
        if text is None:
            color = SEVERITY_COLOR[severity]
            text = " " + self(code, _BOLD, color) + f" [{name}] " + self(severity_word(severity) + ":", color) + " "
            self._headers[key] = text
        return text

    def docs(self, code: str) -> str:
        """The docs line after its gutter (`` = docs: URL``), "" for a code without docs."""
        text = self._docs.get(code)
        if text is None:
            docs = rule_docs(code)
            text = self._docs[code] = f" {self.equals} docs: {docs}" if docs else ""
        return text

    def gutter(self, width: int) -> tuple[str, str, str, str]:
        """For a gutter ``width`` wide: the blank gutter, `` |``, `` | `` and `` = `` after it."""
        pieces = self._gutters.get(width)
        if pieces is None:
            blank = " " * width
            bar, equals = self.bar, self.equals
            pieces = self._gutters[width] = (blank, f"{blank} {bar}", f"{blank} {bar} ", f"{blank} {equals} ")
        return pieces


def render(results: Sequence[FileResult], *, color: bool = False, settings=None, summary: bool = True,
           fail_levels=None, errors: int = 0) -> str:
    # Each file's block (as a pool's worker or the cache printed it, else printed
    # here), a blank row between findings, then the summary.
    name = "full-color" if color else "full"
    paint = _Paint(color)
    texts = []
    for result in results:
        text = result.printed(name)
        if text is None:
            text = _block(result.diagnostics, result.source, paint)
        if text:
            texts.append(text)
    if summary:
        texts.append(summary_text(results, paint, settings=settings, fail_levels=fail_levels, errors=errors))
    return "\n".join(texts)


def block(diagnostics: Sequence[Diagnostic], source: Source) -> str:
    """One file's findings (a cache keeps this text: see report.BLOCK_FORMATS)."""
    return _block(diagnostics, source, _Paint(False))


def block_color(diagnostics: Sequence[Diagnostic], source: Source) -> str:
    """``block`` in colour."""
    return _block(diagnostics, source, _Paint(True))


def _block(diagnostics: Sequence[Diagnostic], source: Source, paint: _Paint) -> str:
    """Each finding's rows and a line ending; the blocks of a report are joined by another
    (a blank row between findings)."""
    # The rows are joined a few thousand at a time, so that the rows of 100,000
    # findings are never held as strings of their own all at once.
    chunks: list[str] = []
    rows: list[str] = []
    for diagnostic in diagnostics:
        _add_diagnostic(rows, diagnostic, source, paint)
        rows.append("")  # the line ending after a finding's last row; joined, the blank row
        if len(rows) >= _CHUNK_ROWS:
            chunks.append("\n".join(rows))
            rows = []
    if rows:
        chunks.append("\n".join(rows))
    return "\n".join(chunks)


def render_diagnostic(diagnostic: Diagnostic, source: Source, paint: _Paint | None = None) -> str:
    """One finding: header, excerpt with carets, fix, related places, docs link."""
    rows: list[str] = []
    _add_diagnostic(rows, diagnostic, source, paint or _Paint(False))
    return "\n".join(rows) + "\n"


def _line_of(starts, offset: int, guess: int = 0) -> int:
    """The 1-based line of a character offset (``Source.position``'s line, without the column).

    ``guess`` (the line a span gives) is taken when the line starts bear it
    out: two look-ups rather than a search of every line start.
    """
    count = len(starts)
    if 0 < guess <= count and starts[guess - 1] <= offset and (guess == count or offset < starts[guess]):
        return guess
    return bisect_right(starts, offset) or 1


def _last_line(starts, span: Span) -> int:
    """The line of a span's last character (of its start when empty)."""
    if span.end > span.start:  # an end at a line's start (column 1) closes the line before
        return _line_of(starts, span.end - 1, span.end_line - 1 if span.end_col == 1 else span.end_line)
    return _line_of(starts, span.start, span.line)


def _add_diagnostic(rows: list[str], diagnostic: Diagnostic, source: Source, paint: _Paint) -> None:
    span = diagnostic.span
    line = span.line
    severity = diagnostic.severity
    reset = paint.reset
    header = paint.header(diagnostic.code, diagnostic.name, severity)
    rows.append(f"{paint.bold}{diagnostic.path}:{line}:{span.col}:{reset}{header}{one_line(diagnostic.message)}")
    starts = source.lines.starts
    fix = diagnostic.fix
    widest = line
    if fix is not None and fix.edits:
        edits = fix.edits
        if len(edits) == 1:
            edit_span = edits[0].span
            widest = max(line, _line_of(starts, edit_span.start, edit_span.line),
                         _line_of(starts, edit_span.end, edit_span.end_line))
        else:
            widest = max(line, _line_of(starts, min(e.span.start for e in edits)),
                         _line_of(starts, max(e.span.end for e in edits)))
    width = len(str(widest))
    blank, blank_bar, bar_gutter, equals_gutter = paint.gutter(width)
    cyan = paint.cyan
    if 1 <= line <= len(starts):
        text, underline = excerpt(source, span)
        rows.append(blank_bar)
        rows.append(f"{cyan}{str(line).rjust(width)}{reset} {paint.bar} {text}".rstrip())
        rows.append(f"{bar_gutter}{paint.carets[severity]}{underline}{reset}")
    if fix is not None:
        rows.append(f"{equals_gutter}fix ({'safe' if fix.safe else 'unsafe'}): {one_line(fix.message)}")
        red, green = paint.red, paint.green
        for sign, number, text in fix_preview(source, fix):
            gutter = str(number).rjust(width) if number else blank
            body = f"{sign} {text}".rstrip()
            if sign == "-":
                rows.append(f"{cyan}{gutter}{reset} {red}{body}{reset}")
            elif sign == "+":
                rows.append(f"{cyan}{gutter}{reset} {green}{body}{reset}")
            else:
                rows.append(f"{cyan}{gutter}{reset} {body}")
    for related in diagnostic.related:
        where = f"{related.path or diagnostic.path}:{related.span.line}:{related.span.col}"
        rows.append(f"{equals_gutter}related: {where}: {one_line(related.message)}")
    docs = paint.docs(diagnostic.code)
    if docs:
        rows.append(blank + docs)


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


def _shown(text: str) -> str:
    """``display``'s text alone."""
    return text if text.isascii() and text.isprintable() else display(text)[0]


def _bounds(source: Source, number: int) -> tuple[int, int]:
    """Offsets of the content of line ``number`` (1-based), without making the line's text."""
    return source.lines.bounds(number - 1)[:2]


def excerpt(source: Source, span: Span) -> tuple[str, str]:
    """The span's first line as printed (cut around the span when long) and the caret line under the span."""
    line = span.line
    start, end = _bounds(source, line)
    length = end - start
    # Columns clamped to the line (conditionals: min and max calls cost more, once a finding).
    first = span.col - 1
    first = 0 if first < 0 else length if first > length else first
    if span.end_line == line:
        last = span.end_col - 1
        last = first if last < first else length if last > length else last
    else:
        last = length  # a span running on: underline to the end of its first line
    if length <= ROW_LIMIT:
        low, high, head, tail = 0, length, "", ""
    else:
        low = max(first - CONTEXT, 0)
        high = min(last + CONTEXT, low + ROW_LIMIT, length)
        head, tail = (CUT if low else ""), (CUT if high < length else "")
        first, last = min(first, high) - low, min(last, high) - low
    text = source.text[start + low : start + high]
    if text.isascii() and text.isprintable():  # the common case: a column a character
        start_column, end_column = first, last
    else:
        text, columns = display(text)
        start_column, end_column = columns[first], columns[last]
    start_column += len(head)  # one column for the cut mark
    width = max(end_column - start_column + len(head), 1)
    return head + text + tail, " " * start_column + "^" * width


# -- fix preview ---------------------------------------------------------------


def fix_preview(source: Source, fix: Fix) -> list[tuple[str, int | None, str]]:
    """The lines a fix changes: (sign, old line number or None, text as printed).

    Signs are "-" (removed), "+" (added) and " " (kept, for context).  Edits
    on lines far apart (a line moved above a `check`) are shown as separate
    hunks joined by a ``...`` row, never with the lines between them: the
    preview grows with the fix, not with the distance it spans.
    """
    edits = fix.edits
    if len(edits) == 1:
        return _hunk_preview(source, list(edits))
    edits = sorted(edits, key=lambda e: (e.span.start, e.span.end))
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
    starts = source.lines.starts
    hunks: list[list[Edit]] = []
    last_line = 0
    for edit in edits:
        first = _line_of(starts, edit.span.start, edit.span.line)
        if hunks and first <= last_line + 1:
            hunks[-1].append(edit)
        else:
            hunks.append([edit])
        last_line = max(last_line, _last_line(starts, edit.span))
    return hunks


def _hunk_preview(source: Source, edits: list[Edit]) -> list[tuple[str, int | None, str]]:
    text, starts = source.text, source.lines.starts
    first_span = edits[0].span
    begin = first_span.start
    number = _line_of(starts, begin, first_span.line)
    if len(edits) == 1:
        end = first_span.end
        last_number = _last_line(starts, first_span)
    else:
        end = max(e.span.end for e in edits)
        last_number = _line_of(starts, max(end - 1, begin))
    block_start, first_end = _bounds(source, number)
    last_start, last_end = _bounds(source, last_number) if last_number != number else (block_start, first_end)
    block_end = max(starts[last_number] if last_number < len(starts) else len(text), end)
    # A long first or last line: only CONTEXT characters of it beside the edits.
    cut_head = first_end - block_start > ROW_LIMIT and begin - block_start > CONTEXT
    if cut_head:
        block_start = begin - CONTEXT
    cut_tail = last_end - last_start > ROW_LIMIT and last_end - end > CONTEXT
    if cut_tail:
        block_end = end + CONTEXT
    if len(edits) == 1:
        new_block = text[block_start:begin] + edits[0].text + text[end:block_end]
    else:
        pieces: list[str] = []
        position = block_start
        for edit in edits:
            pieces.append(text[position : edit.span.start])
            pieces.append(edit.text)
            position = edit.span.end
        pieces.append(text[position:block_end])
        new_block = "".join(pieces)
    old_lines = _split(text[block_start:block_end])
    new_lines = _split(new_block)
    shortest = min(len(old_lines), len(new_lines))
    head = 0
    while head < shortest and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < shortest - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    # Each old line is shown (kept before ``head`` and from ``kept_from`` on, removed
    # between), and the new lines between ``head`` and the kept tail.
    kept_from = len(old_lines) - tail
    old_shown = _rows(old_lines, 0, len(old_lines), cut_head, cut_tail)
    rows: list[tuple[str, int | None, str]] = []
    for index in range(head):
        rows.append((" ", number + index, old_shown[index]))
    for index in range(head, kept_from):
        rows.append(("-", number + index, old_shown[index]))
    for shown in _rows(new_lines, head, len(new_lines) - tail, cut_head, cut_tail):
        rows.append(("+", None, shown))
    # Context: the unchanged lines of the block, where they stand.
    for index in range(kept_from, len(old_lines)):
        rows.append((" ", number + index, old_shown[index]))
    return rows


def _rows(lines: list[str], start: int, stop: int, cut_head: bool, cut_tail: bool) -> list[str]:
    """``lines[start:stop]`` as printed; a short line of printable ASCII in an uncut block is its own row."""
    if cut_head or cut_tail:
        return [_row(lines, index, cut_head, cut_tail) for index in range(start, stop)]
    return [
        line if len(line) <= ROW_LIMIT + 1 and line.isascii() and line.isprintable()
        else _row(lines, index, False, False)
        for index, line in enumerate(lines[start:stop], start)
    ]


def _row(lines: list[str], index: int, cut_head: bool, cut_tail: bool) -> str:
    """A row as printed: cut where the block was, and when long (a long inserted or deleted line)."""
    line = lines[index]
    cut = len(line) > ROW_LIMIT + 1
    shown = _shown(line[:ROW_LIMIT] if cut else line)
    head_cut = CUT if cut_head and index == 0 else ""
    tail_cut = CUT if cut or (cut_tail and index == len(lines) - 1) else ""
    return head_cut + shown + tail_cut


def _split(block: str) -> list[str]:
    """Lines of a block without their endings (an empty last piece dropped).

    The lines ``Source(block).lines`` gives (a leading U+FEFF dropped, lines
    ending at CRLF, CR or LF only), by C string methods: a report splits a
    small block for every fix it shows.
    """
    if block.startswith(BOM):
        block = block[1:]
    if "\r" in block:
        # CRLF first: then each CR or LF left ends one line.
        block = block.replace("\r\n", "\n").replace("\r", "\n")
    lines = block.split("\n")
    if not lines[-1]:
        lines.pop()
    return lines
