"""The facts every rule needs, computed once per script."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, lru_cache

from .. import catalog
from ..records import NamedTuple
from ..source import Cols, Span
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


_new_tuple = tuple.__new__  # a record without its NamedTuple __new__ (one call less; rules make many)
_UNKNOWN = object()  # not computed yet (a fact may be None)


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

    def numbers(self, *types: type) -> Sequence[int]:
        """Numbers of the lines of these node types, in order, none of them placed.

        For rules that read many lines and report few: ``shape(number)`` says
        what a line is; ``at(number, ...)``, ``span(number)`` and
        ``line(number)`` where it stands.
        The list is the script's own: read it, do not change it.
        """
        return self.script.numbers_of(*types)

    def shape(self, number: int) -> ast.Line:
        """The parse of line ``number``: what the line says, not where it stands.

        The parser shares one parse per line text, made at line 1, offset 0:
        read its words and values, never its ``number``, ``offset``, ``span``
        or ``at``; ``line(number)`` is the line placed.
        """
        return self.script.shapes[number - 1]

    def line(self, number: int) -> ast.Line:
        """Line ``number`` placed where it stands (the same node ``lines`` gives)."""
        return self.script.line(number)

    def at(self, number: int, where) -> Span:
        """``line(number).at(where)``, without placing the line: ``where`` is ``Cols`` or has a ``span`` of them."""
        start, end = where if where.__class__ is Cols else where.span
        offset = self._starts[number - 1]
        return _new_tuple(Span, (offset + start, offset + end, number, start + 1, number, end + 1))

    def span(self, number: int) -> Span:
        """``line(number).span`` (the line's text, without its ending), without placing the line."""
        offset, length = self._starts[number - 1], len(self.script.shapes[number - 1].text)
        return _new_tuple(Span, (offset, offset + length, number, 1, number, length + 1))

    @cached_property
    def _starts(self) -> Sequence[int]:
        return self.source.lines.starts

    def shared(self, fact: Callable[["LintContext"], T]) -> T:
        """``fact(self)``, computed once per script for all rules that ask."""
        if fact not in self._shared:
            self._shared[fact] = fact(self)
        return self._shared[fact]

    def fact(self, fact: Callable[["LintContext", L], T], line: L) -> T:
        """``fact(self, line)``, computed once per line for all rules that ask."""
        key = (fact, id(line))  # a line rule's line is a parse shared by equal lines
        known = self._per_line.get(key, _UNKNOWN)  # one look-up when known (line rules ask on every line)
        if known is _UNKNOWN:
            known = self._per_line[key] = fact(self, line)
        return known

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
        return _new_tuple(Finding, (span, message, fix, related, unnecessary, severity))  # one call less per finding

    def related(self, span: Span, message: str) -> Related:
        return Related(span, message)

    def after_the_first(self, numbers: Sequence[int], message: str, first: str) -> list[Finding]:
        """A finding at the verb of each of these lines but the first, with ``message``; each
        points back at the first line (the related place, ``first`` its message)."""
        related = (self.related(self.span(numbers[0]), first),)
        shapes, at, finding = self.script.shapes, self.at, self.finding
        return [finding(at(number, shapes[number - 1].verb), message, related=related) for number in numbers[1:]]

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
        if line.number != 1 or line.offset != 0:
            edit = self.deletion(line.number, line)
        else:
            # (a line rule's line stands at line 1, offset 0: the engine does it where the line stands)
            edit = _new_tuple(Edit, (_line_with_ending(0, 1, line), ""))
        return _new_tuple(Fix, (message, (edit,), safe, None))

    def deletion(self, number: int, line: ast.Line | None = None) -> Edit:
        """The edit that deletes line ``number`` with its line ending (a lone CR before it kept apart:
        keep_line_breaks); ``line``: its node or parse, when at hand."""
        span = _line_with_ending(self._starts[number - 1], number, line or self.shape(number))
        return _new_tuple(Edit, (keep_line_breaks(self.source, span), ""))


def _line_with_ending(offset: int, number: int, line: ast.Line) -> Span:
    """The span of a line's text and line ending, for the line standing at ``offset`` as line ``number``."""
    text, newline = line.text, line.newline
    end = offset + len(text) + len(newline)
    if newline:
        return _new_tuple(Span, (offset, end, number, 1, number + 1, 1))
    return _new_tuple(Span, (offset, end, number, 1, number, len(text) + 1))


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
