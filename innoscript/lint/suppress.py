"""Inline suppressions from `# innolint: ...` directive comments."""

from __future__ import annotations

from ..syntax import ast
from .diagnostic import Diagnostic
from .settings import Settings


def apply_suppressions(script: ast.Script, diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """Drop suppressed diagnostics; report unused, unknown and reason-less suppressions."""
    return diagnostics
