"""Baselines: accept today's findings, report only new ones.

A finding is recorded as (file, rule code, the content of its line), with a
count for identical ones.  Line numbers are left out on purpose: adding a
line above an old finding must not make it new.  The file paths are relative
to the baseline file's folder, so the baseline can be committed and used
from any working folder.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Iterable

from .. import jsontext
from .result import FileResult

VERSION = 1

Key = tuple[str, str, str]  # (path relative to the baseline, code, stripped line text)


class BaselineError(Exception):
    """A baseline file that cannot be read or written."""


def _relative(path: str, base_dir: str) -> str:
    if path.startswith("<") or path == "-":
        return path
    return os.path.relpath(os.path.abspath(path), base_dir).replace(os.sep, "/")


def _line_text(result: FileResult, line: int) -> str:
    lines = result.source.lines
    return lines[line - 1].text.strip() if 1 <= line <= len(lines) else ""


def keys(result: FileResult, base_dir: str) -> list[Key]:
    """The baseline key of each of the result's diagnostics, in order."""
    path = _relative(result.path, base_dir)
    return [(path, d.code, _line_text(result, d.span.line)) for d in result.diagnostics]


def build(results: Iterable[FileResult], base_dir: str) -> Counter:
    counts: Counter = Counter()
    for result in results:
        counts.update(keys(result, base_dir))
    return counts


def write(path: str, results: Iterable[FileResult]) -> int:
    """Record every finding of ``results`` in ``path``; the number recorded."""
    base_dir = os.path.dirname(os.path.abspath(path))
    counts = build(results, base_dir)
    entries = [
        {"path": p, "code": code, "line": text, "count": count}
        for (p, code, text), count in sorted(counts.items())
    ]
    data = {"innolint-baseline": VERSION, "findings": entries}
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            jsontext.write(data, handle.write)  # json.dump's text (indent 2), without its slow indenting path
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline ({exc.strerror or exc})") from None
    return sum(counts.values())


def read(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with --write-baseline)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a baseline file (bad JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("innolint-baseline") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not an innolint baseline (version {VERSION} expected)")
    counts: Counter = Counter()
    for index, entry in enumerate(data["findings"]):
        try:
            key = (str(entry["path"]), str(entry["code"]), str(entry["line"]))
            counts[key] += int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: findings[{index}] is malformed") from None
    return counts


def filter_new(results: list[FileResult], path: str) -> tuple[list[FileResult], int]:
    """Results without the findings the baseline at ``path`` accepts; and how many were dropped.

    Identical findings beyond the recorded count are new.
    """
    remaining = read(path)
    base_dir = os.path.dirname(os.path.abspath(path))
    out: list[FileResult] = []
    dropped = 0
    for result in results:
        kept = []
        for diagnostic, key in zip(result.diagnostics, keys(result, base_dir)):
            if remaining[key] > 0:
                remaining[key] -= 1
                dropped += 1
            else:
                kept.append(diagnostic)
        out.append(result._replace(diagnostics=tuple(kept)) if len(kept) != len(result.diagnostics) else result)
    return out, dropped
