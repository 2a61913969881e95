"""Source text: decoding, line splitting and positions.

Everything downstream works on decoded text (``str``) and character offsets.
This module is the only place that knows about bytes, encodings, byte-order
marks and line-ending styles, so that writers (fixes, the formatter) can put
a file back exactly as it came.
"""

from __future__ import annotations

import codecs
import re
from array import array
from bisect import bisect_left, bisect_right
import os
from collections.abc import Sequence
from itertools import accumulate, islice

from .lazyregex import LazyRegex
from .records import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:  # pathlib costs innolint's start a few milliseconds
    from pathlib import Path

BOM = "\ufeff"
# For texts that mix line endings (rare): compiled when first used.
_LINE_END = LazyRegex(r"\r\n|\r|\n")
_LINE_SPLIT = LazyRegex(r"(\r\n|\r|\n)")
_LONE_CR = LazyRegex(r"\r(?!\n)")
_LONE_LF = LazyRegex(r"(?<!\r)\n")


class Span(NamedTuple):
    """A range of the decoded text.

    ``start``/``end`` are character offsets (end exclusive).  ``line`` is
    1-based, ``col`` and ``end_col`` are 1-based character columns
    (``end_col`` exclusive), as editors and compilers print them.

    A NamedTuple rather than a frozen dataclass: a large file has a million
    of them, and a tuple is three times cheaper to build.
    """

    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int

    def to_dict(self) -> dict:
        return self._asdict()


class Cols(NamedTuple):
    """Where something stands within its line: 0-based columns, end exclusive.

    The syntax tree keeps only these (a line's parse is shared by every line
    with the same text); ``Line.at`` turns them into a ``Span`` of the file.
    """

    start: int
    end: int


class SourceProblem(NamedTuple):
    """Something wrong with the bytes themselves (not the language)."""

    kind: str  # "binary" | "not-utf8" | "bom" | "wide" (UTF-16 or UTF-32)
    message: str
    offset: int = 0


class PhysicalLine(NamedTuple):
    """One line of the text, made when asked for (see ``Lines``)."""

    number: int  # 1-based
    start: int  # offset of the first character
    end: int  # offset just past the content (before the line ending)
    text: str  # the content, without line ending
    newline: str  # "\r\n", "\n", "\r" or "" for a last line without one


class Lines(Sequence):
    """The physical lines of a text: a sequence of ``PhysicalLine``.

    Only the start offset of each line is stored (4 or 8 bytes a line, in an
    array); a line object is made when it is asked for.  A file of ten
    million empty lines (10 MB of CR) then costs 40 MB here, not the 1.5 GB
    that one object per line would.  Lines end at CRLF, CR or LF (only
    those: U+2028, VT, FF and the like are content, as on the device).
    """

    __slots__ = ("_text", "_starts")

    def __init__(self, text: str, starts: array | None = None) -> None:
        self._text = text
        self._starts = _line_starts(text) if starts is None else starts

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def starts(self) -> Sequence[int]:
        """The offset of each line's first character."""
        return self._starts

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._line(i) for i in range(*index.indices(len(self._starts)))]
        if index < 0:
            index += len(self._starts)
        if not 0 <= index < len(self._starts):
            raise IndexError("line index out of range")
        return self._line(index)

    def __iter__(self):
        line = self._line
        return (line(index) for index in range(len(self._starts)))

    def __repr__(self) -> str:
        return f"<Lines: {len(self)}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lines):
            return self._text == other._text  # the same text splits the same way
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a list

    def bounds(self, index: int) -> tuple[int, int, int]:
        """Offsets of line ``index`` (0-based): its start, the end of its text, the end of its line ending."""
        text, starts = self._text, self._starts
        start = starts[index]
        limit = starts[index + 1] if index + 1 < len(starts) else len(text)
        end = limit
        if end > start:
            last = text[end - 1]
            if last == "\n":
                end -= 2 if end - 2 >= start and text[end - 2] == "\r" else 1
            elif last == "\r":
                end -= 1
        return start, end, limit

    def _line(self, index: int) -> PhysicalLine:
        start, end, limit = self.bounds(index)
        text = self._text
        return PhysicalLine(index + 1, start, end, text[start:end], text[end:limit])


def _separator(text: str) -> str | None:
    """The one line ending ``text`` uses ("\\r\\n", "\\n" or "\\r"; "\\n" when none), None when mixed."""
    crlf = text.count("\r\n")
    if crlf == text.count("\r") == text.count("\n"):
        return "\r\n" if crlf else ("\n" if "\n" in text else "\r")
    if "\r" not in text:
        return "\n"
    if "\n" not in text:
        return "\r"
    return None


# Text is split in pieces of about this many characters: splitting a whole
# 10 MB file of CRs at once makes a list of ten million strings (80 MB).
_CHUNK = 1 << 20


def split_lines(text: str):
    """(content, line ending) of every line, in order; the last line's ending may be "".

    Lines end at CRLF, CR or LF.  No empty line follows a final line
    ending.  The text is split a piece at a time, so memory stays small
    whatever the number of lines.
    """
    separator = _separator(text)
    if separator is None:
        # Mixed endings: pieces alternate content and line ending.
        pieces = _LINE_SPLIT.split(text)
        for index in range(0, len(pieces) - 1, 2):
            yield pieces[index], pieces[index + 1]
        if pieces[-1] or len(pieces) == 1:
            yield pieces[-1], ""
        return
    for _, contents in _pieces(text, separator):
        for content in contents:
            yield content, separator
    position = text.rfind(separator) + len(separator) if separator in text else 0
    if position < len(text) or not text:
        yield text[position:], ""


def _pieces(text: str, separator: str):
    """(offset, contents) for pieces of ``text`` that end at a ``separator``: the lines
    of each piece (str.split in C), about ``_CHUNK`` characters at a time."""
    step, position, length = len(separator), 0, len(text)
    while True:
        end = text.rfind(separator, position, position + _CHUNK)
        if end < 0 or position + _CHUNK >= length:
            end = text.rfind(separator, position)
        if end < 0:
            return
        yield position, text[position:end].split(separator)
        position = end + step


def _line_starts(text: str) -> array:
    """Start offsets of the lines of ``text``; no empty line after a final line ending."""
    starts = array("I" if len(text) < 2**32 else "Q")
    separator = _separator(text)
    if separator is None:
        # Mixed: pieces alternate content and line ending; a line starts after each ending.
        pieces = _LINE_SPLIT.split(text)
        starts.extend(islice(accumulate(map(len, pieces), initial=0), 0, None, 2))
        if len(starts) > 1 and pieces[-1] == "":
            starts.pop()  # the text ends with a line ending: no empty line after it
        return starts
    # str.split and len run in C, a piece of the text at a time.
    step = len(separator)
    starts.append(0)
    for position, contents in _pieces(text, separator):
        starts.extend(islice(accumulate(map(step.__add__, map(len, contents)), initial=position), 1, None))
    if len(starts) > 1 and starts[-1] == len(text):
        starts.pop()  # the text ends with a line ending: no empty line after it
    return starts


class Region(NamedTuple):
    """Where two versions of a text differ, in whole lines.

    Lines ``first`` to ``end`` (0-based, end exclusive) of the old text
    became ``lines`` (content, line ending) in the new one; every other line
    kept its text, and a line after the region moved by ``shift``
    characters.  Found by ``Source.edited``.
    """

    first: int
    end: int
    lines: list
    shift: int


def common_prefix(a: Sequence, b: Sequence) -> int:
    """Length of the longest common prefix of two texts (or lists), by halving: each
    comparison runs in C (a memcmp for text, identity first for lists)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def common_suffix(a: Sequence, b: Sequence, limit: int) -> int:
    """Length of the longest common suffix, at most ``limit``."""
    low, high, la, lb = 0, limit, len(a), len(b)
    while low < high:
        middle = (low + high + 1) // 2
        if a[la - middle : la - low] == b[lb - middle : lb - low]:
            low = middle
        else:
            high = middle - 1
    return low


class Source:
    """Decoded text of one script with a line index.

    ``text`` never contains the BOM; ``bom`` and ``encoding`` remember how to
    write the text back.
    """

    def __init__(
        self,
        text: str,
        path: str = "<string>",
        *,
        encoding: str = "utf-8",
        bom: bool = False,
        binary: bool = False,
        problems: tuple[SourceProblem, ...] = (),
        starts: array | None = None,
        endings: tuple[int, int, int] | None = None,
    ) -> None:
        # Text from an editor may still carry the BOM; bytes were stripped of
        # theirs already, and a second U+FEFF there is content.
        if not bom and text.startswith(BOM):
            text = text[1:]
            bom = True
        self.text = text
        self.path = path
        self.encoding = encoding
        self.bom = bom
        self.binary = binary
        self.problems = problems
        self.lines = Lines(text, starts)  # ``starts``: the line starts, when known (see ``edited``)
        self._starts = self.lines._starts
        # How many lines end in CRLF, LF and CR (``endings``: when known, see ``edited``).
        self._endings = _ending_counts(text) if endings is None else endings
        self.newline = _dominant_newline(text, self._endings)

    def edited(self, text: str) -> tuple["Source", Region | None]:
        """The source of ``text``, a new version of this one, and the region that changed.

        Equal to ``Source(text, self.path, encoding=self.encoding)``, but only
        the lines around the change are split again: the language server
        calls this after each keystroke.  The region is None when the versions
        differ in their leading BOM, or one is empty: then everything was
        split.
        """
        body = text[1:] if text.startswith(BOM) else text  # what __init__ keeps
        if self.binary or text.startswith(BOM) != self.bom or not body or not self.text or len(body) >= 2**32:
            return Source(text, self.path, encoding=self.encoding), None
        old, starts = self.text, self._starts
        prefix = common_prefix(old, body)
        suffix = common_suffix(old, body, min(len(old), len(body)) - prefix)
        # From the line holding the character before the change (a CR there may
        # now meet an LF) to the first line whose preceding line ending is
        # unchanged and after the change: both boundaries are line starts in
        # either version.
        first = max(bisect_right(starts, prefix - 1) - 1, 0)
        end = bisect_left(starts, len(old) - suffix + 1)
        shift = len(body) - len(old)
        start = starts[first]
        stop = starts[end] + shift if end < len(starts) else len(body)
        piece = body[start:stop]
        lines = list(split_lines(piece)) if piece else []
        new = starts[:first]
        if piece:
            new.extend(map(start.__add__, _line_starts(piece)))
        new.extend(map(shift.__add__, starts[end:]) if shift else starts[end:])
        # The line endings counted in the region only: its bounds are line starts in
        # both versions, so no CRLF straddles them (counting a large text costs more
        # than the rest of an edit).
        removed = _ending_counts(old[start : starts[end] if end < len(starts) else len(old)])
        added = _ending_counts(piece)
        endings = tuple([count - gone + come for count, gone, come in zip(self._endings, removed, added)])
        source = Source(text, self.path, encoding=self.encoding, starts=new, endings=endings)
        return source, Region(first, end, lines, shift)

    # -- construction -----------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "<bytes>") -> "Source":
        problems: list[SourceProblem] = []
        if b"\x00" in data or data in _WIDE_MARKS:  # a mark alone: an empty UTF-16 file
            wide = _wide_encoding(data)
            if wide is not None:
                encoding, has_bom = wide
                body = data[len(_BOMS[encoding]) :] if has_bom else data
                try:
                    text = body.decode(encoding)
                except UnicodeDecodeError:
                    text = "\0"  # not text in that encoding after all
                if "\0" not in text:  # a NUL character even so: binary, below
                    name = _WIDE_NAMES[encoding]
                    problem = SourceProblem(
                        "wide",
                        f"{name}: save it as UTF-8 (or the ANSI code page the device expects)",
                        0,
                    )
                    return cls(text, path, encoding=encoding, bom=has_bom, problems=(problem,))
        if b"\x00" in data:
            offset = data.index(b"\x00")
            problem = SourceProblem(
                "binary",
                f"binary file: NUL byte at offset {offset}; an update script must be plain text",
                offset,
            )
            return cls("", path, binary=True, problems=(problem,))
        bom = data.startswith(codecs.BOM_UTF8)
        if bom:
            data = data[len(codecs.BOM_UTF8) :]
            problems.append(SourceProblem("bom", "file starts with a UTF-8 byte-order mark", 0))
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            text = data.decode("latin-1")
            encoding = "latin-1"
            problems.append(
                SourceProblem(
                    "not-utf8",
                    f"not valid UTF-8 (first bad byte at offset {exc.start}); decoded as latin-1",
                    exc.start,
                )
            )
        return cls(text, path, encoding=encoding, bom=bom, problems=tuple(problems))

    @classmethod
    def from_path(cls, path: str | Path) -> "Source":
        """Read a file.  Raises ``OSError`` (the caller reports it)."""
        if os.path.isdir(path):
            raise IsADirectoryError(21, "is a directory", str(path))
        with open(path, "rb") as handle:
            return cls.from_bytes(handle.read(), str(path))

    # -- writing back -----------------------------------------------------

    def encode(self, text: str | None = None) -> bytes:
        """Bytes for ``text`` (default: this source) in the original encoding.

        Characters the original encoding cannot hold make the text UTF-8, and
        so do latin-1 bytes that would be read back as something else: as a
        byte-order mark (a fix deleted what stood before `ï»¿`) or as valid
        UTF-8 (a fix deleted the one byte that was not).  A text that starts
        with U+FEFF (a fix deleted the line before it) gets a byte-order mark
        in front, or the character would be read back as one and vanish.
        """
        text = self.text if text is None else text
        try:
            data = text.encode(self.encoding)
            encoding = self.encoding
        except UnicodeEncodeError:
            data = text.encode("utf-8")
            encoding = "utf-8"
        else:
            if self.encoding == "latin-1" and _reads_back_otherwise(data, self.bom):
                data = text.encode("utf-8")
                encoding = "utf-8"
            elif encoding in _WIDE_NAMES:
                marked = self.bom or text.startswith(BOM)
                if not _reads_back_wide(data, encoding, marked):
                    if not marked and _reads_back_wide(data, encoding, True):
                        return _BOMS[encoding] + data  # the mark says what too few NULs no longer do
                    data = text.encode("utf-8")  # no ASCII left to show the encoding at all
                    encoding = "utf-8"
        return (_BOMS.get(encoding, codecs.BOM_UTF8) + data) if self.bom or text.startswith(BOM) else data

    # -- positions --------------------------------------------------------

    def line_of(self, offset: int) -> PhysicalLine:
        index = max(0, bisect_right(self._starts, offset) - 1)
        return self.lines[index]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, col), both 1-based, for a character offset."""
        # From the start offsets alone: no line object is made.
        index = max(0, bisect_right(self._starts, offset) - 1)
        return index + 1, offset - self._starts[index] + 1

    def offset(self, line: int, col: int) -> int:
        """Character offset of a 1-based (line, col); clamped to the line."""
        if line < 1:
            return 0
        if line > len(self.lines):
            return len(self.text)
        pl = self.lines[line - 1]
        return pl.start + min(max(col - 1, 0), pl.end - pl.start)

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end) if end != start else (line, col)
        return Span(start, end, line, col, end_line, end_col)

    def utf16_col(self, line: int, col: int) -> int:
        """0-based UTF-16 code-unit column for a 1-based character column."""
        if not 1 <= line <= len(self.lines):
            return 0
        prefix = self.lines[line - 1].text[: max(col - 1, 0)]
        return len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)

    def col_from_utf16(self, line: int, units: int) -> int:
        """1-based character column for a 0-based UTF-16 column."""
        if not 1 <= line <= len(self.lines):
            return 1
        count = 0
        for index, ch in enumerate(self.lines[line - 1].text):
            if count >= units:
                return index + 1
            count += 2 if ord(ch) > 0xFFFF else 1
        return len(self.lines[line - 1].text) + 1


_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}
_WIDE_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # bytes that are only a mark (UTF-32's have NULs)
_WIDE_NAMES = {"utf-16-le": "UTF-16", "utf-16-be": "UTF-16 (big-endian)", "utf-32-le": "UTF-32",
               "utf-32-be": "UTF-32 (big-endian)"}


def _wide_encoding(data: bytes) -> tuple[str, bool] | None:
    """(encoding, has BOM) when ``data`` looks like UTF-16 or UTF-32 text, else None.

    By the byte-order mark (UTF-32's first: its little-endian mark starts
    with UTF-16's), else by where the NULs fall in the first bytes: ASCII
    text in UTF-16-LE has a NUL at every odd offset, in UTF-32-LE three NULs
    after every character (mirrored for big-endian).  Notepad and
    PowerShell 5 write UTF-16-LE with a mark.
    """
    for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        if data.startswith(_BOMS[encoding]):
            body = data[len(_BOMS[encoding]) :]
            # A script is mostly ASCII commands: in UTF-16 or UTF-32 they carry NULs.
            # Two bytes that merely look like a mark before 8-bit text are not one.
            return (encoding, True) if not body or b"\0" in body else None
    sample = data[:4000]
    sample = sample[: len(sample) - len(sample) % 4]
    if len(sample) < 4:
        return None
    quads = [sample[i : i + 4] for i in range(0, len(sample), 4)]
    if all(q[1:] == b"\0\0\0" and q[0] for q in quads):
        return "utf-32-le", False
    if all(q[:3] == b"\0\0\0" and q[3] for q in quads):
        return "utf-32-be", False
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le", False
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be", False
    return None


def _reads_back_wide(data: bytes, encoding: str, bom: bool) -> bool:
    """Whether ``Source.from_bytes`` reads ``data`` (after its mark, if ``bom``) in ``encoding`` again.

    Without a mark UTF-16 is found by the NULs of ASCII text: an empty text or
    one with too few ASCII characters has not enough of them.
    """
    if bom:
        return not data or b"\0" in data
    return b"\0" in data and _wide_encoding(data) == (encoding, False)


def _reads_back_otherwise(latin1: bytes, bom: bool) -> bool:
    """Latin-1 bytes that ``Source.from_bytes`` would not read as latin-1."""
    if not bom and (latin1.startswith(codecs.BOM_UTF8) or latin1 in _WIDE_MARKS):
        return True
    if latin1.isascii():
        return False
    try:
        latin1.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ending_counts(text: str) -> tuple[int, int, int]:
    """How many lines of ``text`` end in CRLF, in LF alone and in CR alone."""
    crlf = text.count("\r\n")
    return crlf, text.count("\n") - crlf, text.count("\r") - crlf


def _dominant_newline(text: str, endings: tuple[int, int, int]) -> str:
    """The most frequent line ending (``endings``: ``_ending_counts(text)``); CRLF wins a tie,
    else the one seen first; LF when none."""
    crlf, lf, cr = endings
    most = max(endings)
    if not most:
        return "\n"
    if crlf == most:
        return "\r\n"
    if lf != cr:
        return "\n" if lf == most else "\r"
    return "\n" if _LONE_LF.search(text).start() < _LONE_CR.search(text).start() else "\r"
