"""`concise`: one line per finding, `file:line:col: CODE severity: message`, then a summary.

The summary lines (counts per severity, what decided the exit status) do not
start with `file:line:col:`, so line-matching tools skip them; `--quiet`
leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostic import Diagnostic
from ..result import FileResult
from .common import blocks_and_summary, one_line, severity_word


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings (a cache keeps this text: see report.BLOCK_FORMATS)."""
    return "".join([
        f"{d.path}:{d.span.line}:{d.span.col}: {d.code} {severity_word(d.severity)}: {one_line(d.message)}\n"
        for d in diagnostics
    ])


def render(results: Sequence[FileResult], *, color: bool = False, settings=None, summary: bool = True,
           fail_levels=None, errors: int = 0) -> str:
    return blocks_and_summary(results, "concise", block, summary=summary, settings=settings, fail_levels=fail_levels,
                              errors=errors)
