"""`sarif`: SARIF 2.1.0, the format code-scanning services read.

One run with tool.driver `innolint`.  ``rules`` lists the rules that have
results, by code, and each result points at its rule by ``ruleIndex``.
Columns are counted in UTF-16 code units (SARIF's default ``columnKind``,
stated explicitly), from 1; a region's ``endColumn`` is exclusive, as SARIF
defines it.  Artifact URIs are relative to the working directory with forward
slashes, or ``file:`` URIs for files outside it.  Fixes become ``fixes`` with
``artifactChanges``/``replacements``; an insertion is a replacement of an
empty region.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ... import __version__, jsontext
from ...source import Source, Span
from ..diagnostic import Diagnostic, Severity
from ..result import FileResult
from ..rule import GROUPS, section
from .common import findings, rule_for

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note", Severity.INFO: "note"}


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    pieces: list[str] = []
    write(results, pieces.append, settings=settings)
    return "".join(pieces)


def write(results: Sequence[FileResult], put: Callable[[str], object], *, settings=None) -> None:
    """The log's text handed to ``put``: each result is made as it is written and
    dropped, so a log of 100,000 findings never holds them all, as data or as text."""
    jsontext.write(sarif_log(results, settings=settings, lazy=True), put)
    put("\n")


def sarif_log(results: Sequence[FileResult], *, settings=None, cwd: str | None = None, lazy: bool = False) -> dict:
    """The SARIF log as data (``lazy``: its results as a ``jsontext.Items``, made when written)."""
    cwd = cwd if cwd is not None else os.getcwd()
    codes = sorted({d.code for _, d in findings(results)})
    index = {code: position for position, code in enumerate(codes)}
    examples = {}
    for _, d in findings(results):
        examples.setdefault(d.code, d)
    rules = [_descriptor(code, examples[code], settings) for code in codes]
    made = _results(results, index, cwd)
    sarif_results = jsontext.Items(made) if lazy else list(made)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "innolint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "columnKind": "utf16CodeUnits",
                "results": sarif_results,
            }
        ],
    }


def _descriptor(code: str, example: Diagnostic, settings) -> dict:
    rule = rule_for(code)
    if rule is None:  # a code no registered rule owns: describe it from the finding
        return {
            "id": code,
            "name": example.name,
            "shortDescription": {"text": example.name},
            "defaultConfiguration": {"level": LEVEL[example.severity]},
        }
    severity = rule.severity
    if settings is not None:
        severity = settings.severity.get(rule.code, severity)
    what = section(rule.doc, "What it does")
    full = " ".join(what.split()) if what and what.strip() else rule.summary
    tags = ["innolint", GROUPS.get(rule.group, rule.group)]
    if rule.fix:
        tags.append(f"fix: {rule.fix}")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        **({"helpUri": rule.url} if rule.url else {}),
        "help": {"text": f"{rule.doc.strip()}\n\n({rule.docs_command})", "markdown": rule.doc.strip()},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {"tags": tags},
    }


def _results(results: Sequence[FileResult], index: dict[str, int], cwd: str):
    """The result object of every finding, in order, made one at a time."""
    uris: dict[str, str] = {}  # path -> artifact URI: a file's findings share one

    def uri_of(path: str) -> str:
        uri = uris.get(path)
        if uri is None:
            uri = uris[path] = artifact_uri(path, cwd)
        return uri

    for result in results:
        diagnostics = result.diagnostics
        if diagnostics:
            columns = _Columns(result.source)
            for d in diagnostics:
                yield _result(d, columns, index[d.code], uri_of)


def _result(d: Diagnostic, columns: "_Columns", rule_index: int, uri_of: Callable[[str], str]) -> dict:
    uri = uri_of(d.path)
    result: dict = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [_location(uri, columns.region(d.span))],
    }
    if d.related:
        result["relatedLocations"] = [
            dict(
                _location(uri_of(r.path) if r.path else uri, columns.region(r.span) if not r.path else _plain_region(r.span)),
                id=number,
                message={"text": r.message},
            )
            for number, r in enumerate(d.related)
        ]
    if d.fix is not None and d.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": d.fix.message + ("" if d.fix.safe else " (unsafe: review it)")},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": uri},
                        "replacements": [
                            {"deletedRegion": columns.region(e.span), "insertedContent": {"text": e.text}}
                            for e in d.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def _location(uri: str, physical_region: dict) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": physical_region}}


def region(source: Source, span: Span) -> dict:
    """A SARIF region: 1-based lines, 1-based UTF-16 columns, end exclusive."""
    return _Columns(source).region(span)


class _Columns:
    """One file's columns in UTF-16 code units, from 1.

    A line of ASCII text counts one unit a character (the common case): a
    file that is all ASCII is asked once, another file once per line.  Any
    other line's units are counted once, into a table of the units before
    each character: a long line with thousands of findings is not counted
    again for each of them.
    """

    __slots__ = ("source", "count", "ascii", "lines")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.count = len(source.lines)
        self.ascii = source.text.isascii()
        self.lines: dict[int, list[int] | None] = {}  # line number -> its units table, None for ASCII

    def region(self, span: Span) -> dict:
        return {
            "startLine": span.line,
            "startColumn": self.column(span.line, span.col),
            "endLine": span.end_line,
            "endColumn": self.column(span.end_line, span.end_col),
        }

    def column(self, line: int, col: int) -> int:
        if not 1 <= line <= self.count:
            return self.source.utf16_col(line, col) + 1
        if self.ascii:
            return col
        if line in self.lines:
            units = self.lines[line]
        else:
            units = self.lines[line] = _units(self.source.lines[line - 1].text)
        if units is None:
            return col
        # As Source.utf16_col counts them: the units of the characters before the column, clamped to the line.
        return units[min(max(col - 1, 0), len(units) - 1)] + 1


def _units(text: str) -> list[int] | None:
    """UTF-16 units before each character of ``text`` and at its end; None for ASCII (one unit each)."""
    if text.isascii():
        return None
    units = [0]
    count = 0
    for ch in text:
        count += 2 if ord(ch) > 0xFFFF else 1
        units.append(count)
    return units


def _plain_region(span: Span) -> dict:
    # Another file's text is not at hand: its columns are given as characters.
    return {"startLine": span.line, "startColumn": span.col, "endLine": span.end_line, "endColumn": span.end_col}


def artifact_uri(path: str, cwd: str) -> str:
    """Relative URI with forward slashes when under ``cwd``, else a file: URI."""
    if path.startswith("<") and path.endswith(">"):  # <stdin>, <string>
        return quote(path)
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            relative = candidate.relative_to(cwd)
        except ValueError:
            return candidate.as_uri()
        return quote(PurePosixPath(*relative.parts).as_posix())
    return quote(path.replace("\\", "/"))
