"""`concise`: one line per finding, `file:line:col: CODE severity: message`, then a summary.

The summary lines (counts per severity, what decided the exit status) do not
start with `file:line:col:`, so line-matching tools skip them; `--quiet`
leaves them out.
"""

from __future__ import annotations

from typing import Sequence

from ..result import FileResult
from .common import findings, one_line, severity_word, summary_lines


def render(results: Sequence[FileResult], *, color: bool = False, settings=None, summary: bool = True,
           fail_levels=None, errors: int = 0) -> str:
    lines = [
        f"{d.path}:{d.span.line}:{d.span.col}: {d.code} {severity_word(d.severity)}: {one_line(d.message)}\n"
        for _, d in findings(results)
    ]
    if summary:
        lines += [line + "\n" for line in summary_lines(results, settings=settings, fail_levels=fail_levels, errors=errors)]
    return "".join(lines)
