"""What linting one file produced: the unit every output format renders."""

from __future__ import annotations

from ..source import Source
from .diagnostic import Diagnostic, Severity

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Optional

# What ``FileResult.tally`` counts, in this order.
TALLY = ("info", "hint", "warning", "error", "safe fixes", "unsafe fixes")


def tally(diagnostics) -> tuple:
    """How many ``diagnostics`` there are per severity, and with safe and unsafe fixes (see ``TALLY``)."""
    counts = [0, 0, 0, 0, 0, 0]
    for d in diagnostics:
        counts[d.severity - 1] += 1
        if d.fix is not None:
            counts[4 if d.fix.safe else 5] += 1
    return tuple(counts)


class FileResult:
    """One linted file.

    ``source`` is the text the diagnostics point into: after ``--fix`` it is
    the fixed text, so positions stay right.  ``original`` is the text as read
    when fixes changed it (for ``--diff``), else None.

    A plain class rather than a NamedTuple so that a cache hit
    (cache.CachedResult) can build its diagnostics only when something asks
    for them: a report printed from the cache's stored rows never does.
    """

    __slots__ = ("path", "source", "_diagnostics", "fixed", "fixes_applied", "original", "from_cache")
    _fields = ("path", "source", "diagnostics", "fixed", "fixes_applied", "original", "from_cache")

    def __init__(self, path: str, source: Source, diagnostics: tuple, fixed: bool = False, fixes_applied: int = 0,
                 original: Optional[Source] = None, from_cache: bool = False) -> None:
        self.path = path
        self.source = source
        self._diagnostics = diagnostics
        self.fixed = fixed  # fixes were applied (written back or shown as a diff)
        self.fixes_applied = fixes_applied
        self.original = original
        self.from_cache = from_cache

    @property
    def diagnostics(self) -> "tuple[Diagnostic, ...]":
        return self._diagnostics

    def _replace(self, **changes) -> "FileResult":
        """A plain FileResult with some fields changed (as NamedTuple._replace)."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return FileResult(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileResult):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not immutable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"FileResult({fields})"

    def tally(self) -> tuple:
        """(info, hint, warning, error, safe fixes, unsafe fixes): what summaries and exit statuses count."""
        return tally(self.diagnostics)

    def count(self, severity: Severity) -> int:
        return self.tally()[severity - 1]

    def failing(self, fail_level: Severity) -> "tuple[Diagnostic, ...]":
        """Diagnostics at or above the fail level."""
        return tuple(d for d in self.diagnostics if d.severity >= fail_level)

    def failing_count(self, fail_level: Severity) -> int:
        """How many diagnostics are at or above the fail level (without building them from a cache)."""
        return sum(self.tally()[fail_level - 1 : 4])

    def printed(self, format_name: str) -> "Optional[str | bytes]":
        """This file's findings already printed in a format of report.BLOCK_FORMATS (as its
        ``block`` gives them: bytes for ``sarif``), or None: render them."""
        return None

