"""`gcc`: the compiler format editors and CI log parsers already understand.

    file:line:col: error|warning|note: message [CODE]

Hints and infos are `note`s; each related place follows as its own `note`.
"""

from __future__ import annotations

from typing import Sequence

from ..diagnostic import Severity
from ..result import FileResult
from .common import findings, one_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note", Severity.INFO: "note"}


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    out: list[str] = []
    for _, d in findings(results):
        out.append(f"{d.path}:{d.span.line}:{d.span.col}: {LEVEL[d.severity]}: {one_line(d.message)} [{d.code}]\n")
        for related in d.related:
            out.append(f"{related.path or d.path}:{related.span.line}:{related.span.col}: note: {one_line(related.message)}\n")
    return "".join(out)
