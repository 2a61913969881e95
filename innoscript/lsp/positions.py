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
