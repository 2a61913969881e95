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

from collections.abc import Callable, Iterable, Sequence
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote
import zlib

from ... import __version__, jsontext
from ...source import Source, Span
from ..diagnostic import Diagnostic, Severity
from ..result import FileResult
from ..rule import GROUPS, section
from .common import rule_for

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note", Severity.INFO: "note"}


# Each result is written this deep in the log (runs[0].results[i]).
RESULTS_DEPTH = 4
_ITEM = "\n" + "  " * RESULTS_DEPTH  # starts a result's line in the array
_END = "\n" + "  " * (RESULTS_DEPTH - 1) + "]"  # ends the array
# A file with more findings is printed from them on every run: its results
# kept as one text would be held whole (84 MB for 65,000 findings), where
# the log is otherwise made and written a result at a time.
MOST_KEPT = 2000


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    pieces: list[str] = []
    write(results, pieces.append, settings=settings)
    return "".join(pieces)


# -- a file's results kept printed
#
# ``block`` prints one file's results as the log has them, with what depends
# on the run rather than on the file left out (report.BLOCK_FORMATS: a cache
# keeps it, a pool's workers send it back).  It is bytes:
#
#     HEADER NUL zlib(BODY)
#
# HEADER names the file's codes in the order they first appear, each with the
# rule name and severity of that first finding (all a code no registered rule
# owns is described by), as CODE US NAME US SEVERITY joined by RS, in UTF-8.
# BODY is the results joined as the log's array joins them, with two kinds of
# field between NULs: a code where its rule index goes, and an empty one
# where the file's URI goes (relative to the working directory: another run
# may have another).  JSON text holds no raw control character, so the NULs
# are unambiguous.  The body is compressed (zlib's fastest level): SARIF's
# layout repeats itself, and 2,000 files' results are 90 MB of text, 7 MB
# compressed, a cache's to keep and a pool's to send.

_FIELD = "\x00"
_HEADER_ITEM, _HEADER_FIELD = "\x1e", "\x1f"
_SEVERITY_NUMBERS = frozenset(str(int(level)) for level in Severity)
# Placeholders as jsontext prints them: a quote followed by `: ` ends a key and
# never a string inside one, so each of these is the real key with its placeholder.
_INDEX_MARK = '"ruleIndex": "\\u0000"'
_URI_MARK = '"uri": "\\u0000"'


def block(diagnostics: Sequence[Diagnostic], source: Source) -> bytes | None:
    """One file's results kept printed (the layout above); None when the file is to be
    printed from its findings: very many of them, or a place in another file."""
    if len(diagnostics) > MOST_KEPT:
        return None
    if not diagnostics:
        return b""
    path = source.path
    firsts: dict[str, str] = {}
    for d in diagnostics:
        if d.path != path or any(r.path for r in d.related):
            return None  # another file's URI is not the file's own: printed from the findings
        if d.code not in firsts:
            if not (d.code and d.code.isprintable() and d.name.isprintable()):
                return None
            firsts[d.code] = f"{d.code}{_HEADER_FIELD}{d.name}{_HEADER_FIELD}{int(d.severity)}"
    columns = _Columns(source)
    own = lambda _: _FIELD  # noqa: E731 - every URI of the file: the placeholder
    uri_field = '"uri": ' + _FIELD + _FIELD
    items = []
    for d in diagnostics:
        text = jsontext.dumps(_result(d, columns, _FIELD, own), RESULTS_DEPTH)
        text = text.replace(_INDEX_MARK, f'"ruleIndex": {_FIELD}{d.code}{_FIELD}', 1)
        items.append(text.replace(_URI_MARK, uri_field))
    body = ("," + _ITEM).join(items).encode("utf-8", "surrogatepass")
    return _HEADER_ITEM.join(firsts.values()).encode("utf-8") + b"\x00" + zlib.compress(body, 1)


def _kept_codes(kept: bytes) -> list[list[str]]:
    """[code, rule name, severity number] of each code a kept block names; ValueError for anything else."""
    named = [entry.split(_HEADER_FIELD) for entry in kept[: kept.index(b"\x00")].decode("utf-8").split(_HEADER_ITEM)]
    if any(len(entry) != 3 or entry[2] not in _SEVERITY_NUMBERS for entry in named):
        raise ValueError("not a kept block")
    return named


def _filled(kept: bytes, fields: dict[str, str]) -> str:
    """A kept block's results as this run prints them: ``fields`` maps each code to its rule
    index and "" to the file's URI (as JSON text)."""
    body = zlib.decompress(kept[kept.index(b"\x00") + 1 :]).decode("utf-8", "surrogatepass")
    parts = body.split(_FIELD)
    parts[1::2] = [fields[field] for field in parts[1::2]]
    return "".join(parts)


# -- the log


def write(results: Sequence[FileResult], put: Callable[[str], object], *, settings=None, cwd: str | None = None) -> None:
    """The log's text handed to ``put``: each result (or a file's kept results) as it is made,
    then dropped, so a log of 100,000 findings is never held whole, as data or as text."""
    cwd = cwd if cwd is not None else os.getcwd()
    examples: dict[str, tuple[str, Severity]] = {}  # code -> rule name and severity of its first finding
    kept: list[bytes | None] = []  # per result: its kept block, None to print it from its findings
    for result in results:
        printed = result.printed("sarif")
        named: Iterable = ()
        if type(printed) is not bytes:
            printed = None
        elif printed:
            try:
                named = _kept_codes(printed)
            except (ValueError, UnicodeDecodeError):
                printed = None  # not a block after all: printed from the findings
        if printed is None:
            named = ((d.code, d.name, d.severity) for d in result.diagnostics)
        kept.append(printed)
        for code, name, severity in named:
            if code not in examples:
                examples[code] = (name, Severity(int(severity)))
    codes = sorted(examples)
    index = {code: position for position, code in enumerate(codes)}
    fields = {code: str(position) for code, position in index.items()}
    rules = [_descriptor(code, *examples[code], settings) for code in codes]
    head, _, tail = jsontext.dumps(_frame(rules, _FIELD)).partition('"results": "\\u0000"')
    put(head + '"results": ')
    uris: dict[str, str] = {}  # path -> artifact URI: a file's findings share one

    def uri_of(path: str) -> str:
        uri = uris.get(path)
        if uri is None:
            uri = uris[path] = artifact_uri(path, cwd)
        return uri

    separator = "[" + _ITEM
    for result, printed in zip(results, kept):
        if printed:
            fields[""] = jsontext.dumps(uri_of(result.path))
            try:
                text = _filled(printed, fields)
            except (zlib.error, UnicodeDecodeError, KeyError):
                printed = None  # a damaged block: printed from the findings
            else:
                put(separator + text)
                separator = "," + _ITEM
        if printed is None:
            diagnostics = result.diagnostics
            if diagnostics:
                columns = _Columns(result.source)
                for d in diagnostics:
                    # A code the rules list lacks (a kept block that named others, then did not
                    # read back): the result names its rule by id alone, as SARIF allows.
                    put(separator + jsontext.dumps(_result(d, columns, index.get(d.code), uri_of), RESULTS_DEPTH))
                    separator = "," + _ITEM
    put(("[]" if separator[0] == "[" else _END) + tail + "\n")


def _frame(rules: list, results) -> dict:
    """The log around its results."""
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
                "results": results,
            }
        ],
    }


def _descriptor(code: str, name: str, severity: Severity, settings) -> dict:
    """The rule descriptor of ``code``; ``name`` and ``severity`` are its first finding's (all a
    code no registered rule owns is described by)."""
    rule = rule_for(code)
    if rule is None:
        return {
            "id": code,
            "name": name,
            "shortDescription": {"text": name},
            "defaultConfiguration": {"level": LEVEL[severity]},
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


def _result(d: Diagnostic, columns: "_Columns", rule_index: int | str | None, uri_of: Callable[[str], str]) -> dict:
    uri = uri_of(d.path)
    result: dict = {"ruleId": d.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = LEVEL[d.severity]
    result["message"] = {"text": d.message}
    result["locations"] = [_location(uri, columns.region(d.span))]
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
