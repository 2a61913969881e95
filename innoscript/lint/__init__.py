"""The linter: rules over the AST, diagnostics with fixes as data."""

from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .engine import lint_script, lint_source, lint_text
from .settings import Settings

__all__ = ["Diagnostic", "Edit", "Fix", "Related", "Severity", "Settings", "lint_script", "lint_source", "lint_text"]
