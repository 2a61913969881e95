"""An editor's model of a text, written apart from the language server's: what it must agree with.

The protocol ends lines at CR, LF and CRLF only; columns count code units
of the negotiated encoding.
"""

from __future__ import annotations

import re

BREAK = re.compile(r"\r\n|\r|\n")


def width(ch: str, encoding: str = "utf-16") -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    return 1


def line_starts(text: str) -> list[tuple[int, int]]:
    """(start, content end) of every line the editor sees."""
    spans, start = [], 0
    for match in BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def editor_position(text: str, offset: int, encoding: str = "utf-16") -> tuple[int, int]:
    for number, (start, end) in enumerate(line_starts(text)):
        if start <= offset <= end:
            return number, sum(width(ch, encoding) for ch in text[start:offset])
    raise ValueError("offset inside a line break")


def editor_offset(text: str, line: int, character: int, encoding: str = "utf-16") -> int:
    """The protocol's rules: a line past the end is the end, a column past the content is its end."""
    spans = line_starts(text)
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    units = 0
    for index in range(start, end):
        if units >= character:
            return index
        units += width(text[index], encoding)
    return end
