"""`concise`: one line per finding, `file:line:col: CODE message`."""

from __future__ import annotations

from typing import Sequence

from ..result import FileResult
from .common import findings, one_line


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    return "".join(
        f"{d.path}:{d.span.line}:{d.span.col}: {d.code} {one_line(d.message)}\n" for _, d in findings(results)
    )
