"""The facts every rule needs, computed once per script."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from functools import cached_property, lru_cache
from operator import attrgetter

from .. import catalog
from ..records import NamedTuple
from ..source import Span
from ..syntax import ast
from .diagnostic import Edit, Fix, Related, Severity
from .settings import Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import TypeVar

    L = TypeVar("L", bound=ast.Line)
    T = TypeVar("T")


class Finding(NamedTuple):
    span: Span
    message: str
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    unnecessary: bool = False
    # A rule whose catalogue entry names two severities (UPD-024: W, but I
    # when only a backup precedes) gives the milder one per finding; a
    # severity the user configured for the rule still wins.
    severity: Severity | None = None


_number = attrgetter("number")


@lru_cache(maxsize=None)
def _version_index(version: str) -> int:
    """catalog.version_index, once per version word: line rules ask it on every line."""
    return catalog.version_index(version)


class LintContext:
    """A script with its settings: the "device context" rules share."""

    def __init__(self, script: ast.Script, settings: Settings) -> None:
        self.script = script
        self.source = script.source
        self.settings = settings
        self._lines_by_types: dict[tuple[type, ...], list[ast.Line]] = {}
        self._shared: dict = {}
        self._per_line: dict = {}
        # Set by the engine: the rules that run (code -> Rule), and after the
        # suppressions stage what the directives dropped (suppress.Suppressed).
        self.active_rules: dict = {}
        self.suppressions = None

    # -- settings, resolved

    @cached_property
    def model(self) -> catalog.Model | None:
        """The device model: from the settings, else from `update-<model>.htm`."""
        if self.settings.model:
            return catalog.find_model(self.settings.model)
        return catalog.model_from_filename(self.script.path)

    @cached_property
    def version(self) -> int:
        return catalog.version_index(self.settings.target_version)

    def target_before(self, version: str) -> bool:
        return self.version < _version_index(version)

    def target_at_least(self, version: str) -> bool:
        return self.version >= _version_index(version)

    @property
    def payload(self) -> bool:
        """Linting a file that `mod cmd UP0 cfg` loads."""
        return self.settings.mode == "cfg-payload"

    # -- the script, indexed

    @cached_property
    def commands(self) -> list[ast.Command]:
        """The effective lines (what the device executes), in order."""
        return self.script.lines_of(ast.Command)

    def lines(self, *types: type[L]) -> Iterator[L]:
        """Lines of the given node types, in order (indexed once per set of types)."""
        found = self._lines_by_types.get(types)
        if found is None:
            found = self._lines_by_types[types] = self.script.lines_of(*types)
        return iter(found)

    def shared(self, fact: Callable[["LintContext"], T]) -> T:
        """``fact(self)``, computed once per script for all rules that ask."""
        if fact not in self._shared:
            self._shared[fact] = fact(self)
        return self._shared[fact]

    def fact(self, fact: Callable[["LintContext", L], T], line: L) -> T:
        """``fact(self, line)``, computed once per line for all rules that ask."""
        key = (fact, id(line))  # a line rule's line is a parse shared by equal lines
        if key not in self._per_line:
            self._per_line[key] = fact(self, line)
        return self._per_line[key]

    def after(self, line: ast.Line) -> list[ast.Command]:
        """Effective lines after ``line``."""
        # The commands are in line order: a binary search, not a walk over all of them.
        return self.commands[bisect_right(self.commands, line.number, key=_number):]

    def before(self, line: ast.Line) -> list[ast.Command]:
        return self.commands[:bisect_left(self.commands, line.number, key=_number)]

    # -- making findings

    def finding(
        self,
        span: Span,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
        unnecessary: bool = False,
        severity: Severity | None = None,
    ) -> Finding:
        return tuple.__new__(Finding, (span, message, fix, related, unnecessary, severity))  # one call less per finding

    def related(self, span: Span, message: str) -> Related:
        return Related(span, message)

    def replace(self, span: Span, text: str, message: str, *, safe: bool = True) -> Fix:
        return Fix(message, (Edit(span, text),), safe)

    def insert_line_after(self, line: ast.Line, text: str, message: str, *, safe: bool = True) -> Fix:
        """A fix that adds ``text`` as a new line after ``line`` (line ending kept)."""
        end = line.offset + len(line.text) + len(line.newline)
        if line.newline:
            position = Span(end, end, line.number + 1, 1, line.number + 1, 1)
            insert = text + line.newline
        else:
            position = Span(end, end, line.number, len(line.text) + 1, line.number, len(line.text) + 1)
            insert = self.script.newline + text
        return Fix(message, (Edit(position, insert),), safe)

    def insert_line_before(self, line: ast.Line, text: str, message: str, *, safe: bool = True) -> Fix:
        position = Span(line.offset, line.offset, line.number, 1, line.number, 1)
        return Fix(message, (Edit(position, text + (line.newline or self.script.newline)),), safe)

    def delete_line(self, line: ast.Line, message: str, *, safe: bool = True) -> Fix:
        start, end = line.offset, line.offset + len(line.text) + len(line.newline)
        number = line.number
        span = Span(start, end, number, 1, number + 1 if line.newline else number,
                    1 if line.newline else len(line.text) + 1)
        if line.number != 1 or line.offset != 0:
            span = keep_line_breaks(self.source, span)
        # (a line rule's line stands at line 1, offset 0: the engine does it where the line stands)
        return Fix(message, (Edit(span, ""),), safe)


def keep_line_breaks(source, span: Span) -> Span:
    """A deletion of ``span`` that never joins a lone CR before it and an LF after it.

    Cut out, the two would join into one CRLF and the line after would
    vanish: cut that CR instead of the deletion's own line ending (LF or
    CRLF, kept whole: an editor cannot place an edit inside a CRLF); the
    line before then ends as the deleted one did.
    """
    start, end, text = span.start, span.end, source.text
    if start and end > start and text[start - 1] == "\r" and text[end : end + 1] == "\n" and text[end - 1] == "\n":
        ending = 2 if end - 2 >= start and text[end - 2] == "\r" else 1
        return source.span(start - 1, end - ending)
    return span
