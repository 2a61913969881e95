"""`json` and `json-lines`: findings as data.

`json` is one array of finding objects, `json-lines` one object per line.
The object's keys are documented in docs/formats.md and stay stable; new keys
may be added, none is removed or renamed.
"""

from __future__ import annotations

import json
from typing import Sequence

from ..result import FileResult
from ..diagnostic import Diagnostic
from .common import blocks, diagnostic_data, findings


def render(results: Sequence[FileResult], *, color: bool = False, settings=None) -> str:
    data = [diagnostic_data(d) for _, d in findings(results)]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def block_lines(diagnostics: Sequence[Diagnostic]) -> str:
    """One file's findings as JSON lines (a cache keeps this text: see report.BLOCK_FORMATS)."""
    return "".join(json.dumps(diagnostic_data(d), ensure_ascii=False, separators=(",", ":")) + "\n" for d in diagnostics)


def render_lines(results: Sequence[FileResult], *, settings=None) -> str:
    return "".join(blocks(results, "json-lines", block_lines))
