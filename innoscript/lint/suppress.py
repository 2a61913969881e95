"""Inline suppressions from `# innolint: ...` directive comments.

Whole-line comments only:

    # innolint: disable-next-line=UPD-025 -- reason   the next line that is not a directive
    # innolint: disable=UPD-025 -- reason             from here to `enable=UPD-025` (or the end)
    # innolint: enable=UPD-025                         ends it (`enable=all` ends every `disable`)
    # innolint: disable-file=UPD-025 -- reason        the whole file

Codes or rule names, comma-separated, or `all`.  The rules about the
directives themselves (UPD-094 unknown, UPD-095 no reason) read
``directives()``; UPD-093 (unused) is found here, because only here are all
diagnostics known before any is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..syntax import ast
from .diagnostic import Diagnostic, Edit, Fix
from .settings import Settings

ACTIONS = ("disable-next-line", "disable", "enable", "disable-file")
ALL = "all"
UNUSED_CODE = "UPD-093"


@dataclass(frozen=True)
class CodeRef:
    token: ast.Token
    code: str | None  # the rule's code, "all", or None when unknown


@dataclass(frozen=True)
class Suppression:
    """One directive line, read."""

    line: ast.Directive
    action: str  # one of ACTIONS, or "" when malformed or unknown
    codes: tuple[CodeRef, ...]
    problem: str | None = None  # why the directive cannot be used (UPD-094)


def directives(script: ast.Script) -> list[Suppression]:
    """Every `# innolint:` directive of a script, in order."""
    from .rule import find_rule

    found: list[Suppression] = []
    for line in script.lines:
        if not isinstance(line, ast.Directive):
            continue
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
                rule = find_rule(token.text)
                refs.append(CodeRef(token, rule.code if rule else None))
        found.append(Suppression(line, action if problem is None else "", tuple(refs), problem))
    return found


@dataclass
class _Entry:
    """One code of one directive, with the lines it covers."""

    suppression: Suppression
    ref: CodeRef
    priority: int  # 0 next line, 1 range, 2 file: the most specific is credited
    first: int
    last: int  # inclusive
    used: int = 0
    order: int = field(default=0)

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.ref.code != ALL and self.ref.code != diagnostic.code:
            return False
        return self.first <= diagnostic.span.line <= self.last


def _entries(script: ast.Script, found: list[Suppression]) -> list[_Entry]:
    last_line = len(script.lines) + 1
    entries: list[_Entry] = []
    open_ranges: list[_Entry] = []
    directive_lines = {s.line.number for s in found}
    for order, suppression in enumerate(found):
        number = suppression.line.number
        known = [ref for ref in suppression.codes if ref.code is not None]
        if suppression.action == "disable-next-line":
            target = number + 1
            while target in directive_lines:  # stacked directives share the line below
                target += 1
            entries += [_Entry(suppression, ref, 0, target, target, order=order) for ref in known]
        elif suppression.action == "disable-file":
            entries += [_Entry(suppression, ref, 2, 1, last_line, order=order) for ref in known]
        elif suppression.action == "disable":
            for ref in known:
                entry = _Entry(suppression, ref, 1, number + 1, last_line, order=order)
                entries.append(entry)
                open_ranges.append(entry)
        elif suppression.action == "enable":
            codes = {ref.code for ref in known}
            for entry in list(open_ranges):
                if ALL in codes or entry.ref.code in codes:
                    entry.last = number - 1
                    open_ranges.remove(entry)
    return entries


def apply_suppressions(script: ast.Script, diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """Drop suppressed diagnostics; report suppressions that suppressed nothing."""
    found = directives(script)
    if not found:
        return diagnostics
    entries = _entries(script, found)
    if not entries:
        return diagnostics
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
    unused = _unused(script, entries, settings)
    for diagnostic in unused:
        if not any(entry.covers(diagnostic) for entry in ranked):
            kept.append(diagnostic)
    return kept


def _unused(script: ast.Script, entries: list[_Entry], settings: Settings) -> list[Diagnostic]:
    from .engine import active_rules

    active = {rule.code: rule for rule in active_rules(settings)}
    unused_rule = active.get(UNUSED_CODE)
    if unused_rule is None:
        return []
    # Rules that did not run cannot show that a suppression is needed.
    restricted = bool(settings.select or settings.ignore)

    def checkable(code: str) -> bool:
        if code == ALL:
            return not restricted
        if code == UNUSED_CODE or code not in active:
            return False
        return active[code].group != "behaviour" or settings.simulate

    by_directive: dict[int, list[_Entry]] = {}
    for entry in entries:
        by_directive.setdefault(entry.suppression.line.number, []).append(entry)
    severity = settings.severity.get(UNUSED_CODE, unused_rule.severity)
    results: list[Diagnostic] = []
    for number in sorted(by_directive):
        group = by_directive[number]
        directive = group[0].suppression
        idle = [e for e in group if e.used == 0 and checkable(e.ref.code)]
        everything_idle = len(idle) == len(directive.codes)
        for entry in idle:
            if everything_idle:
                fix = _delete_line(script, directive.line)
            else:
                fix = _delete_code(script, directive, entry.ref)
            results.append(
                Diagnostic(
                    UNUSED_CODE, unused_rule.name, severity,
                    f"unused suppression: no {entry.ref.code if entry.ref.code != ALL else 'finding'} "
                    f"to suppress {_scope(directive.action)}",
                    script.path, entry.ref.token.span, fix,
                )
            )
    return results


def _scope(action: str) -> str:
    return {
        "disable-next-line": "on the next line",
        "disable": "until the matching enable",
        "disable-file": "in this file",
    }.get(action, "")


def _delete_line(script: ast.Script, line: ast.Directive) -> Fix:
    span = script.source.span(line.span.start, line.span.end + len(line.newline))
    return Fix("remove the unused suppression", (Edit(span, ""),), True)


def _delete_code(script: ast.Script, directive: Suppression, ref: CodeRef) -> Fix:
    tokens = [r.token for r in directive.codes]
    index = tokens.index(ref.token)
    if index + 1 < len(tokens):  # `A, B` -> `B`: up to the next code
        start, end = ref.token.span.start, tokens[index + 1].span.start
    else:  # `A, B` -> `A`: from the end of the previous code
        start, end = tokens[index - 1].span.end, ref.token.span.end
    return Fix(f"remove {ref.token.text} from the suppression", (Edit(script.source.span(start, end), ""),), True)
