"""Run the rules over a script: one pass, facts shared, findings sorted."""

from __future__ import annotations

from ..gcpause import paused_gc
from ..source import Source
from ..syntax import ast, parse
from .context import LintContext
from .diagnostic import Diagnostic, Severity
from .rule import Rule, all_rules
from .settings import Settings


def rule_matches(rule: Rule, keys: tuple[str, ...]) -> bool:
    """True when a select/ignore list names the rule by code, name, group or prefix."""
    for key in keys:
        key = key.strip()
        if key.upper() in ("ALL", rule.code) or key == rule.name or key == rule.group:
            return True
        if key.upper().startswith("UPD-") and rule.code.startswith(key.upper()):
            return True  # a prefix such as UPD-02
    return False


def active_rules(settings: Settings) -> list[Rule]:
    rules = all_rules()
    if settings.select:
        rules = [r for r in rules if rule_matches(r, settings.select)]
    return [r for r in rules if not rule_matches(r, settings.ignore)]


def rule_enabled(settings: Settings, code: str) -> bool:
    """Is the rule ``code`` selected and not ignored?  For rules that leave a cause to another one."""
    keys_rule = next((r for r in all_rules() if r.code == code), None)
    if keys_rule is None:
        return False
    if settings.select and not rule_matches(keys_rule, settings.select):
        return False
    return not rule_matches(keys_rule, settings.ignore)


def lint_script(script: ast.Script, settings: Settings | None = None) -> list[Diagnostic]:
    """All diagnostics of one parsed script, suppressions applied, sorted."""
    with paused_gc():
        return _lint(script, settings)


def _lint(script: ast.Script, settings: Settings | None) -> list[Diagnostic]:
    from .suppress import apply_suppressions

    settings = settings or Settings()
    ctx = LintContext(script, settings)
    diagnostics: list[Diagnostic] = []
    for rule in active_rules(settings):
        configured = settings.severity.get(rule.code)
        try:
            findings = list(rule.check(ctx))
        except Exception as exc:  # a broken rule must not hide the others' findings
            diagnostics.append(
                Diagnostic(rule.code, rule.name, Severity.ERROR,
                           f"internal error in rule {rule.code}: {exc!r}; please report it",
                           script.path, script.lines[0].span if script.lines else script.source.span(0, 0))
            )
            continue
        for finding in findings:
            severity = configured or finding.severity or rule.severity
            diagnostics.append(
                Diagnostic(rule.code, rule.name, severity, finding.message, script.path, finding.span,
                           finding.fix, finding.related, finding.unnecessary)
            )
    diagnostics = apply_suppressions(script, diagnostics, settings)
    return sorted(diagnostics, key=lambda d: d.sort_key)


def lint_source(source: Source, settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(source), settings)


def lint_text(text: str, path: str = "<string>", settings: Settings | None = None) -> list[Diagnostic]:
    return lint_script(parse(Source(text, path)), settings)
