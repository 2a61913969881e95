"""What the linter produces: diagnostics with fixes as data."""

from __future__ import annotations

from enum import IntEnum

from ..records import NamedTuple
from ..source import Span


class Severity(IntEnum):
    """Ordered: a fail level admits everything at or above it."""

    INFO = 1
    HINT = 2
    WARNING = 3
    ERROR = 4

    @property
    def letter(self) -> str:
        return self.name[0]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """`error`, `E`, `warning`, `W`, `hint`, `H`, `info`, `I` (any case)."""
        found = _SEVERITY_WORDS.get(text.strip().upper())
        if found is not None:
            return found
        raise ValueError(f"unknown severity {text!r} (use error, warning, hint or info)")


# What Severity.parse reads: each name and its first letter (a dict: every rule's
# severity is parsed when the rules load, at every start).
_SEVERITY_WORDS = {word: severity for severity in Severity for word in (severity.name, severity.name[0])}


class Edit(NamedTuple):
    """Replace the text of ``span`` with ``text`` (an insertion when empty)."""

    span: Span
    text: str


class Fix(NamedTuple):
    message: str
    edits: tuple[Edit, ...]
    safe: bool  # safe: never changes what the author meant; unsafe: review it
    encoding: str | None = None  # write the file in this encoding (a UTF-16 script saved as UTF-8)


class Related(NamedTuple):
    """Another place that explains a finding (the earlier `check`, ...)."""

    span: Span
    message: str
    path: str | None = None  # None: the same file


class Diagnostic(NamedTuple):
    code: str  # "UPD-025"
    name: str  # "download-without-initial"
    severity: Severity
    message: str
    path: str
    span: Span
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    unnecessary: bool = False  # unreachable code: editors grey it out

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.span.start, self.span.end, self.code)
