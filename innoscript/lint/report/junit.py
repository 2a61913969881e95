"""`junit`: JUnit XML for CI systems that show test reports.

One `testsuite` named innolint, one `testcase` per file (a clean file is a
passing test), one `failure` per finding.  `failures` counts the failing
test cases (files).  Characters XML 1.0 cannot carry (control characters
quoted from a broken script) are written as `\\xNN`.

The document is laid out as ElementTree writes it after ``ET.indent`` (two
spaces a level, an element without children closed with ` />`), but written
as text, a file at a time: a file's failures are its block, which a cache
keeps printed (report.BLOCK_FORMATS), and the counts at the top come from
each file's tally, so a warm run builds no finding and a large report is
never held whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import re

from ..diagnostic import Diagnostic
from ..result import FileResult
from .common import rule_docs, severity_word

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                            "\t": "&#09;"})


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _attribute(text: str) -> str:
    """An attribute's value, quoted as ElementTree quotes it."""
    return xml_text(text).translate(_ATTRIBUTE)


def block(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's failures, as they stand inside its testcase (a cache keeps this text)."""
    return "".join([_failure(d) for d in diagnostics])


def _failure(d: Diagnostic) -> str:
    lines = [f"{d.path}:{d.span.line}:{d.span.col}: {d.code} [{d.name}] {d.message}"]
    for related in d.related:
        lines.append(f"{related.path or d.path}:{related.span.line}:{related.span.col}: related: {related.message}")
    docs = rule_docs(d.code)
    if docs:
        lines.append(f"docs: {docs}")
    text = xml_text("\n".join(lines)).translate(_TEXT)
    return (f'      <failure message="{_attribute(f"{d.code} {d.message}")}" type="{severity_word(d.severity)}">'
            f"{text}</failure>\n")


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    pieces: list[str] = []
    write(results, pieces.append)
    return "".join(pieces)


def write(results: Sequence[FileResult], put: Callable[[str], object], *, settings=None) -> None:
    """``render``'s text handed to ``put`` a file at a time."""
    found = [any(result.tally()[:4]) for result in results]  # the file has findings: a failing test case
    counts = f'name="innolint" tests="{len(results)}" failures="{sum(found)}"'
    put(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites {counts}>\n')
    suite = f'  <testsuite {counts} errors="0" skipped="0"'
    if not results:
        put(f"{suite} />\n</testsuites>\n")
        return
    put(f"{suite}>\n")
    for result, failing in zip(results, found):
        case = f'    <testcase classname="innolint" name="{_attribute(result.path)}"'
        if not failing:
            put(f"{case} />\n")
            continue
        text = result.printed("junit")
        put(f"{case}>\n{block(result.diagnostics) if text is None else text}    </testcase>\n")
    put("  </testsuite>\n</testsuites>\n")
