"""The facts every rule needs, computed once per script."""

# No `from __future__ import annotations`: the NamedTuples' field types stay
# objects (string annotations cost a compile() each when the class is made,
# which `innolint` pays at every start).

from functools import cached_property, lru_cache
from typing import Callable, Iterator, NamedTuple, TypeVar

from .. import catalog
from ..source import Span
from ..syntax import ast
from .diagnostic import Edit, Fix, Related, Severity
from .settings import Settings

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
        return [line for line in self.script.lines if isinstance(line, ast.Command)]

    def lines(self, *types: type[L]) -> Iterator[L]:
        """Lines of the given node types, in order (indexed once per set of types)."""
        found = self._lines_by_types.get(types)
        if found is None:
            found = self._lines_by_types[types] = [line for line in self.script.lines if isinstance(line, types)]
        return iter(found)

    def shared(self, fact: Callable[["LintContext"], T]) -> T:
        """``fact(self)``, computed once per script for all rules that ask."""
        if fact not in self._shared:
            self._shared[fact] = fact(self)
        return self._shared[fact]

    def fact(self, fact: Callable[["LintContext", L], T], line: L) -> T:
        """``fact(self, line)``, computed once per line for all rules that ask."""
        key = (fact, line.number)
        if key not in self._per_line:
            self._per_line[key] = fact(self, line)
        return self._per_line[key]

    def after(self, line: ast.Line) -> list[ast.Command]:
        """Effective lines after ``line``."""
        return [c for c in self.commands if c.number > line.number]

    def before(self, line: ast.Line) -> list[ast.Command]:
        return [c for c in self.commands if c.number < line.number]

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
        return Finding(span, message, fix, related, unnecessary, severity)

    def related(self, span: Span, message: str) -> Related:
        return Related(span, message)

    def replace(self, span: Span, text: str, message: str, *, safe: bool = True) -> Fix:
        return Fix(message, (Edit(span, text),), safe)

    def insert_line_after(self, line: ast.Line, text: str, message: str, *, safe: bool = True) -> Fix:
        """A fix that adds ``text`` as a new line after ``line`` (line ending kept)."""
        end = line.span.end + len(line.newline)
        position = self.source.span(end, end)
        newline = line.newline or self.script.newline
        insert = text + newline if line.newline else newline + text
        return Fix(message, (Edit(position, insert),), safe)

    def insert_line_before(self, line: ast.Line, text: str, message: str, *, safe: bool = True) -> Fix:
        position = self.source.span(line.span.start, line.span.start)
        return Fix(message, (Edit(position, text + (line.newline or self.script.newline)),), safe)

    def delete_line(self, line: ast.Line, message: str, *, safe: bool = True) -> Fix:
        start, end = line.span.start, line.span.end + len(line.newline)
        text = self.source.text
        if start and text[start - 1] == "\r" and text[end : end + 1] == "\n" and line.newline.endswith("\n"):
            # The line before ends in a lone CR and the next one starts with
            # LF: cut out, the two would join into one CRLF and the next line
            # would vanish.  Cut that CR instead of this line's LF; the line
            # before then ends as this one did.
            start, end = start - 1, end - 1
        return Fix(message, (Edit(self.source.span(start, end), ""),), safe)
