"""What linting one file produced: the unit every output format renders."""

# No `from __future__ import annotations`: the NamedTuples' field types stay
# objects (string annotations cost a compile() each when the class is made,
# which `innolint` pays at every start).

from typing import NamedTuple

from ..source import Source
from .diagnostic import Diagnostic, Severity


class FileResult(NamedTuple):
    """One linted file.

    ``source`` is the text the diagnostics point into: after ``--fix`` it is
    the fixed text, so positions stay right.  ``original`` is the text as read
    when fixes changed it (for ``--diff``), else None.
    """

    path: str
    source: Source
    diagnostics: tuple[Diagnostic, ...]
    fixed: bool = False  # fixes were applied (written back or shown as a diff)
    fixes_applied: int = 0
    original: Source | None = None
    from_cache: bool = False

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def failing(self, fail_level: Severity) -> tuple[Diagnostic, ...]:
        """Diagnostics at or above the fail level."""
        return tuple(d for d in self.diagnostics if d.severity >= fail_level)
