"""`json` and `json-lines`: findings as data.

`json` is one array of finding objects, `json-lines` one object per line.
The object's keys are documented in docs/formats.md and stay stable; new keys
may be added, none is removed or renamed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import json

from ...jsontext import dumps
from ..diagnostic import Diagnostic
from ..result import FileResult
from .common import diagnostic_data


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings as array items, without the brackets (a cache keeps this text: see report.BLOCK_FORMATS).

    Each object as ``json.dumps(indent=2)`` lays it out one level deep in the array.
    """
    return ",\n".join([_item(d) for d in diagnostics])


def _item(diagnostic: Diagnostic) -> str:
    return "  " + dumps(diagnostic_data(diagnostic), 1)


def _line(diagnostic: Diagnostic) -> str:
    return json.dumps(diagnostic_data(diagnostic), ensure_ascii=False, separators=(",", ":")) + "\n"


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    """``json.dumps`` of the list of all findings (indent 2), put together from each file's block."""
    pieces: list[str] = []
    write(results, pieces.append)
    return "".join(pieces)


def write(results: Sequence[FileResult], put: Callable[[str], object], *, settings=None) -> None:
    """``render``'s text handed to ``put`` a finding at a time (a file's block at a
    time where the cache has it printed): the report is never held whole."""
    separator = "[\n"
    for result in results:
        text = result.printed("json")
        if text is None:
            for diagnostic in result.diagnostics:
                put(separator + _item(diagnostic))
                separator = ",\n"
        elif text:
            put(separator)
            put(text)
            separator = ",\n"
    put("[]\n" if separator == "[\n" else "\n]\n")


def block_lines(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings as JSON lines (a cache keeps this text: see report.BLOCK_FORMATS)."""
    return "".join([_line(d) for d in diagnostics])


def render_lines(results: Sequence[FileResult], *, settings=None) -> str:
    pieces: list[str] = []
    write_lines(results, pieces.append)
    return "".join(pieces)


def write_lines(results: Sequence[FileResult], put: Callable[[str], object], *, settings=None) -> None:
    """``render_lines``'s text handed to ``put`` a finding (or a cached file's block) at a time."""
    for result in results:
        text = result.printed("json-lines")
        if text is None:
            for diagnostic in result.diagnostics:
                put(_line(diagnostic))
        else:
            put(text)
