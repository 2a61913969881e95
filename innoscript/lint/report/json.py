"""`json` and `json-lines`: findings as data.

`json` is one array of finding objects, `json-lines` one object per line.
The object's keys are documented in docs/formats.md and stay stable; new keys
may be added, none is removed or renamed.
"""

from __future__ import annotations

from collections.abc import Sequence
import json

from ..diagnostic import Diagnostic
from ..result import FileResult
from .common import blocks, diagnostic_data


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings as array items, without the brackets (a cache keeps this text: see report.BLOCK_FORMATS).

    Each object as ``json.dumps`` indents it one level deep in the array:
    strings hold no line break (JSON escapes it), so indenting every line
    of the object by two spaces is exactly that.
    """
    return ",\n".join(["  " + json.dumps(diagnostic_data(d), indent=2, ensure_ascii=False).replace("\n", "\n  ")
                        for d in diagnostics])


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    """``json.dumps`` of the list of all findings (indent 2), put together from each file's block."""
    items = [text for text in blocks(results, "json", block) if text]
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"


def block_lines(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings as JSON lines (a cache keeps this text: see report.BLOCK_FORMATS)."""
    return "".join(json.dumps(diagnostic_data(d), ensure_ascii=False, separators=(",", ":")) + "\n" for d in diagnostics)


def render_lines(results: Sequence[FileResult], *, settings=None) -> str:
    return "".join(blocks(results, "json-lines", block_lines))
