"""The editor's text of an open document, kept exactly as the editor has it.

The editor protocol counts lines the way editors do: only CR, LF and CRLF
end a line.  Python's ``str.splitlines`` also breaks at VT, FF, U+001C-U+001E,
U+0085, U+2028 and U+2029, so a document holding one of those would get the
next edit on the wrong line; edits are applied here with the protocol's own
line model instead.  The text is kept as a list of lines (each with its line
ending), so an edit costs the lines it touches, not the whole document.

A leading U+FEFF stays in the text: it is a character of the editor's first
line, and columns on that line count it (the linter's ``Source`` drops it;
the server adds it back when it converts positions, see ``bom_units``).
"""

from __future__ import annotations

import re

from . import positions

# Characters ``str.splitlines`` breaks at that the protocol does not.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
BOM = "\ufeff"


def split_lines(text: str) -> list[str]:
    """``text`` cut after each CR, LF or CRLF (line endings kept)."""
    pieces = text.splitlines(True)  # fast, and right unless a rarer break is present
    if not _OTHER_BREAKS.search(text):
        return pieces
    lines: list[str] = []
    carry = ""
    for piece in pieces:
        if piece.endswith(("\n", "\r")):
            lines.append(carry + piece)
            carry = ""
        else:
            carry += piece  # ended at a break the protocol does not count: same line
    if carry:
        lines.append(carry)
    return lines


def content_length(line: str) -> int:
    """Characters of ``line`` before its line ending."""
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


class TextBuffer:
    """The document text with incremental edits in the editor's line model."""

    __slots__ = ("lines", "_text")

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        self._text: str | None = text

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    def line_count(self) -> int:
        """Lines as the editor counts them (a final line ending starts an empty line)."""
        lines = self.lines
        if not lines or lines[-1].endswith(("\n", "\r")):
            return len(lines) + 1
        return len(lines)

    def _locate(self, line: int, character: int, encoding: str) -> tuple[int, int]:
        """(line index, character index) for a protocol position, clamped to the text.

        A line past the end is the end of the text; a character past the
        line's content is the end of that content (the protocol's rule).
        """
        lines = self.lines
        if line < 0:
            return 0, 0
        if line >= len(lines):
            if not lines:
                return 0, 0
            last = lines[-1]
            if last.endswith(("\n", "\r")):
                return len(lines), 0  # the empty line after a final line ending
            return len(lines) - 1, len(last)
        content = lines[line][: content_length(lines[line])]
        return line, positions.chars(content, character, encoding)

    def apply(self, start: tuple[int, int], end: tuple[int, int], new_text: str, encoding: str = positions.UTF16) -> None:
        """Replace the range ``start``-``end`` ((line, character) pairs) by ``new_text``."""
        lines = self.lines
        first, first_col = self._locate(*start, encoding)
        last, last_col = self._locate(*end, encoding)
        if (last, last_col) < (first, first_col):
            last, last_col = first, first_col  # an inverted range: an insertion at its start
        head = lines[first][:first_col] if first < len(lines) else ""
        tail = lines[last][last_col:] if last < len(lines) else ""
        piece = head + new_text + tail
        low, high = first, min(last + 1, len(lines))
        # A CR that now meets an LF makes one CRLF line ending.
        if low > 0 and piece.startswith("\n") and lines[low - 1].endswith("\r"):
            low -= 1
            piece = lines[low] + piece
        while high < len(lines) and piece.endswith("\r") and lines[high].startswith("\n"):
            piece += lines[high]
            high += 1
        lines[low:high] = split_lines(piece)
        self._text = None

    def replace_all(self, text: str) -> None:
        self.lines = split_lines(text)
        self._text = text

    def has_bom(self) -> bool:
        return bool(self.lines) and self.lines[0].startswith(BOM)
