"""Run the rules over a script: one pass over the lines, facts shared, findings sorted.

Three stages (rule.py says which rule runs in which):

1. line rules, dispatched by node type in a single loop over the lines;
2. script rules, once each over the whole script;
3. suppressions applied, then the rules that read what was suppressed
   (UPD-093).
"""

from __future__ import annotations

from ..gcpause import paused_gc
from ..source import Source
from ..syntax import ast, parse
from .context import Finding, LintContext
from .diagnostic import Diagnostic, Severity
from .rule import Rule, all_rules
from .selection import selected
from .settings import Settings
from .suppress import suppress


def active_rules(settings: Settings) -> list[Rule]:
    """The rules the settings select, by code."""
    return selected(all_rules(), settings.select, settings.ignore)


def lint_script(script: ast.Script, settings: Settings | None = None) -> list[Diagnostic]:
    """All diagnostics of one parsed script, suppressions applied, sorted."""
    with paused_gc():
        return _lint(script, settings or Settings())


def _lint(script: ast.Script, settings: Settings) -> list[Diagnostic]:
    rules = active_rules(settings)
    ctx = LintContext(script, settings)
    ctx.active_rules = {rule.code: rule for rule in rules}
    diagnostics: list[Diagnostic] = []
    line_rules = [rule for rule in rules if rule.stage == "line"]
    if line_rules:
        _run_line_rules(ctx, line_rules, diagnostics)
    for rule in rules:
        if rule.stage == "script":
            _collect(ctx, rule, lambda rule=rule: rule.check(ctx), diagnostics)
    suppressed = suppress(script, diagnostics)
    diagnostics = suppressed.kept
    ctx.suppressions = suppressed
    for rule in rules:
        if rule.stage == "suppressions":
            found: list[Diagnostic] = []
            _collect(ctx, rule, lambda rule=rule: rule.check(ctx), found)
            # Findings about suppressions can be suppressed too, without counting as a use.
            diagnostics += [d for d in found if not suppressed.covers(d)]
    return sorted(diagnostics, key=lambda d: d.sort_key)


def _run_line_rules(ctx: LintContext, rules: list[Rule], out: list[Diagnostic]) -> None:
    """Every line rule over every line it asks for, in one loop over the lines."""
    by_type: dict[type, list[Rule]] = {}
    for line in ctx.script.lines:
        kind = type(line)
        wanted = by_type.get(kind)
        if wanted is None:
            wanted = by_type[kind] = [rule for rule in rules if issubclass(kind, rule.kinds)]
        for rule in wanted:
            _collect(ctx, rule, lambda rule=rule, line=line: rule.check(ctx, line), out)


def _collect(ctx: LintContext, rule: Rule, run, out: list[Diagnostic]) -> None:
    """The findings of one rule run, as diagnostics; a broken rule becomes one error finding."""
    try:
        findings: list[Finding] = list(run() or ())
    except Exception as exc:  # a broken rule must not hide the others' findings
        script = ctx.script
        span = script.lines[0].span if script.lines else script.source.span(0, 0)
        out.append(Diagnostic(rule.code, rule.name, Severity.ERROR,
                              f"internal error in rule {rule.code}: {exc!r}; please report it", script.path, span))
        return
    configured = ctx.settings.severity.get(rule.code)
    for finding in findings:
        severity = configured or finding.severity or rule.severity
        out.append(Diagnostic(rule.code, rule.name, severity, finding.message, ctx.script.path, finding.span,
                              finding.fix, finding.related, finding.unnecessary))


def lint_source(source: Source, settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(source), settings)


def lint_text(text: str, path: str = "<string>", settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(Source(text, path)), settings)
