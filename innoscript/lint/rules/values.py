"""B. Option values the catalogue's value kinds cannot read, for options no dedicated rule checks."""

from __future__ import annotations

from ...syntax import ast
from ...values import Invalid
from ..context import LintContext
from ..rule import rule

# Options whose unreadable values a dedicated rule reports with its own
# advice: `/allow` (UPD-020, UPD-022), `/initial` (UPD-023), scfg's
# `/force` (UPD-052).  Every other option of a known command is checked
# here, so an option added to the catalogue is checked without a new rule.
DEDICATED = {
    ("UP1", "times"): ("/allow", "/initial"),
    ("UP0", "scfg"): ("/force",),
}


@rule("UPD-078", spec="innovaphone-spec.md 3, 5, 10.10", kinds=(ast.ModCommand,))
def invalid_option_value(ctx: LintContext, line: ast.ModCommand):
    """An option's value is not of the kind the command takes.

    ## What it does
    Reports an option of a known `mod cmd` command whose value cannot be
    read as the kind the command catalogue gives it (a whole number in
    ASCII digits, a URL, a URL-encoded command, ...), or that lacks its
    value. Options with a rule of their own (`/allow`, `/initial`, scfg's
    `/force`) are left to that rule.

    ## Why is this bad?
    The device cannot read the value, so the command does not do what the
    line says: the interpreter logs an error and the line does nothing.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/update/query.php?sn=#m ser nop /always
    ```
    Reported at 2:65.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/update/query.php?sn=#m ser nop /always mod%20cmd%20CMD0%20xml-info
    ```

    ## Fix safety
    No fix: the value meant is the author's choice.

    ## Source
    innovaphone-spec.md 3 (values are single words), 5 (the commands and
    their options), 10.10 (a malformed line is an error).
    """
    spec = line.spec
    if spec is None:
        return None
    found = None
    for option in line.options:
        invalid = option.parsed
        if not isinstance(invalid, Invalid):  # option.invalid, without the property: most options
            continue
        if option.key not in DEDICATED.get((spec.module, spec.verb), ()):
            if found is None:
                found = []
            # A missing value's message already names the option.
            named = f"`{option.key}`" in invalid.message
            found.append(ctx.finding(invalid.span, invalid.message if named else f"`{option.key}`: {invalid.message}"))
    return found
