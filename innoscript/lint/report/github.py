"""`github`: GitHub Actions workflow commands, shown as annotations on the diff.

    ::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE name::message

Escaping follows GitHub's toolkit: in the message `%`, CR and LF become
`%25`, `%0D`, `%0A`; in property values also `:` and `,` (`%3A`, `%2C`).
Hints and infos are `notice`s.  GitHub takes the columns as 1-based and
inclusive and uses them only on one-line spans, so `col`/`endColumn` are
given only when the span starts and ends on the same line.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostic import Diagnostic, Severity
from ..result import FileResult
from .common import blocks

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "notice", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings (a cache keeps this text: see report.BLOCK_FORMATS)."""
    out: list[str] = []
    for d in diagnostics:
        span = d.span
        properties = [("file", d.path.replace("\\", "/")), ("line", str(span.line))]
        if span.end_line == span.line:
            properties += [
                ("col", str(span.col)),
                ("endLine", str(span.end_line)),
                ("endColumn", str(max(span.end_col - 1, span.col))),
            ]
        else:
            properties.append(("endLine", str(span.end_line)))
        properties.append(("title", f"{d.code} {d.name}"))
        props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        out.append(f"::{COMMAND[d.severity]} {props}::{escape_data(d.message)}\n")
    return "".join(out)


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    return "".join(blocks(results, "github", block))
