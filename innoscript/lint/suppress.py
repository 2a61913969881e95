"""Inline suppressions from `# innolint: ...` directive comments.

Whole-line comments only:

    # innolint: disable-next-line=UPD-025 -- reason   the next line that is not a directive
    # innolint: disable=UPD-025 -- reason             from here to `enable=UPD-025` (or the end)
    # innolint: enable=UPD-025                         ends it (`enable=all` ends every `disable`)
    # innolint: disable-file=UPD-025 -- reason        the whole file

Codes or rule names, comma-separated, or `all`.  The rules about the
directives themselves (UPD-094 unknown, UPD-095 no reason) read
``directives()``.  ``suppress()`` drops the suppressed findings and counts,
per directive code, how many it dropped: UPD-093 (unused suppression) runs
after it, in the engine's suppressions stage, and reads those counts.
"""

from __future__ import annotations

from ..records import NamedTuple
from ..syntax import ast
from . import registry
from .diagnostic import Diagnostic

ACTIONS = ("disable-next-line", "disable", "enable", "disable-file")
ALL = "all"


class CodeRef(NamedTuple):
    token: ast.Token
    code: str | None  # the rule's code, "all", or None when unknown


class Suppression(NamedTuple):
    """One directive line, read."""

    line: ast.Directive
    action: str  # one of ACTIONS, or "" when malformed or unknown
    codes: tuple[CodeRef, ...]
    problem: str | None = None  # why the directive cannot be used (UPD-094)


def directives(script: ast.Script) -> list[Suppression]:
    """Every `# innolint:` directive of a script, in order."""
    found: list[Suppression] = []
    for line in script.lines_of(ast.Directive):
        action = line.action.text.lower()
        problem = None
        if not line.action.text:
            problem = "malformed innolint directive; expected `# innolint: ACTION=CODES -- reason`"
        elif action not in ACTIONS:
            problem = f"unknown innolint directive {line.action.text!r} (use {', '.join(ACTIONS)})"
        elif not line.codes:
            problem = f"`{action}` names no rule; give codes, rule names or `all` (`{action}=UPD-025`)"
        refs = []
        for token in line.codes:
            if token.text.lower() == ALL:
                refs.append(CodeRef(token, ALL))
            else:
                entry = registry.find(token.text)
                refs.append(CodeRef(token, entry.code if entry else None))
        found.append(Suppression(line, action if problem is None else "", tuple(refs), problem))
    return found


class DirectiveCode:
    """One code of one directive, with the lines it covers (``last`` and ``used`` change as the script is read)."""

    __slots__ = ("suppression", "ref", "priority", "first", "last", "used", "order")

    def __init__(self, suppression: Suppression, ref: CodeRef, priority: int, first: int, last: int,
                 used: int = 0, order: int = 0) -> None:
        self.suppression = suppression
        self.ref = ref
        self.priority = priority  # 0 next line, 1 range, 2 file: the most specific is credited
        self.first = first
        self.last = last  # inclusive
        self.used = used
        self.order = order

    def __repr__(self) -> str:
        return (f"DirectiveCode({self.ref.code!r}, priority={self.priority}, first={self.first}, last={self.last}, "
                f"used={self.used}, order={self.order})")

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.ref.code != ALL and self.ref.code != diagnostic.code:
            return False
        return self.first <= diagnostic.span.line <= self.last


def _entries(script: ast.Script, found: list[Suppression]) -> list[DirectiveCode]:
    last_line = len(script.shapes) + 1
    entries: list[DirectiveCode] = []
    open_ranges: list[DirectiveCode] = []
    directive_lines = {s.line.number for s in found}
    for order, suppression in enumerate(found):
        number = suppression.line.number
        known = [ref for ref in suppression.codes if ref.code is not None]
        if suppression.action == "disable-next-line":
            target = number + 1
            while target in directive_lines:  # stacked directives share the line below
                target += 1
            entries += [DirectiveCode(suppression, ref, 0, target, target, order=order) for ref in known]
        elif suppression.action == "disable-file":
            entries += [DirectiveCode(suppression, ref, 2, 1, last_line, order=order) for ref in known]
        elif suppression.action == "disable":
            for ref in known:
                entry = DirectiveCode(suppression, ref, 1, number + 1, last_line, order=order)
                entries.append(entry)
                open_ranges.append(entry)
        elif suppression.action == "enable":
            codes = {ref.code for ref in known}
            for entry in list(open_ranges):
                if ALL in codes or entry.ref.code in codes:
                    entry.last = number - 1
                    open_ranges.remove(entry)
    return entries


class Suppressed(NamedTuple):
    """Findings after suppression, and the directive codes with their use counts."""

    kept: list[Diagnostic]
    entries: tuple[DirectiveCode, ...] = ()

    def covers(self, diagnostic: Diagnostic, leaving: "set[int] | frozenset[int]" = frozenset()) -> bool:
        """Would a directive suppress this finding (without counting it as a use)?

        ``leaving``: start offsets of directive codes about to be removed, which hide nothing.
        """
        return any(entry.covers(diagnostic) and entry.suppression.line.at(entry.ref.token).start not in leaving
                   for entry in self.entries)


def suppress(script: ast.Script, diagnostics: list[Diagnostic]) -> Suppressed:
    """Drop suppressed diagnostics, crediting the most specific directive code with each."""
    found = directives(script)
    if not found:
        return Suppressed(diagnostics)
    entries = _entries(script, found)
    if not entries:
        return Suppressed(diagnostics)
    # Most specific first: next line, then the innermost range, then the file.
    ranked = sorted(entries, key=lambda e: (e.priority, -e.first, e.order))
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        for entry in ranked:
            if entry.covers(diagnostic):
                entry.used += 1
                break
        else:
            kept.append(diagnostic)
    return Suppressed(kept, tuple(entries))
