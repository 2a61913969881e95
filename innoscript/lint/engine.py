"""Run the rules over a script: one pass over the lines, facts shared, findings sorted.

Three stages (rule.py says which rule runs in which):

1. line rules, dispatched by node type in a single loop over the lines;
2. script rules, once each over the whole script;
3. suppressions applied, then the rules that read what was suppressed
   (UPD-093).

``lint_script`` lints a script once.  ``IncrementalLinter`` lints the same
document again and again as it is edited, running the line rules only on
lines whose text it has not seen (see its docstring).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from operator import attrgetter

from ..gcpause import paused_gc
from ..source import Cols, Source, Span, common_prefix, common_suffix
from ..syntax import ast, parse
from .context import Finding, LintContext, keep_line_breaks
from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .rule import Rule, all_rules
from .selection import selected
from .settings import Settings
from .suppress import suppress

_code, _span = attrgetter("code"), attrgetter("span")
_new_tuple = tuple.__new__  # a record without its NamedTuple __new__ (one call less; a large file has many)


# The selection per (select, ignore), with the rules it was made from: a run
# asks once per file, and matching every rule against the lists each time
# costs more than a small file's line rules.
_SELECTED: dict[tuple, tuple[list[Rule], list[Rule]]] = {}


def active_rules(settings: Settings) -> list[Rule]:
    """The rules the settings select, by code."""
    every = all_rules()
    key = (settings.select, settings.ignore)
    known = _SELECTED.get(key)
    if known is None or known[0] != every:  # the rules themselves, by identity
        if len(_SELECTED) > 64:
            _SELECTED.clear()
        known = _SELECTED[key] = (every, selected(every, *key))
    return list(known[1])


def rule_enabled(settings: Settings, code: str) -> bool:
    """Is the rule ``code`` selected and not ignored?  For rules that leave a cause to another one."""
    rule = next((r for r in all_rules() if r.code == code), None)
    return rule is not None and bool(selected([rule], settings.select, settings.ignore))


def lint_script(script: ast.Script, settings: Settings | None = None) -> list[Diagnostic]:
    """All diagnostics of one parsed script, suppressions applied, sorted."""
    with paused_gc():
        return _lint(script, settings or Settings(), None)


def lint_source(source: Source, settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(source), settings)


def lint_text(text: str, path: str = "<string>", settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(Source(text, path)), settings)


class IncrementalLinter:
    """Lints one document again after each edit, re-running line rules on changed lines only.

    Line rules (rule.py) look at one line, the settings and the device model
    only, so their findings are a function of the line's parse (its text and
    line ending): they are kept per parse and placed wherever that parse
    stands in the next version; findings placed in the last version are
    reused where their line did not move.  On each call only the lines
    between the first and the last line that changed are looked up, and the
    line rules run only on those whose text was not in the previous version;
    script rules (the cross-line ones) and the suppressions stage run again
    in full.  The result is exactly what ``lint_script`` gives for the same
    script, diagnostic for diagnostic, spans (offsets, lines, columns)
    included.

    The language server keeps one per open document::

        linter = IncrementalLinter()
        diagnostics = linter.lint(script, settings)   # every line is new
        # ... the user changes line 40; the document is parsed again
        #     (only line 40 is read: the other lines' parses are shared)
        diagnostics = linter.lint(new_script, settings)  # line rules run on line 40 only

    A change of settings, rule selection, model (the file name) or the
    script's line-ending style empties the store.  It holds the lines of the
    last version only, so its size follows the document's.
    """

    def __init__(self) -> None:
        self._context: tuple | None = None
        self._shapes: dict[int, tuple] = {}  # id of a line's parse -> (parse, what the line rules found)
        self._lines: list | None = None  # the parses of the last version's lines
        # The last version's lines with findings, in order: (number, offset, character
        # before the line, what the line rules found, those findings placed there).
        self._rows: list[tuple] = []
        self.reused = 0  # lines answered from the store on the last call (for tests and benchmarks)
        self.computed = 0

    def lint(self, script: ast.Script, settings: Settings | None = None, check=None) -> list[Diagnostic]:
        """``check`` (optional) is called now and then and may raise to abandon the run
        (the language server's stale work); the store then keeps the previous version."""
        with paused_gc():
            return _lint(script, settings or Settings(), self, check)

    def _results(self, ctx: LintContext, rules: list[Rule], check=None) -> list[tuple]:
        """The placed line findings of each line with some, in line order."""
        from .config import settings_fingerprint

        model = ctx.model
        context = (settings_fingerprint(ctx.settings), model.name if model else None, ctx.script.newline,
                   tuple(rule.code for rule in rules))
        shapes = ctx.script.shapes
        if context != self._context:
            self._context, self._shapes, self._lines, self._rows = context, {}, None, []
        if self._lines is None or len(self._shapes) > 2 * len(shapes) + 64:  # first, or the store holds old parses
            rows = self._every_line(ctx, rules, check)
        else:
            rows = self._changed_lines(ctx, rules)
        self._lines, self._rows = shapes, rows
        return [row[4] for row in rows]

    def _found(self, ctx: LintContext, shape: ast.Line, store: dict, by_type: dict, rules: list[Rule]) -> tuple:
        """What the line rules find on a parse, from the store when it was seen.

        Keyed by the parse's identity: the parser shares one parse per line text,
        and each entry holds its parse, so the id cannot be another object's.
        """
        entry = store.get(id(shape))
        if entry is None or entry[0] is not shape:
            entry = store[id(shape)] = (shape, _run_line(ctx, shape, _wanted_on(by_type, rules, shape)))
            self.computed += 1
        return entry[1]

    def _every_line(self, ctx: LintContext, rules: list[Rule], check) -> list[tuple]:
        """Every line looked up (the store then keeps this version's parses only)."""
        previous, current = self._shapes, {}
        old_rows = {row[0]: row for row in self._rows}
        source = ctx.source
        text = source.text
        by_type: dict[type, list[tuple[int, Rule]]] = {}
        rows = []
        self.computed = lines = 0
        for number, offset, shape in ctx.script.numbered():
            if check is not None and not number & 4095:
                check()
            lines += 1
            found = current.get(id(shape))
            if found is None:
                found = self._found(ctx, shape, previous, by_type, rules)
                current[id(shape)] = previous[id(shape)]
            else:
                found = found[1]
            if found:
                rows.append(_row(old_rows.get(number), found, number, offset, text, source))
        self._shapes = current
        self.reused = lines - self.computed
        return rows

    def _changed_lines(self, ctx: LintContext, rules: list[Rule]) -> list[tuple]:
        """Only the lines between the unchanged first and last lines looked up; the rows
        before them kept, the rows after them kept or moved (their parses are the same)."""
        old, new = self._lines, ctx.script.shapes
        same_start = common_prefix(old, new)
        same_end = common_suffix(old, new, min(len(old), len(new)) - same_start)
        moved = len(new) - len(old)
        source = ctx.source
        text, starts = source.text, source.lines.starts
        rows, store = self._rows, self._shapes
        by_type: dict[type, list[tuple[int, Rule]]] = {}
        self.computed = 0
        out = rows[: bisect_right(rows, same_start, key=_row_number)]
        blank = ast.Blank
        for number in range(same_start + 1, len(new) - same_end + 1):
            shape = new[number - 1]
            if shape.__class__ is not blank:
                found = self._found(ctx, shape, store, by_type, rules)
                if found:
                    out.append(_row(None, found, number, starts[number - 1], text, source))
        for row in rows[bisect_right(rows, len(old) - same_end, key=_row_number) :]:
            number = row[0] + moved
            out.append(_row(row, row[3], number, starts[number - 1], text, source))
        self.reused = len(ctx.script.filled) - self.computed
        return out


def _row_number(row: tuple) -> int:
    return row[0]


def _row(old: tuple | None, found: tuple, number: int, offset: int, text: str, source: Source) -> tuple:
    """A line's row of placed findings; the old row when the line, its place and the line
    ending before it (see keep_line_breaks) are the same."""
    before = text[offset - 1 : offset]
    if old is not None and old[0] == number and old[1] == offset and old[2] == before and old[3] is found:
        return old
    return (number, offset, before, found, _place_found(found, number, offset, source))


# -- the stages -------------------------------------------------------------------


def _lint(script: ast.Script, settings: Settings, incremental: IncrementalLinter | None, check=None) -> list[Diagnostic]:
    rules = active_rules(settings)
    ctx = LintContext(script, settings)
    ctx.active_rules = {rule.code: rule for rule in rules}
    diagnostics: list[Diagnostic] = []
    line_rules = [rule for rule in rules if rule.stage == "line" and (rule.applies is None or _applies(ctx, rule))]
    if line_rules:
        _line_stage(ctx, line_rules, diagnostics, incremental, check)
    for rule in rules:
        if rule.stage == "script":
            if check is not None:
                check()
            _collect(ctx, rule, diagnostics)
    suppressed = suppress(script, diagnostics)
    diagnostics = suppressed.kept
    ctx.suppressions = suppressed
    for rule in rules:
        if rule.stage == "suppressions":
            found: list[Diagnostic] = []
            _collect(ctx, rule, found)
            # Findings about suppressions can be suppressed too, without counting as a use,
            # but not by a directive code reported here as unused: its fix deletes it, and
            # what it hid (a stacked `disable=all`, say) would come out on the next run.
            going = {d.span.start for d in found}
            diagnostics += [d for d in found if not suppressed.covers(d, leaving=going)]
    # In Diagnostic.sort_key order (path, span, code): every diagnostic here has the
    # script's path, and two stable sorts with keys read in C cost a fraction of it.
    diagnostics.sort(key=_code)
    diagnostics.sort(key=_span)
    return diagnostics


def _applies(ctx: LintContext, rule: Rule) -> bool:
    """Whether a line rule can find anything under these settings and model (asked once per lint)."""
    if rule.applies is None:
        return True
    try:
        return bool(rule.applies(ctx))
    except Exception:  # let the rule run and report its own error
        return True


def _collect(ctx: LintContext, rule: Rule, out: list[Diagnostic]) -> None:
    """The findings of one run of a script rule, as diagnostics; a broken rule becomes one error finding."""
    try:
        findings: list[Finding] = list(rule.check(ctx) or ())
        for finding in findings:
            if finding.span.__class__ is Cols:
                raise TypeError("a finding at columns without their line (use line.at)")
    except Exception as exc:  # a broken rule must not hide the others' findings
        out.append(_internal_error(ctx, rule, repr(exc)))
        return
    if findings:
        _add(ctx, rule, findings, out)


def _add(ctx: LintContext, rule: Rule, findings: Iterable[Finding], out: list[Diagnostic]) -> None:
    configured = ctx.settings.severity.get(rule.code)
    path = ctx.script.path
    code, name = rule.code, rule.name
    for span, message, fix, related, unnecessary, severity in findings:
        out.append(_new_tuple(Diagnostic, (code, name, configured or severity or rule.severity, message, path, span,
                                           fix, related, unnecessary)))


def _internal_error(ctx: LintContext, rule: Rule, error: str) -> Diagnostic:
    script = ctx.script
    span = script.line(1).span if script.shapes else script.source.span(0, 0)
    return Diagnostic(rule.code, rule.name, Severity.ERROR, f"internal error in rule {rule.code}: {error}; please report it",
                      script.path, span)


# -- line rules -------------------------------------------------------------------


_NOTHING: tuple = ()


def _wanted(by_type: dict, rules: list[Rule], kind: type) -> list[tuple[int, Callable]]:
    """(rule index, check) of the line rules for one node type."""
    wanted = by_type.get(kind)
    if wanted is None:
        wanted = by_type[kind] = [(index, rule.check) for index, rule in enumerate(rules) if issubclass(kind, rule.kinds)]
    return wanted


def _wanted_on(by_kind: dict, rules: list[Rule], shape: ast.Line) -> list[tuple[int, Callable]]:
    """``_wanted`` for one line's parse, less the rules that need a text the line lacks.

    A rule marked ``@rule(..., needs="#")`` can find something only on lines
    with that text (rule.py); it is left out of the loop on the others: a
    call that returns at once still costs more than the test here, on every
    line of every script.  ``by_kind`` keeps, per node type, the text its
    rules need and the two lists.
    """
    choice = by_kind.get(shape.__class__)
    if choice is None:
        choice = by_kind[shape.__class__] = _choice(rules, shape.__class__)
    needs, every, without = choice
    return every if needs is None or needs in shape.text else without


def _choice(rules: list[Rule], kind: type) -> tuple:
    """(text needed, the rules for lines with it, those for lines without) for a node type.

    One text per type at most (rules that need several different texts run
    on every line: they must be right without the skipping).
    """
    every = _wanted({}, rules, kind)
    texts = {rule_needs(rules[index]) for index, _ in every} - {None}
    if len(texts) != 1:
        return None, every, every
    needs = texts.pop()
    return needs, every, [(index, check) for index, check in every if rule_needs(rules[index]) is None]


def rule_needs(rule: Rule) -> str | None:
    """The text a line rule needs on a line to find anything there (``@rule(needs=...)``), or None."""
    return getattr(rule.check, "rule_needs", None)


def _run_line(ctx: LintContext, shape: ast.Line, wanted: list[tuple[int, Callable]]) -> tuple:
    """What the line rules find on one line's parse (at line 1, offset 0).

    (rule index, findings) for rules with findings and (rule index, error
    text) for rules that raised.
    """
    found = None
    for index, check in wanted:
        try:
            findings = check(ctx, shape)
            if not findings:  # None or an empty list: most rules on most lines
                continue
            if findings.__class__ is not list:
                findings = list(findings)  # a generator's, run to the end (may raise)
                if not findings:
                    continue
        except Exception as exc:  # a broken rule must not hide the others' findings
            findings = repr(exc)
        if found is None:
            found = []
        found.append((index, findings))
    return tuple(found) if found else _NOTHING


def _line_stage(ctx: LintContext, rules: list[Rule], out: list[Diagnostic], incremental: IncrementalLinter | None,
                check=None) -> None:
    """Every line rule over every line it asks for, in one loop over the lines.

    A rule that raises on any line gives one internal-error finding and no
    other (as a script rule that raises does).
    """
    per_rule: list[list[Finding]] = [[] for _ in rules]
    errors: dict[int, str] = {}
    if incremental is None:
        results: Iterable[tuple] = _once_per_text(ctx, rules, check)
    else:
        results = incremental._results(ctx, rules, check)
    for placed in results:
        for index, findings in placed:
            if findings.__class__ is str:
                errors.setdefault(index, findings)
            else:
                per_rule[index] += findings
    for index, rule in enumerate(rules):
        if index in errors:
            out.append(_internal_error(ctx, rule, errors[index]))
        elif per_rule[index]:
            _add(ctx, rule, per_rule[index], out)


def _place_found(found: tuple, number: int, offset: int, source: Source) -> tuple:
    """What the line rules found on a line's parse, placed at the line: (rule index, findings or error text)."""
    return tuple([(index, findings if findings.__class__ is str else [_placed(f, number, offset, source) for f in findings])
                  for index, findings in found])


# Line rules' findings by line parse, kept across the scripts linted with the
# same settings, model and rules: the files of one site repeat most of their
# lines (and the parser shares one parse per distinct line).  Each entry holds
# its parse, so the id it is filed under cannot be reused by another object.
# With them, the rules that run per node type (``_wanted``), for the same reason.
_SHARED: dict[tuple, tuple[dict[int, tuple], dict[type, list]]] = {}
_SHARED_LIMIT = 200_000


def _once_per_text(ctx: LintContext, rules: list[Rule], check=None) -> Iterable[tuple]:
    """The placed findings of the line rules on each line with some, the rules run once per distinct line.

    Line rules see one line, the settings and the model only (rule.py), so
    every line with the same parse (the same text and line ending) gets the
    same findings, placed where it stands; large generated scripts, and the
    scripts of one site, repeat many lines.  One list, in a plain loop: most
    lines of a large script find nothing, and a generator's step per line
    costs more than the look-up.
    """
    from .config import settings_fingerprint

    model = ctx.model
    key = (settings_fingerprint(ctx.settings), model.name if model else None, ctx.script.newline,
           tuple([(rule.code, id(rule.check)) for rule in rules]))
    kept = _SHARED.get(key)
    if kept is None or len(kept[0]) > _SHARED_LIMIT:
        if len(_SHARED) > 16 or kept is not None:
            _SHARED.clear()
        kept = _SHARED[key] = ({}, {})
    seen, by_type = kept
    get = seen.get
    script, source = ctx.script, ctx.source
    shapes, starts = script.shapes, source.lines.starts
    out = []
    for number in script.filled:
        if check is not None and not number & 4095:
            check()
        shape = shapes[number - 1]
        entry = get(id(shape))
        if entry is None or entry[0] is not shape:
            entry = seen[id(shape)] = (shape, _run_line(ctx, shape, _wanted_on(by_type, rules, shape)))
        if entry[1]:
            out.append(_place_found(entry[1], number, starts[number - 1], source))
    return out


def _place(span, number: int, offset: int) -> Span:
    """A span a line rule gave (columns, or a span at line 1, offset 0) placed at its line."""
    if span.__class__ is Cols:
        start, end = span
        return _new_tuple(Span, (offset + start, offset + end, number, start + 1, number, end + 1))
    lines = number - 1
    return Span(span.start + offset, span.end + offset, span.line + lines, span.col, span.end_line + lines, span.end_col)


def _placed(finding: Finding, number: int, offset: int, source: Source) -> Finding:
    """A finding of a line rule placed at its line (columns stay: the text is the same)."""
    span, message, fix, related, unnecessary, severity = finding
    if fix is None and not related:
        return _new_tuple(Finding, (_place(span, number, offset), message, None, related, unnecessary, severity))
    if fix is not None:
        edits = []
        for edit_span, text in fix.edits:
            where = _place(edit_span, number, offset)
            if not text:
                where = keep_line_breaks(source, where)
            edits.append(_new_tuple(Edit, (where, text)))
        fix = _new_tuple(Fix, (fix[0], tuple(edits), fix[2], fix[3]))  # fix._replace, without its keyword parsing
    related = tuple([Related(_place(r.span, number, offset), r.message, r.path) for r in related])
    return _new_tuple(Finding, (_place(span, number, offset), message, fix, related, unnecessary, severity))
