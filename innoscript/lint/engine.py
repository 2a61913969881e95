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

from collections.abc import Iterable
from operator import attrgetter

from ..gcpause import paused_gc
from ..source import Cols, Source, Span
from ..syntax import ast, parse
from .context import Finding, LintContext, keep_line_breaks
from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .rule import Rule, all_rules
from .selection import selected
from .settings import Settings
from .suppress import suppress

_code, _span = attrgetter("code"), attrgetter("span")
_new_tuple = tuple.__new__  # a record without its NamedTuple __new__ (one call less; a large file has many)


def active_rules(settings: Settings) -> list[Rule]:
    """The rules the settings select, by code."""
    return selected(all_rules(), settings.select, settings.ignore)


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
    reused where their line did not move.  On each call the line rules run
    only on lines whose text was not in the previous version; script rules
    (the cross-line ones) and the suppressions stage run again in full.  The result is exactly what
    ``lint_script`` gives for the same script, diagnostic for diagnostic,
    spans (offsets, lines, columns) included.

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
        self._placed: dict[int, tuple] = {}  # line number -> (found, offset, character before, placed findings)
        self.reused = 0  # lines answered from the store on the last call (for tests and benchmarks)
        self.computed = 0

    def lint(self, script: ast.Script, settings: Settings | None = None, check=None) -> list[Diagnostic]:
        """``check`` (optional) is called now and then and may raise to abandon the run
        (the language server's stale work); the store then keeps the previous version."""
        with paused_gc():
            return _lint(script, settings or Settings(), self, check)

    def _results(self, ctx: LintContext, rules: list[Rule], check=None) -> Iterable[tuple[int, tuple]]:
        from .config import settings_fingerprint

        model = ctx.model
        context = (settings_fingerprint(ctx.settings), model.name if model else None, ctx.script.newline,
                   tuple(rule.code for rule in rules))
        if context != self._context:
            self._context, self._shapes, self._placed = context, {}, {}
        previous, current = self._shapes, {}
        placed_before, placed_now = self._placed, {}
        script, source = ctx.script, ctx.source
        text = source.text
        by_type: dict[type, list[tuple[int, Rule]]] = {}
        reused = computed = 0
        # Keyed by the parse's identity: the parser shares one parse per line text,
        # and each entry holds its parse, so the id cannot be another object's.
        for number, offset, shape in script.numbered():
            if check is not None and not number & 4095:
                check()
            entry = current.get(id(shape))
            if entry is None:
                entry = previous.get(id(shape))
                if entry is None or entry[0] is not shape:
                    entry = (shape, _run_line(ctx, shape, _wanted(by_type, rules, type(shape))))
                    computed += 1
                else:
                    reused += 1
                current[id(shape)] = entry
            else:
                reused += 1
            found = entry[1]
            if not found:
                continue
            # Findings placed in the last version stay exact where the line, its
            # place and the line ending before it (see keep_line_breaks) are the same.
            before = text[offset - 1 : offset]
            old = placed_before.get(number)
            if old is not None and old[0] is found and old[1] == offset and old[2] == before:
                placed = old[3]
            else:
                placed = _place_found(found, number, offset, source)
            placed_now[number] = (found, offset, before, placed)
            yield number, placed
        self._shapes, self._placed = current, placed_now
        self.reused, self.computed = reused, computed


# -- the stages -------------------------------------------------------------------


def _lint(script: ast.Script, settings: Settings, incremental: IncrementalLinter | None, check=None) -> list[Diagnostic]:
    rules = active_rules(settings)
    ctx = LintContext(script, settings)
    ctx.active_rules = {rule.code: rule for rule in rules}
    diagnostics: list[Diagnostic] = []
    line_rules = [rule for rule in rules if rule.stage == "line" and _applies(ctx, rule)]
    if line_rules:
        _line_stage(ctx, line_rules, diagnostics, incremental, check)
    for rule in rules:
        if rule.stage == "script":
            if check is not None:
                check()
            _collect(ctx, rule, lambda rule=rule: rule.check(ctx), diagnostics)
    suppressed = suppress(script, diagnostics)
    diagnostics = suppressed.kept
    ctx.suppressions = suppressed
    for rule in rules:
        if rule.stage == "suppressions":
            found: list[Diagnostic] = []
            _collect(ctx, rule, lambda rule=rule: rule.check(ctx), found)
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


def _collect(ctx: LintContext, rule: Rule, run, out: list[Diagnostic]) -> None:
    """The findings of one rule run, as diagnostics; a broken rule becomes one error finding."""
    try:
        findings: list[Finding] = list(run() or ())
        for finding in findings:
            if finding.span.__class__ is Cols:
                raise TypeError("a finding at columns without their line (use line.at)")
    except Exception as exc:  # a broken rule must not hide the others' findings
        out.append(_internal_error(ctx, rule, repr(exc)))
        return
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


def _wanted(by_type: dict, rules: list[Rule], kind: type) -> list[tuple[int, Rule]]:
    wanted = by_type.get(kind)
    if wanted is None:
        wanted = by_type[kind] = [(index, rule) for index, rule in enumerate(rules) if issubclass(kind, rule.kinds)]
    return wanted


def _run_line(ctx: LintContext, shape: ast.Line, wanted: list[tuple[int, Rule]]) -> tuple:
    """What the line rules find on one line's parse (at line 1, offset 0).

    (rule index, findings) for rules with findings and (rule index, error
    text) for rules that raised.
    """
    found = None
    for index, rule in wanted:
        try:
            findings = rule.check(ctx, shape)
            if findings is not None:
                findings = tuple(findings)
        except Exception as exc:  # a broken rule must not hide the others' findings
            findings = repr(exc)
        if findings:
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
        results: Iterable[tuple[int, tuple]] = _once_per_text(ctx, rules, check)
    else:
        results = incremental._results(ctx, rules, check)
    for number, placed in results:
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
_SHARED: dict[tuple, dict[int, tuple]] = {}
_SHARED_LIMIT = 200_000


def _once_per_text(ctx: LintContext, rules: list[Rule], check=None) -> Iterable[tuple[int, tuple]]:
    """The placed findings of the line rules on each line with some, the rules run once per distinct line.

    Line rules see one line, the settings and the model only (rule.py), so
    every line with the same parse (the same text and line ending) gets the
    same findings, placed where it stands; large generated scripts, and the
    scripts of one site, repeat many lines.
    """
    from .config import settings_fingerprint

    model = ctx.model
    key = (settings_fingerprint(ctx.settings), model.name if model else None, ctx.script.newline,
           tuple((rule.code, id(rule.check)) for rule in rules))
    seen = _SHARED.get(key)
    if seen is None or len(seen) > _SHARED_LIMIT:
        if len(_SHARED) > 16 or seen is not None:
            _SHARED.clear()
        seen = _SHARED[key] = {}
    by_type: dict[type, list[tuple[int, Rule]]] = {}
    source = ctx.source
    for number, offset, shape in ctx.script.numbered():
        if check is not None and not number & 4095:
            check()
        entry = seen.get(id(shape))
        if entry is None or entry[0] is not shape:
            entry = seen[id(shape)] = (shape, _run_line(ctx, shape, _wanted(by_type, rules, type(shape))))
        if entry[1]:
            yield number, _place_found(entry[1], number, offset, source)


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
        for edit in fix.edits:
            where = _place(edit.span, number, offset)
            if not edit.text:
                where = keep_line_breaks(source, where)
            edits.append(Edit(where, edit.text))
        fix = fix._replace(edits=tuple(edits))
    related = tuple(Related(_place(r.span, number, offset), r.message, r.path) for r in related)
    return _new_tuple(Finding, (_place(span, number, offset), message, fix, related, unnecessary, severity))
