"""S. Source and syntax: what is wrong before the language begins."""

from __future__ import annotations

from ...syntax import ast
from ..context import LintContext
from ..diagnostic import Fix
from ..rule import rule


@rule("UPD-090", spec="innovaphone-spec.md 3", kinds=(ast.SyntaxErrorLine,))
def syntax_error(ctx: LintContext, line: ast.SyntaxErrorLine):
    r"""A line cannot be read as a command.

    ## What it does
    Reports a line that contains a control character (other than the tab)
    outside a comment, so it cannot be split into words at all.

    ## Why is this bad?
    The device splits each line at blanks and sends the words to a module; a
    stray control character (often pasted from a word processor or left by a
    broken transfer) makes the line mean something nobody wrote.

    ## Example
    ```
    mod\x01cmd UP1 check iresetn 2024-06-01
    ```
    Reported at 1:4.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    No fix: which character was meant is unknown.
    """
    yield ctx.finding(line.error, f"syntax error: {line.message}")


@rule("UPD-091", spec="innovaphone-spec.md 3")
def not_utf8(ctx: LintContext):
    r"""The file is not valid UTF-8 (read as latin-1), or is UTF-16 or UTF-32.

    ## What it does
    Reports a file whose bytes are not valid UTF-8. innoscript reads it as
    latin-1 and keeps that encoding when it writes fixes back.  A file in
    UTF-16 or UTF-32 (Notepad's "Unicode", PowerShell 5's default), found by
    its byte-order mark or by the pattern of NUL bytes, is read as such and
    reported as "UTF-16: save it as UTF-8".

    ## Why is this bad?
    Configuration values are URL-encoded on the device side (`%20`); raw
    8-bit characters end up in names and URLs in whatever code page the
    editor used, and different tools read them differently.

    ## Example
    ```
    config add CMD0 /name Caf\xe9
    ```
    Reported at 1:26.

    ## Use instead
    ```
    config add CMD0 /name Caf%C3%A9
    ```

    ## Fix safety
    UTF-16 and UTF-32 files: the fix saves the file as UTF-8, the text
    unchanged.  It is unsafe: a device that expects the ANSI code page reads
    non-ASCII characters differently.  A latin-1 file gets no fix:
    re-encoding it is the author's decision.
    """
    for problem in ctx.source.problems:
        if problem.kind == "not-utf8":
            yield ctx.finding(ctx.source.span(problem.offset, problem.offset + 1), problem.message)
        elif problem.kind == "wide":
            convert = Fix("save the file as UTF-8", (), False, encoding="utf-8")
            yield ctx.finding(ctx.source.span(0, 0), problem.message, fix=convert)


@rule("UPD-092", spec="innovaphone-spec.md 3")
def binary_file(ctx: LintContext):
    r"""The file is binary, not an update script.

    ## What it does
    Reports a file that contains NUL bytes: a firmware image or a compressed
    backup given where a script was expected.

    ## Why is this bad?
    A device that polls this file as its update script runs garbage.

    ## Example
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ser 13-5001234\x00
    ```
    Reported at 1:1.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ser 13-5001234
    ```

    ## Fix safety
    No fix.
    """
    for problem in ctx.source.problems:
        if problem.kind == "binary":
            yield ctx.finding(ctx.source.span(0, 0), problem.message)
