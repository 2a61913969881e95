"""`gcc`: the compiler format editors and CI log parsers already understand.

    file:line:col: error|warning|note: message [CODE]

Hints and infos are `note`s; each related place follows as its own `note`.
The summary lines at the end (counts per severity, what decided the exit
status) match no `file:line:col:` pattern; `--quiet` leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostic import Diagnostic, Severity
from ..result import FileResult
from .common import blocks_and_summary, one_line

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note", Severity.INFO: "note"}


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings (a cache keeps this text: see report.BLOCK_FORMATS)."""
    out: list[str] = []
    for d in diagnostics:
        out.append(f"{d.path}:{d.span.line}:{d.span.col}: {LEVEL[d.severity]}: {one_line(d.message)} [{d.code}]\n")
        for related in d.related:
            out.append(f"{related.path or d.path}:{related.span.line}:{related.span.col}: note: {one_line(related.message)}\n")
    return "".join(out)


def render(results: Sequence[FileResult], *, color: bool = False, settings=None, summary: bool = True,
           fail_levels=None, errors: int = 0) -> str:
    return blocks_and_summary(results, "gcc", block, summary=summary, settings=settings, fail_levels=fail_levels,
                              errors=errors)
