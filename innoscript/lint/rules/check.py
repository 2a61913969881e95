"""D. `check`: run the rest of a script once per serial."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from ... import catalog
from ...lazyregex import LazyRegex
from ...syntax import ast
from ..context import LintContext
from ..rule import rule
from .. import facts


def _last_guarding(ctx: LintContext) -> int:
    """The number of the last effective line that is not a bare restart, else 0 (for ``ctx.shared``)."""
    shapes = ctx.script.shapes
    for number in reversed(ctx.numbers(ast.Command)):
        if not facts.restarts(shapes[number - 1]):
            return number
    return 0


def _record_only(ctx: LintContext, number: int) -> bool:
    """Only bare reset-type lines (or nothing) follow the check on line ``number``: it guards nothing.

    That is: the check is the last command that is not a bare restart.
    """
    return number == ctx.shared(_last_guarding)


@rule("UPD-030", spec="lint-rules.md UPD-030; innovaphone-spec.md 5.1", kinds=(ast.Check,))
def check_arguments(ctx: LintContext, line: ast.Check):
    """`check` is not given both `<final-command>` and `<serial>`.

    ## What it does
    Reports `mod cmd UP1 check` lines with fewer than two arguments. (Words
    beyond the two are UPD-003.)

    ## Why is this bad?
    The syntax is `mod cmd UP1 check <final-command> <serial>`. With one word
    the device reads it as the final command and has no serial to compare:
    the guard does not work as intended.

    ## Example
    ```
    mod cmd UP1 check 2024-06-01
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    No fix: the final command is the author's choice.

    ## Source
    lint-rules.md UPD-030; innovaphone-spec.md 5.1.
    """
    if line.serial is not None:
        return
    if line.final is None:
        what = "no final command and no serial"
    elif facts.is_final_word(line.final.text):
        what = "no serial"
    else:
        what = f"one word `{line.final.text}` (the final command or the serial is missing)"
    return [ctx.finding(line.verb.span, f"check has {what}; the syntax is `mod cmd UP1 check <final-command> <serial>`")]


@rule("UPD-031", spec="lint-rules.md UPD-031; innovaphone-spec.md 5.1")
def changes_before_check(ctx: LintContext):
    """Commands that change the device stand above `check`.

    ## What it does
    Reports the first `check` line when configuration changes, variable
    changes, downloads (`prot`, `boot`, `bmc`, `cfg`) or `reinit`/`provision`
    stand above it. `times` and backups (`scfg`) above the check are fine,
    and a check that only records its serial at the end of the script
    (UPD-033) is not reported.

    ## Why is this bad?
    `check` skips only the commands *after* it. Everything above it runs on
    every poll: configuration is rewritten, counters reset, downloads
    re-checked, although the author meant them to run once.

    ## Example
    ```
    config add CMD0 /name Lobby
    mod cmd UP1 check iresetn 2024-06-01
    config write
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    config add CMD0 /name Lobby
    config write
    ```

    ## Fix safety
    No fix: moving lines changes what runs on every poll.

    ## Source
    lint-rules.md UPD-031; innovaphone-spec.md 5.1.
    """
    checks = ctx.numbers(ast.Check)
    if not checks or _record_only(ctx, checks[0]):
        return
    commands = ctx.numbers(ast.Command)
    shapes, changes_state = ctx.script.shapes, facts.changes_state
    above = [n for n in commands[:bisect_left(commands, checks[0])] if changes_state(shapes[n - 1])]
    if not above:
        return
    line = ctx.line(checks[0])
    lines = ", ".join(str(n) for n in above[:5]) + (" ..." if len(above) > 5 else "")
    many = len(above) > 1
    yield ctx.finding(
        line.at(line.verb),
        f"line{'s' if many else ''} {lines} above the check run{'' if many else 's'} on every poll, not once; "
        f"move {'them' if many else 'it'} below the check",
        related=tuple(ctx.related(ctx.span(n), "runs on every poll") for n in above[:5]),
    )


@rule("UPD-032", spec="lint-rules.md UPD-032; innovaphone-spec.md 5.1, 14 Q10")
def several_checks(ctx: LintContext):
    """The script has more than one `check`.

    ## What it does
    Reports every `check` line after the first.

    ## Why is this bad?
    There is one UPDATE/CHECK variable, written only when the script has
    run to its end. Which of several serials is stored, and which check
    then skips what, is not documented.

    ## Example
    ```
    mod cmd UP1 check iresetn 2024-06-01
    config add CMD0 /name Lobby
    mod cmd UP1 check iresetn 2024-06-02
    config write
    ```
    Reported at 3:13.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-02
    config add CMD0 /name Lobby
    config write
    ```

    ## Fix safety
    No fix: merge the guarded parts under one serial.

    ## Source
    lint-rules.md UPD-032; innovaphone-spec.md 5.1, 14 (open question Q10).
    """
    checks = ctx.numbers(ast.Check)
    if len(checks) < 2:
        return
    message = (f"second `check` (the first is on line {checks[0]}): there is only one UPDATE/CHECK serial; "
               "use a single check with one serial")
    return ctx.after_the_first(checks, message, "first check")


@rule("UPD-033", spec="lint-rules.md UPD-033; innovaphone-spec.md 5.1, 12")
def check_records_only(ctx: LintContext):
    """`check` is the last effective command: it guards nothing, it only records its serial.

    ## What it does
    Reports a `check` line followed by nothing but bare restart lines such
    as `iresetn`.

    ## Why is this bad?
    It is not necessarily bad: the official update server ends its scripts
    this way on purpose, because it decides itself (from the `CHECK` query
    parameter) whether to send the script body. In a hand-written script
    the lines meant to run once are probably above the check by mistake.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    config add CMD0 /name Lobby
    config write
    mod cmd UP1 check iresetn 2024-06-01
    iresetn
    ```
    Reported at 4:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-01
    config add CMD0 /name Lobby
    config write
    ```

    ## Fix safety
    No fix: info only.

    ## Source
    lint-rules.md UPD-033; innovaphone-spec.md 5.1, 12 (official server output).
    """
    # The one check that can be the last line that is not a bare restart.
    number = ctx.shared(_last_guarding)
    if number and isinstance(ctx.shape(number), ast.Check):
        yield ctx.finding(
            ctx.at(number, ctx.shape(number).verb),
            "nothing but restarts follows this check: it only records its serial and skips nothing",
        )


@rule("UPD-034", spec="lint-rules.md UPD-034; innovaphone-spec.md 4, 5.1")
def restart_inside_check(ctx: LintContext):
    """A UP0 command below `check` restarts the device before the script's end.

    ## What it does
    Reports `prot`, `boot`, `bmc`, `cfg` and `scfg` lines after the first
    `check` whose final command restarts regardless of need (`reset`,
    `ireset`, `reboot`, `ireboot`) while more lines follow.

    ## Why is this bad?
    The check serial is stored only when the last line has run without
    interruption. A download that restarts the device mid-script leaves the
    lines below it for the next poll, runs the lines above it twice, and if
    the download repeats the serial is never stored at all.

    ## Example
    ```
    mod cmd UP1 check iresetn 2024-06-01
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234
    config add CMD0 /name Lobby
    config write
    config activate
    ```
    Reported at 2:38.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    mod cmd UP0 prot http://10.0.0.5/fw/ ser 13-5001234
    config add CMD0 /name Lobby
    config write
    config activate
    ```

    ## Fix safety
    When the check's own final command restarts (`iresetn`, `ireset`, ...),
    an unsafe fix writes `ser` in the UP0 line: the device then restarts
    once, at the end. With any other check final command there is no fix,
    since `ser` would lose the restart.

    ## Source
    lint-rules.md UPD-034; innovaphone-spec.md 4 (deferred check commit, IP72 note), 5.1.
    """
    checks = ctx.numbers(ast.Check)
    if not checks:
        return
    guard = ctx.line(checks[0])
    guard_final = facts.final_of(guard.final)
    fixes = guard_final is not None and guard_final.restarts
    last = ctx.numbers(ast.Command)[-1]  # a restart on the last line ends the guarded part anyway
    related = None  # the same for every finding: made at the first
    transfers = ctx.numbers(ast.Download, ast.Scfg, ast.Cfg)
    shapes = ctx.script.shapes
    for number in transfers[bisect_right(transfers, guard.number):]:
        line = shapes[number - 1]  # the parse: placed only where reported (ctx.at)
        if number == last or not facts.has_url(line) or not facts.restarts_unconditionally(facts.final_of(line.final)):
            continue
        where = ctx.at(number, line.final)
        fix = ctx.replace(where, "ser", "write `ser` and let the check restart at the end", safe=False) if fixes else None
        if related is None:
            related = (ctx.related(guard.span, "the check whose serial is stored only at the end"),)
        yield ctx.finding(
            where,
            f"`{line.final.text}` restarts the device in the middle of the part guarded by the check on line "
            f"{guard.number}: the serial is not stored and the lines below wait for the next poll; use `ser` "
            "and restart once at the end",
            fix=fix,
            related=related,
        )


@rule("UPD-035", spec="lint-rules.md UPD-035; innovaphone-spec.md 4, 5.1", kinds=(ast.Check,))
def check_immediate_restart(ctx: LintContext, line: ast.Check):
    """The final command of `check` restarts immediately (`reset`, `reboot`).

    ## What it does
    Reports `check` lines whose final command restarts without waiting for
    the device to be idle: `reset`, `reboot` and `resetn`.

    ## Why is this bad?
    `reset` restarts at once, cutting calls in progress; `ireset`,
    `iresetn` and `ireboot` wait until the device is not in use.

    ## Example
    ```
    mod cmd UP1 check reset 2024-06-01
    ```
    Reported at 1:19.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    Unsafe: writes the waiting variant (`reset` becomes `ireset`, `reboot`
    `ireboot`, `resetn` `iresetn`), which delays the restart until the
    device is idle.

    ## Source
    lint-rules.md UPD-035; innovaphone-spec.md 4 (final commands), 5.1.
    """
    if line.serial is None:
        return  # the reading of a short line is UPD-030's
    final = facts.final_of(line.final)
    if final is None or not final.restarts or final.when_idle:
        return
    idle = "i" + final.word
    return [ctx.finding(
        line.final.span,
        f"`{line.final.text}` restarts immediately and cuts calls in progress; `{idle}` waits until the "
        "device is idle",
        fix=ctx.replace(line.final.span, idle, f"write `{idle}`", safe=False) if idle in catalog.FINAL_COMMANDS else None,
    )]


_SERIAL_CHARS = LazyRegex(r"^[A-Za-z0-9._:-]+$")
_SERIAL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-")


def _plain_serial(text: str) -> bool:
    """_SERIAL_CHARS matches ``text``, read with str methods (the pattern decides for a text
    with a line break, where its `$` differs)."""
    if "\n" in text:
        return _SERIAL_CHARS.match(text) is not None
    return bool(text) and _SERIAL_ALPHABET.issuperset(text)
# A date followed by a time of day: `20051010-170130` (the #d format),
# `2024-06-01T12:30`, `2024-06-01_1230`.
_DATE_TIME = LazyRegex(  # compiled for serials with digits enough (facts.date_time_digits)
    r"(?:19|20)\d{2}(?:\d{4}|-\d{2}-\d{2})[-_T.]?\d{2}[:.-]?\d{2}(?:[:.-]?\d{2})?(?!\d)"
)


_TRANSFERS = (ast.Download, ast.Scfg, ast.Cfg)  # facts.Transfer as a tuple: isinstance reads a tuple faster


@rule(
    "UPD-037",
    spec="lint-rules.md UPD-037; innovaphone-spec.md 5.1, 6",
    kinds=(ast.Check, ast.Download, ast.Cfg, ast.Scfg),
)
def suspicious_serial(ctx: LintContext, line: ast.Command):
    """A serial contains unusual characters or looks generated from the date and time.

    ## What it does
    Reports serials of `check`, `prot`, `boot`, `bmc`, `cfg` and `scfg` with
    characters other than letters, digits and `._:-`, and serials shaped
    like a date-and-time stamp (`20051010-170130`). Plain dates
    (`2024-06-01`) and content hashes are fine.

    ## Why is this bad?
    Serials are compared as strings with the stored one. A `#` is not
    expanded (meta sequences work only in URLs), so `#d` is the literal
    text `#d`. A serial generated from the current time changes every time
    the script is generated, so the guarded part runs on every poll.

    ## Example
    ```
    mod cmd UP1 check iresetn #d
    ```
    Reported at 1:27.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01a
    ```

    ## Fix safety
    No fix: the serial is the author's choice.

    ## Source
    lint-rules.md UPD-037; innovaphone-spec.md 5.1, 6 (meta sequences only in URLs).
    """
    serial = line.serial  # (_serials, without its list: one serial at most)
    if serial is None or (isinstance(line, _TRANSFERS) and (line.url is None or line.url.parts is None)):
        return None
    text = serial.text
    if "#" in text:
        return [ctx.finding(serial.span, f"`{text}`: meta sequences are not expanded in serials; write a fixed serial")]
    if not _plain_serial(text):
        return [ctx.finding(serial.span, f"serial `{text}` contains characters other than letters, digits and `._:-`")]
    if facts.date_time_digits(text) and _DATE_TIME.search(text):
        return [ctx.finding(
            serial.span,
            f"serial `{text}` looks like a date-and-time stamp: if it changes whenever the script is "
            "generated, the command runs on every poll; use a serial that changes only with the content",
        )]
    return None
