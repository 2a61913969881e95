"""Output formats: one module per format, each a pure function of the results.

Every format module has ``render(results, *, color, settings) -> str``; one
that can hand its report over in pieces also has ``write(results, put, *,
settings)`` (the CLI streams it, see ``write`` below).
Formats are imported on first use, so `innolint` pays only for the one it
prints.  The CLI decides about colour (``--color``, ``NO_COLOR``,
``FORCE_COLOR``, a terminal) and passes ``color=``; only ``full`` uses it.

The text formats (``TEXT_FORMATS``) name each finding's severity and end with
a summary: the count per severity and what decided the exit status, from
``fail_levels`` (one per result) and ``errors`` (inputs that could not be
read); ``summary=False`` (``--quiet``) leaves it out.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from ..result import FileResult

# format name -> (module, one-line description)
FORMATS: dict[str, tuple[str, str]] = {
    "full": ("full", "source excerpt, caret, fix diff, docs link and a summary (terminal default)"),
    "concise": ("concise", "one line per finding: file:line:col: CODE message"),
    "gcc": ("gcc", "compiler style: file:line:col: error|warning|note: message [CODE]"),
    "json": ("json", "a JSON array of finding objects (schema in docs/formats.md)"),
    "json-lines": ("json", "one JSON finding object per line"),
    "github": ("github", "GitHub Actions workflow commands (annotations)"),
    "junit": ("junit", "JUnit XML: one test case per file, one failure per finding"),
    "sarif": ("sarif", "SARIF 2.1.0 for code scanning"),
}

TEXT_FORMATS = ("full", "concise", "gcc")

# Formats printed file by file: the module's ``block(diagnostics)`` is one
# file's findings, and the whole text is those blocks (and the summary).  The
# cache keeps each file's block, so a warm run prints without building a
# single Diagnostic (FileResult.printed), and a pool's workers print them.
# ``full`` shows the source lines, so its blocks read the file's text, and it
# has two: plain, and in colour (``printed_name``).  ``sarif`` keeps each
# file's results with what depends on the whole run (the rules' indexes, the
# URIs) put in when the log is written; its blocks read the text too (UTF-16
# columns), and a file it prints from the findings has no block (None).
# ``junit`` keeps a file's failures: its test case and the counts at the top
# are made from the file's name and tally.
# printed name -> (module, function)
BLOCK_FORMATS: dict[str, tuple[str, str]] = {
    "concise": ("concise", "block"),
    "gcc": ("gcc", "block"),
    "github": ("github", "block"),
    "json": ("json", "block"),
    "json-lines": ("json", "block_lines"),
    "full": ("full", "block"),
    "full-color": ("full", "block_color"),
    "sarif": ("sarif", "block"),
    "junit": ("junit", "block"),
}
_READS_SOURCE = frozenset({"full", "full-color", "sarif"})


def printed_name(format_name: str, color: bool = False) -> str:
    """The name a format's file blocks are kept under (``full`` in colour is ``full-color``)."""
    return "full-color" if format_name == "full" and color else format_name


def block(format_name: str, diagnostics: Sequence, source=None) -> str | bytes | None:
    """One file's ``diagnostics`` printed in a format of ``BLOCK_FORMATS`` (``source``: the file's
    text, which ``full`` shows; bytes for ``sarif``); None when the format prints this file from its
    findings at each run."""
    module_name, function = BLOCK_FORMATS[format_name]
    make = getattr(importlib.import_module(f"{__name__}.{module_name}"), function)
    return make(diagnostics, source) if format_name in _READS_SOURCE else make(diagnostics)


def render(format_name: str, results: Sequence[FileResult], *, color: bool = False, settings=None,
           summary: bool = True, fail_levels=None, errors: int = 0) -> str:
    """The text of ``results`` in the named format; ValueError for an unknown name."""
    pieces: list[str] = []
    write(format_name, results, pieces.append, color=color, settings=settings, summary=summary,
          fail_levels=fail_levels, errors=errors)
    return "".join(pieces)


def write(format_name: str, results: Sequence[FileResult], put: Callable[[str], object], *, color: bool = False,
          settings=None, summary: bool = True, fail_levels=None, errors: int = 0) -> None:
    """``render``'s text handed to ``put`` in pieces.

    A format module with a ``write(results, put, settings=)`` streams its
    report (a SARIF log an item at a time, a JSON array a file at a time),
    so a large one is never held whole; the others hand over their text.
    """
    try:
        module_name, _ = FORMATS[format_name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown output format {format_name!r} (use one of: {known})") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    if format_name == "json-lines":
        module.write_lines(list(results), put, settings=settings)
    elif format_name in TEXT_FORMATS:
        put(module.render(list(results), color=color, settings=settings, summary=summary,
                          fail_levels=fail_levels, errors=errors))
    elif hasattr(module, "write"):
        module.write(list(results), put, settings=settings)
    else:
        put(module.render(list(results), color=color, settings=settings))


__all__ = ["BLOCK_FORMATS", "FORMATS", "TEXT_FORMATS", "block", "printed_name", "render", "write"]
