"""S. Suppressions: the `# innolint:` directives themselves."""

from __future__ import annotations

from ...source import Cols
from ..context import LintContext
from ..diagnostic import Edit, Fix
from ..rule import rule
from ..suppress import ALL, directives


@rule("UPD-093", spec="docs/innolint.md Suppressions", stage="suppressions")
def unused_suppression(ctx: LintContext):
    r"""A suppression that suppresses nothing.

    ## What it does
    Reports a code in an `# innolint:` directive when no finding of that rule
    was there to suppress: on the next line for `disable-next-line`, up to
    the matching `enable` for `disable`, anywhere for `disable-file`.
    Findings are counted before any suppression applies. Codes of rules
    that did not run (not selected, or behaviour rules without `--simulate`)
    are not reported.

    ## Why is this bad?
    A stale suppression hides the next real problem of that kind on the same
    line, and it tells the reader a problem is there when it is not.

    ## Example
    ```
    # innolint: disable-next-line=UPD-090 -- pasted from the wiki
    mod cmd UP1 check iresetn 2024-06-01
    ```
    Reported at 1:31.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    Safe: the fix deletes the directive line, or only the unused code when
    the directive names others that are still needed.
    """
    # Runs after the suppressions stage (engine): ctx.suppressions has every
    # directive code with the number of findings it dropped.
    suppressed = ctx.suppressions
    if suppressed is None or not suppressed.entries:
        return
    # Rules that did not run cannot show that a suppression is needed.
    active = ctx.active_rules
    settings = ctx.settings
    restricted = bool(settings.select or settings.ignore)

    def checkable(code: str) -> bool:
        if code == ALL:
            return not restricted
        if code == unused_suppression.rule_code or code not in active:
            return False
        return active[code].group != "behaviour" or settings.simulate

    by_directive: dict[int, list] = {}
    for entry in suppressed.entries:
        by_directive.setdefault(entry.suppression.line.number, []).append(entry)
    for number in sorted(by_directive):
        group = by_directive[number]
        directive = group[0].suppression
        idle = [e for e in group if e.used == 0 and checkable(e.ref.code)]
        everything_idle = len(idle) == len(directive.codes)
        for entry in idle:
            if everything_idle:
                fix = ctx.delete_line(directive.line, "remove the unused suppression")
            else:
                fix = _delete_code(ctx, directive, entry.ref)
            what = entry.ref.code if entry.ref.code != ALL else "finding"
            yield ctx.finding(directive.line.at(entry.ref.token),
                              f"unused suppression: no {what} to suppress {_SCOPES.get(directive.action, '')}", fix=fix)


_SCOPES = {
    "disable-next-line": "on the next line",
    "disable": "until the matching enable",
    "disable-file": "in this file",
}


def _delete_code(ctx: LintContext, directive, ref) -> Fix:
    tokens = [r.token for r in directive.codes]
    index = tokens.index(ref.token)
    if index + 1 < len(tokens):  # `A, B` -> `B`: up to the next code
        start, end = ref.token.span.start, tokens[index + 1].span.start
    else:  # `A, B` -> `A`: from the end of the previous code
        start, end = tokens[index - 1].span.end, ref.token.span.end
    return Fix(f"remove {ref.token.text} from the suppression", (Edit(directive.line.at(Cols(start, end)), ""),), True)


@rule("UPD-094", spec="docs/innolint.md Suppressions")
def unknown_suppression(ctx: LintContext):
    r"""An `# innolint:` directive that cannot be understood.

    ## What it does
    Reports a directive with a misspelt or missing action (the actions are
    `disable-next-line`, `disable`, `enable` and `disable-file`), with no
    codes, or naming a rule that does not exist.

    ## Why is this bad?
    The directive suppresses nothing, so the author believes a finding is
    silenced that is not, or a code that was renumbered no longer means
    what it did.

    ## Example
    ```
    # innolint: disable-next-line=UPD-999 -- staged rollout
    mod cmd UP1 check iresetn 2024-06-01
    ```
    Reported at 1:31.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    No fix: which rule was meant is unknown.
    """
    for suppression in directives(ctx.script):
        line = suppression.line
        if suppression.problem:
            span = line.at(line.action) if line.action.text else line.span
            yield ctx.finding(span, suppression.problem)
        for ref in suppression.codes:
            if ref.code is None:
                yield ctx.finding(line.at(ref.token), f"unknown rule {ref.token.text!r} in innolint directive")


@rule("UPD-095", spec="docs/innolint.md Suppressions")
def suppression_without_reason(ctx: LintContext):
    r"""A suppression gives no reason (with `require-reason`).

    ## What it does
    When the setting `require-reason` is on, reports a `disable`,
    `disable-next-line` or `disable-file` directive without a reason after
    ` -- `.

    ## Why is this bad?
    A suppression is a decision; without its reason the next reader cannot
    tell whether it still holds.

    ## Example
    Settings: require-reason=true
    ```
    # innolint: disable-next-line=UPD-090
    mod\x01cmd UP1 check iresetn 2024-06-01
    ```
    Reported at 1:13.

    ## Use instead
    ```
    # innolint: disable-next-line=UPD-090 -- vendor tool writes this byte
    mod\x01cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    No fix: only the author knows the reason.
    """
    if not ctx.settings.require_reason:
        return
    for suppression in directives(ctx.script):
        if suppression.action.startswith("disable") and not suppression.line.reason:
            yield ctx.finding(
                suppression.line.at(suppression.line.action),
                f"`{suppression.action}` without a reason; add ` -- why` (require-reason is on)",
            )
