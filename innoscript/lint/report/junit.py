"""`junit`: JUnit XML for CI systems that show test reports.

One `testsuite` named innolint, one `testcase` per file (a clean file is a
passing test), one `failure` per finding.  `failures` counts the failing
test cases (files).  Characters XML 1.0 cannot carry (control characters
quoted from a broken script) are written as `\\xNN`.
"""

from __future__ import annotations

from collections.abc import Sequence
import re
import xml.etree.ElementTree as ET

from ..result import FileResult
from .common import rule_docs, severity_word

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    failing = sum(1 for result in results if result.diagnostics)
    suite = ET.Element(
        "testsuite",
        {"name": "innolint", "tests": str(len(results)), "failures": str(failing), "errors": "0", "skipped": "0"},
    )
    for result in results:
        case = ET.SubElement(suite, "testcase", {"classname": "innolint", "name": xml_text(result.path)})
        for d in result.diagnostics:
            failure = ET.SubElement(
                case,
                "failure",
                {"message": xml_text(f"{d.code} {d.message}"), "type": severity_word(d.severity)},
            )
            lines = [f"{d.path}:{d.span.line}:{d.span.col}: {d.code} [{d.name}] {d.message}"]
            for related in d.related:
                lines.append(f"{related.path or d.path}:{related.span.line}:{related.span.col}: related: {related.message}")
            docs = rule_docs(d.code)
            if docs:
                lines.append(f"docs: {docs}")
            failure.text = xml_text("\n".join(lines))
    root = ET.Element("testsuites", {"name": "innolint", "tests": str(len(results)), "failures": str(failing)})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
