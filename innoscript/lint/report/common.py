"""What several formats share: rule look-up, the JSON shape of a finding, counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from ...source import Span
from ..diagnostic import Diagnostic, Severity
from ..result import FileResult
from ..rule import Rule, find_rule


def findings(results: Sequence[FileResult]) -> Iterator[tuple[FileResult, Diagnostic]]:
    """Every diagnostic with its file, in the order given (files, then position)."""
    for result in results:
        for diagnostic in result.diagnostics:
            yield result, diagnostic


def blocks(results: Sequence[FileResult], format_name: str, block: Callable[[Sequence[Diagnostic]], str]) -> list[str]:
    """Each file's findings printed by ``block``, or as a cache hit already has them."""
    out = []
    for result in results:
        text = result.printed(format_name)
        out.append(block(result.diagnostics) if text is None else text)
    return out


def blocks_and_summary(results: Sequence[FileResult], format_name: str, block: Callable[[Sequence[Diagnostic]], str], *,
                       summary: bool = True, settings=None, fail_levels=None, errors: int = 0) -> str:
    """A line format's report: each file's block, then the summary lines when asked."""
    out = blocks(results, format_name, block)
    if summary:
        out += [line + "\n" for line in summary_lines(results, settings=settings, fail_levels=fail_levels, errors=errors)]
    return "".join(out)


@lru_cache(maxsize=512)
def rule_for(code: str) -> Rule | None:
    """The registered rule behind a code; None for codes no rule owns.

    Cached: rules register when their modules are imported, before any
    report is made, and a large report looks the same few codes up
    thousands of times.
    """
    return find_rule(code) if code else None


def rule_url(code: str) -> str | None:
    rule = rule_for(code)
    return rule.url if rule else None


def rule_docs(code: str) -> str | None:
    """Where a rule's documentation is: its web page, else the command that prints it."""
    rule = rule_for(code)
    if rule is None:
        return None
    return rule.url or rule.docs_command


_SEVERITY_NAMES = {severity: severity.name.lower() for severity in Severity}


def severity_word(severity: Severity) -> str:
    # A look-up: an enum member's ``name`` is a property, and a large report asks it per finding.
    return _SEVERITY_NAMES[severity]


_CONTROL = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}


def one_line(text: str) -> str:
    """Text for a line-based format: control characters as their pictures.

    A message that quotes a broken script must neither break the line
    (`file:line:col:` parsers) nor send control codes to a terminal.
    """
    return text.translate(_CONTROL) if not text.isprintable() else text


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def span_data(span: Span) -> dict:
    return {
        "start": span.start,
        "end": span.end,
        "line": span.line,
        "col": span.col,
        "end_line": span.end_line,
        "end_col": span.end_col,
    }


def diagnostic_data(diagnostic: Diagnostic) -> dict:
    """The stable JSON object of one finding (documented in docs/formats.md)."""
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": severity_word(diagnostic.severity),
        "message": diagnostic.message,
        "path": diagnostic.path,
        "span": span_data(diagnostic.span),
        "fix": None
        if fix is None
        else {
            "message": fix.message,
            "safe": fix.safe,
            "edits": [{"span": span_data(edit.span), "text": edit.text} for edit in fix.edits],
        },
        "related": [
            {"path": related.path or diagnostic.path, "span": span_data(related.span), "message": related.message}
            for related in diagnostic.related
        ],
        "unnecessary": diagnostic.unnecessary,
        "url": rule_url(diagnostic.code),
    }


class Counts:
    """Totals for a summary line (from each file's tally: a cache hit builds no diagnostics for it)."""

    def __init__(self, results: Sequence[FileResult]) -> None:
        self.files = len(results)
        totals = [0] * 6
        for result in results:
            for index, count in enumerate(result.tally()):
                totals[index] += count
        self.by_severity = {severity: totals[severity - 1] for severity in Severity}
        self.safe_fixes = totals[4]
        self.unsafe_fixes = totals[5]
        self.fixes_applied = sum(result.fixes_applied for result in results)

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    def severities_text(self) -> str:
        parts = []
        for severity in sorted(Severity, reverse=True):
            count = self.by_severity[severity]
            if count:
                word = severity_word(severity)
                # "info" is uncountable; the others take an s.
                parts.append(f"{count} {word}" if severity == Severity.INFO else plural(count, word))
        return ", ".join(parts)


def fail_level_word(levels: Sequence[Severity]) -> str:
    distinct = sorted(set(levels), reverse=True)
    if len(distinct) == 1:
        return f"the fail level ({severity_word(distinct[0])})"
    return "the fail level of each file (" + ", ".join(severity_word(level) for level in distinct) + ")"


def summary_lines(results: Sequence[FileResult], *, settings=None, fail_levels=None, errors: int = 0) -> list[str]:
    """The closing lines of a text format: counts per severity and why the exit status is what it is.

    ``fail_levels`` gives each result's fail level (files may have their own);
    without it the level of ``settings`` (or the default, warning) applies.
    ``errors`` counts errors reported on stderr (unreadable or missing
    inputs): they make the status 2.
    """
    counts = Counts(results)
    if fail_levels is None:
        level = settings.fail_level if settings is not None else Severity.WARNING
        fail_levels = [level] * len(results)
    failing = sum(result.failing_count(level) for result, level in zip(results, fail_levels))
    lines = []
    if not counts.files:
        lines.append("No files linted.")
    elif counts.total:
        lines.append(f"Found {plural(counts.total, 'problem')} in {plural(counts.files, 'file')} ({counts.severities_text()}).")
    else:
        lines.append(f"No problems found in {plural(counts.files, 'file')}.")
    levels = fail_level_word(fail_levels or [settings.fail_level if settings is not None else Severity.WARNING])
    if errors:
        lines.append(f"Exit status 2: {plural(errors, 'error')} reported on standard error.")
    elif failing:
        lines.append(f"Exit status 1: {plural(failing, 'problem')} at or above {levels}.")
    elif counts.total:
        lines.append(f"Exit status 0: no problem at or above {levels}.")
    return lines
