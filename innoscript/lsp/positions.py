"""Columns in the position encoding the client negotiated.

LSP counts columns in UTF-16 code units unless client and server agree on
UTF-8 or UTF-32.  The AST counts characters.  These helpers convert one line
at a time; a line of an update script is short, so no index is kept.
"""

from __future__ import annotations

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def _width(ch: str, encoding: str) -> int:
    code = ord(ch)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


def units(text: str, chars: int, encoding: str) -> int:
    """Code units of the first ``chars`` characters of ``text``."""
    prefix = text[: max(chars, 0)]
    if encoding == UTF32 or prefix.isascii():
        return len(prefix)
    return sum(_width(ch, encoding) for ch in prefix)


def chars(text: str, unit_count: int, encoding: str) -> int:
    """Characters of ``text`` covered by ``unit_count`` code units (clamped).

    A count that ends inside a character (half a surrogate pair, a partial
    UTF-8 sequence) rounds up to the end of that character.
    """
    if unit_count <= 0:
        return 0
    if encoding == UTF32 or text.isascii():
        return min(unit_count, len(text))
    count = 0
    for index, ch in enumerate(text):
        if count >= unit_count:
            return index
        count += _width(ch, encoding)
    return len(text)


# A leading U+FEFF is a character of the editor's first line; the linter's
# text has dropped it.  Its width in each encoding:
BOM_UNITS = {UTF8: 3, UTF16: 1, UTF32: 1}


class Mapper:
    """Positions between the linter's text and the editor's.

    The linter counts 1-based lines and 1-based character columns of the
    decoded text (without a leading BOM); the editor counts 0-based lines and
    code units of its buffer, where a leading BOM is the first character.
    """

    __slots__ = ("lines", "encoding", "shift", "_tables")

    def __init__(self, lines, bom: bool, encoding: str) -> None:
        self.lines = lines  # a sequence of lines with ``text`` and ``newline`` (parsed or physical)
        self.encoding = encoding
        self.shift = BOM_UNITS.get(encoding, 1) if bom else 0
        # Line index -> the code units before each character, for lines that are not ASCII:
        # a long line with thousands of findings is counted once, not once for each.
        self._tables: dict[int, list[int]] = {}

    def _units(self, index: int, text: str, count: int) -> int:
        """``units(text, count, encoding)`` for line ``index``."""
        if self.encoding == UTF32 or text.isascii():
            return min(max(count, 0), len(text))
        table = self._tables.get(index)
        if table is None:
            table = self._tables[index] = [0]
            total = 0
            for ch in text:
                total += _width(ch, self.encoding)
                table.append(total)
        return table[min(max(count, 0), len(text))]

    def position(self, line: int, col: int) -> tuple[int, int]:
        """(editor line, editor character) for a 1-based line and character column.

        A column past the line's content is on its line ending: that is the
        start of the next line (an edit that deletes a whole line ends there).
        """
        lines = self.lines
        if line > len(lines):
            line, col = len(lines), len(lines[-1].text) + 2
        physical = lines[line - 1]
        text = physical.text
        if col - 1 > len(text) and physical.newline:
            return line, 0
        character = self._units(line - 1, text, col - 1)
        return line - 1, character + self.shift if line == 1 else character

    def units(self, index: int, chars_: int) -> int:
        """Editor character of character column ``chars_`` (0-based) on 0-based line ``index``."""
        character = self._units(index, self.lines[index].text, chars_)
        return character + self.shift if index == 0 else character

    def offset(self, line: int, character: int) -> tuple[int, int]:
        """(0-based line, 0-based character column) for an editor position, clamped."""
        index = min(max(line, 0), len(self.lines) - 1)
        if index == 0:
            character -= self.shift
        return index, chars(self.lines[index].text, character, self.encoding)
