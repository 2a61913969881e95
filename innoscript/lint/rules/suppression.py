"""S. Suppressions: the `# innolint:` directives themselves."""

from __future__ import annotations

from ..context import LintContext
from ..rule import rule
from ..suppress import directives


@rule("UPD-093", "unused-suppression", "W", group="source", fix="safe", spec="docs/innolint.md Suppressions")
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
    # Found by the suppression pass (lint/suppress.py), which sees every
    # finding of every rule before suppressions drop them.
    return ()


@rule("UPD-094", "unknown-suppression", "W", group="source", spec="docs/innolint.md Suppressions")
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
            span = line.action.span if line.action.text else line.span
            yield ctx.finding(span, suppression.problem)
        for ref in suppression.codes:
            if ref.code is None:
                yield ctx.finding(ref.token.span, f"unknown rule {ref.token.text!r} in innolint directive")


@rule("UPD-095", "suppression-without-reason", "W", group="source", spec="docs/innolint.md Suppressions")
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
                suppression.line.action.span,
                f"`{suppression.action}` without a reason; add ` -- why` (require-reason is on)",
            )


# The cross-file note (UPD-068) lives with the code that resolves payloads.
from .. import crossfile  # noqa: E402,F401 - registers UPD-068
