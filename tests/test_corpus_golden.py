"""The full innolint output for every corpus file, against a reviewed copy.

tests/golden/corpus/<path>.txt holds the `full` output (no colour) for each
file of corpus/expected.json in its context.  A change in any rule's message,
position or fix shows here as a diff to review; `INNOSCRIPT_UPDATE_GOLDEN=1`
rewrites the files after review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from innoscript.lint import Settings, lint_source
from innoscript.lint.report import render
from innoscript.lint.result import FileResult
from innoscript.source import Source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden" / "corpus"
ENTRIES = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["path"])
def test_full_output_matches_reviewed_copy(entry):
    context = entry["context"]
    settings = Settings(target_version=context["target_version"], mode=context["mode"], model=context.get("model"))
    relative = f"corpus/{entry['path']}"
    source = Source.from_bytes((ROOT / relative).read_bytes(), relative)
    result = FileResult(relative, source, tuple(lint_source(source, settings)))
    output = render("full", [result], color=False, settings=settings)
    golden = GOLDEN / (entry["path"] + ".txt")
    if os.environ.get("INNOSCRIPT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"no reviewed output for {relative}: run with INNOSCRIPT_UPDATE_GOLDEN=1 and review it"
    assert output == golden.read_bytes().decode("utf-8")
