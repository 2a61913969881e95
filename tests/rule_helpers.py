"""Catches / catches-not helpers shared by the rule tests: lint a snippet
with one rule selected and look at that rule's findings."""

from __future__ import annotations

from innoscript.lint import Settings, lint_script
from innoscript.lint.fixes import apply_edits
from innoscript.source import Source
from innoscript.syntax import parse


def findings(code: str, text: str | bytes, path: str = "update-example.htm", **settings):
    source = Source.from_bytes(text, path) if isinstance(text, bytes) else Source(text, path)
    return [d for d in lint_script(parse(source), Settings(select=(code,), **settings)) if d.code == code]


def lines(code: str, text: str | bytes, **settings) -> list[int]:
    return [d.span.line for d in findings(code, text, **settings)]


def hits(code: str, text: str | bytes, **settings) -> list[tuple[int, int]]:
    return [(d.span.line, d.span.col) for d in findings(code, text, **settings)]


def fixed(code: str, text: str, **settings) -> str:
    """The text after applying the first finding's fix (safe or not)."""
    found = findings(code, text, **settings)
    assert found and found[0].fix is not None
    return apply_edits(text, found[0].fix.edits)
