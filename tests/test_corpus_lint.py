"""The corpus against its reviewed expectations (corpus/expected.json).

Broken files must produce every required finding on the documented line;
clean files and payloads must produce nothing at warning level or above
beyond what the expectations allow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innoscript.lint import Settings, Severity, lint_source
from innoscript.source import Source

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["files"]


def settings_for(entry) -> Settings:
    context = entry["context"]
    return Settings(target_version=context["target_version"], mode=context["mode"], model=context.get("model"))


def lint_entry(entry):
    path = CORPUS / entry["path"]
    return lint_source(Source.from_bytes(path.read_bytes(), str(path)), settings_for(entry))


@pytest.mark.parametrize("entry", [e for e in EXPECTED if e["expect"]], ids=lambda e: e["path"])
def test_broken_files_report_every_required_finding(entry):
    found = {(d.code, d.span.line) for d in lint_entry(entry)}
    missing = []
    for expect in entry["expect"]:
        if not expect["required"]:
            continue
        lines = [expect["line"], *expect.get("also_at", [])]
        if not any((expect["code"], line) in found for line in lines):
            missing.append(f"{expect['code']} at line {expect['line']}")
    assert not missing, f"missing: {missing}; found: {sorted(found)}"


@pytest.mark.parametrize("entry", [e for e in EXPECTED if e["kind"] != "broken"], ids=lambda e: e["path"])
def test_clean_files_stay_clean(entry):
    allowed = {(a["code"], a["line"]) for a in entry["allowed"]}
    unexpected = [
        f"{d.code}:{d.span.line} {d.message}"
        for d in lint_entry(entry)
        if d.severity >= Severity.WARNING and (d.code, d.span.line) not in allowed
    ]
    assert not unexpected


def test_every_catalogue_rule_is_exercised_by_the_corpus():
    required = {e["code"] for entry in EXPECTED for e in entry["expect"] if e["required"]}
    # UPD-018 speaks through UPD-017's message while UPD-017 runs (one finding per cause);
    # tests/test_rules_arguments.py covers it on its own.
    catalogue = {f"UPD-{n:03d}" for n in [*range(1, 10), *range(10, 18), 19, *range(20, 29), *range(30, 36), 37,
                                          *range(40, 51), *range(51, 60), 60, 61, 62, 65, 66, 67, *range(70, 77)]}
    assert catalogue - required == set()
