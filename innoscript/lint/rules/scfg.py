"""F. `scfg`: configuration backups."""

from __future__ import annotations

from bisect import bisect_right

from ... import catalog
from ...source import Cols
from ...syntax import ast
from ..context import LintContext
from ..diagnostic import Edit, Fix
from ..rule import rule
from .. import facts


def _backups(ctx: LintContext) -> list[int]:
    """The numbers of the scfg lines whose URL is in place (the optional words read as written)."""
    shapes, has_url = ctx.script.shapes, facts.has_url
    return [number for number in ctx.numbers(ast.Scfg) if has_url(shapes[number - 1])]


def _optionals(line: ast.Scfg) -> list[ast.Token | ast.Option]:
    return [part for part in (line.final, line.serial, line.force) if part is not None]


def _rolling_index(line: ast.Scfg) -> ast.Meta | None:
    for meta in line.url.metas:
        if catalog.meta_code(meta.text) == "#b":
            return meta
    return None


@rule("UPD-051", spec="lint-rules.md UPD-051; innovaphone-spec.md 6.2")
def rolling_index_reused(ctx: LintContext):
    """The rolling backup index (`#b5`) is used by more than one `scfg`.

    ## What it does
    Reports every `scfg` line after the first whose URL contains the rolling
    backup index `#b<n>`.

    ## Why is this bad?
    The index "can only be used once in an update script": there is one
    CFG-BACKUP-NUM counter, so several backups that use it advance the same
    counter and overwrite each other's files.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-a-#b5.txt ser DAILY /force 24
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-b-#b5.txt ser DAILY /force 168
    ```
    Reported at 3:43.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser DAILY /force 24
    ```

    ## Fix safety
    No fix: which backup keeps the index is the author's decision.

    ## Source
    lint-rules.md UPD-051; innovaphone-spec.md 6.2 [RUS].
    """
    first: tuple[str, tuple] | None = None  # what every later use is told
    shapes = ctx.script.shapes
    for number in ctx.shared(_backups):
        use = _rolling_index(shapes[number - 1])
        if use is None:
            continue
        if first is None:
            first = (f"the rolling backup index is already used on line {number}: it can be used by one "
                     "scfg per script only; the backups overwrite each other",
                     (ctx.related(ctx.at(number, use), "first use of the rolling index"),))
            continue
        yield ctx.finding(ctx.at(number, use), first[0], related=first[1])


@rule("UPD-052", spec="lint-rules.md UPD-052; innovaphone-spec.md 5.6", kinds=(ast.Scfg,))
def scfg_optionals_malformed(ctx: LintContext, line: ast.Scfg):
    """Malformed optional `scfg` parameters.

    ## What it does
    Reports an `scfg` line with a final command but no save-serial, `/force`
    without a save-serial, `/force` without a whole number of hours (ASCII
    digits). (`/always` without its command is UPD-078's.) The form is `scfg <url> [<final-command> <save-serial> [/force <hours>]]`.

    ## Why is this bad?
    `/force` only acts on an unchanged save-serial; without one the line does
    not say what the author meant, and the device may read the words
    differently.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser /force 168
    ```
    Reported at 2:45.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    No fix: the serial or number of hours meant is not known.

    ## Source
    lint-rules.md UPD-052; innovaphone-spec.md 5.6 [RUS].
    """
    if not facts.has_url(line):
        return
    if line.final is not None and line.serial is None:
        yield ctx.finding(
            line.final.span,
            f"`scfg` has a final command (`{line.final.text}`) but no save-serial: write "
            "`<final-command> <save-serial> [/force <hours>]`",
        )
    elif line.force is not None and line.final is None:
        yield ctx.finding(
            line.force.name.span,
            "`/force` needs a final command and a save-serial before it: write "
            "`<final-command> <save-serial> /force <hours>`",
        )
    if line.force is not None:
        value = line.force.value
        if value is None:
            yield ctx.finding(line.force.name.span, "`/force` needs a number of hours")
        elif line.force.invalid is not None:
            yield ctx.finding(value.span, f"`/force {value.text}`: the hours must be a whole number such as 168")


@rule("UPD-053", spec="lint-rules.md UPD-053; innovaphone-spec.md 5.6, 11", kinds=(ast.Scfg,),
      applies=lambda ctx: ctx.target_before("v7"))
def scfg_optionals_before_v7(ctx: LintContext, line: ast.Scfg):
    """Optional `scfg` parameters on firmware older than V7.

    ## What it does
    When the target version is older than v7, reports the final command,
    save-serial and `/force` of an `scfg` line.

    ## Why is this bad?
    The optional parameters are recognised from V7.00 on. Older firmware
    ignores them and uploads on every execution, which is not what the
    serial and `/force` promise.

    ## Example
    Settings: target-version=v6
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://192.168.0.10/bak/#m-#b5.txt ser WEEKLY /force 168
    ```
    Reported at 2:53.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://192.168.0.10/bak/#m-#b5.txt
    ```

    ## Fix safety
    No fix: whether to drop the parameters or to raise the firmware is the
    author's decision.

    ## Source
    lint-rules.md UPD-053; innovaphone-spec.md 5.6, 11 [RUS].
    """
    if not ctx.target_before("v7"):
        return
    if not facts.has_url(line):
        return
    parts = _optionals(line)
    if parts:
        span = Cols(parts[0].span.start, max(p.span.end for p in parts))
        yield ctx.finding(
            span,
            f"scfg's final command, save-serial and /force are recognised from V7.00 on (target "
            f"{ctx.settings.target_version}): older firmware ignores them and uploads on every run",
        )


@rule("UPD-054", spec="lint-rules.md UPD-054; innovaphone-spec.md 5.6", kinds=(ast.Scfg,))
def scfg_without_serial(ctx: LintContext, line: ast.Scfg):
    """`scfg` without a save-serial uploads on every poll.

    ## What it does
    Reports an `scfg` line without final command, save-serial or `/force`
    (for targets from V7 on, where they exist).

    ## Why is this bad?
    Nothing limits the upload: every poll PUTs the whole configuration. That
    is fine with a server that discards unchanged uploads (the official one
    does), otherwise it is heavy traffic and churns the rolling index.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    No fix: the backup period is the author's choice.

    ## Source
    lint-rules.md UPD-054; innovaphone-spec.md 5.6; official server [PHPUS].
    """
    if ctx.target_before("v7"):
        return
    if not facts.has_url(line):
        return
    if not _optionals(line) and line.always is None:
        yield ctx.finding(
            line.verb.span if line.verb else line.span,
            "`scfg` without a save-serial uploads on every poll; add e.g. `ser WEEKLY /force 168` "
            "unless the server discards unchanged uploads",
        )


@rule("UPD-055", spec="lint-rules.md UPD-055; innovaphone-spec.md 5.1, 5.6")
def scfg_below_check(ctx: LintContext):
    """`scfg` below a `check` line.

    ## What it does
    Reports an `scfg` line that stands below the first `check` of the script.

    ## Why is this bad?
    Once the check serial is stored, the rest of the script, the backup
    included, is skipped on every poll; `/force` cannot help because the line
    is never reached. Periodic backups belong above `check` (after `times`).

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-01
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168
    config add CMD0 /name Lobby
    config write
    config activate
    ```
    Reported at 3:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168
    mod cmd UP1 check iresetn 2024-06-01
    config add CMD0 /name Lobby
    config write
    config activate
    ```

    ## Fix safety
    The fix moves the `scfg` line above the `check`. It is unsafe: the backup
    then runs on every poll (as a periodic backup should), which changes
    what the script does.

    ## Source
    lint-rules.md UPD-055; innovaphone-spec.md 5.1, 5.6 [RUS].
    """
    if ctx.payload:
        return
    checks = ctx.numbers(ast.Check)
    if not checks:
        return
    check = ctx.line(checks[0])  # the first check
    # The same for every backup below the check (a large script has thousands).
    newline = check.newline or ctx.script.newline
    above = ctx.source.span(check.span.start, check.span.start)
    message = (f"backup below the `check` on line {check.number}: once that serial is stored the backup never "
               "runs again; move it above the check")
    related = (ctx.related(check.at(check.verb) if check.verb else check.span, "the check that skips it"),)
    backups = ctx.numbers(ast.Scfg)
    shapes = ctx.script.shapes
    for number in backups[bisect_right(backups, check.number):]:
        line = shapes[number - 1]  # the parse: placed only where reported (ctx.at, ctx.deletion)
        moved = (Edit(above, line.text + newline), ctx.deletion(number, line))
        yield ctx.finding(
            ctx.at(number, line.verb) if line.verb else ctx.span(number),
            message,
            fix=Fix("move the backup above the check", moved, False),
            related=related,
        )


@rule("UPD-056", spec="lint-rules.md UPD-056; innovaphone-spec.md 6.1", kinds=(ast.Scfg, ast.ConfigLine), needs="#")
def unknown_meta_sequence(ctx: LintContext, line: ast.Command):
    """Unknown meta sequence in an `scfg` URL or the update URL.

    ## What it does
    Reports a `#` sequence that is not in the documented table (`#F #B #H #h
    #m #d #b<n> #i`, and `#t` of the official server) in the URL of an `scfg`
    line or in an update URL set with `config add|change UP1 /url`, the two
    places where meta sequences are expanded.

    ## Why is this bad?
    An unknown sequence stays literal (or, worse, is read as a URL fragment),
    so all devices upload to, or poll, the same wrong name.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#n.txt
    ```
    Reported at 2:38.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#m.txt
    ```

    ## Fix safety
    No fix: the sequence meant is not known.

    ## Source
    lint-rules.md UPD-056; innovaphone-spec.md 6.1 [RUS][PHPUS].
    """
    if "#" not in line.text:
        return None  # no meta sequence at all
    if isinstance(line, ast.Scfg) and facts.has_url(line):
        uses = facts.url_metas(line.url)
    else:
        uses = [u for token in facts.update_url_values(line) for u in facts.metas_in(token, ctx.source)]
    return [
        ctx.finding(
            use.span,
            f"unknown meta sequence `{use.text}`: known are #F #B #H #h #m #d #b<n> #i; it stays "
            "literal (a `#` may also end the URL's path)",
        )
        for use in uses
        if not use.known
    ]


@rule("UPD-057", spec="lint-rules.md UPD-057; innovaphone-spec.md 5.6, 14 Q5", kinds=(ast.Scfg,))
def scfg_always_form(ctx: LintContext, line: ast.Scfg):
    """The `scfg ... /always <command>` form.

    ## What it does
    Reports the `/always` option of an `scfg` line.

    ## Why is this bad?
    The form (upload a command's output instead of the configuration) is
    seen only in the official innovaphone update server's code; it is not in
    the documentation, and its exact behaviour and minimum version are not
    known.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/update/query.php?sn=#m ser nop /always mod%20cmd%20CMD0%20xml-info
    ```
    Reported at 2:65.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#m.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    No fix: keep the line when the firmware is known to support it (disable
    the rule with a reason).

    ## Source
    lint-rules.md UPD-057; innovaphone-spec.md 5.6, 14 Q5 [PHPUS].
    """
    if line.always is not None:
        yield ctx.finding(
            line.always.name.span,
            "`scfg ... /always` is undocumented (seen only in the official server's code): behaviour and "
            "minimum firmware version are unknown",
        )


@rule("UPD-058", spec="lint-rules.md UPD-058; innovaphone-spec.md 5.6", kinds=(ast.Scfg,))
def scfg_url_ends_with_slash(ctx: LintContext, line: ast.Scfg):
    """`scfg` URL ends with `/`.

    ## What it does
    Reports an `scfg` URL whose path ends with `/`.

    ## Why is this bad?
    No default file name is documented for uploads: the PUT targets a
    directory, which servers refuse or which every device overwrites.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/ ser WEEKLY /force 168
    ```
    Reported at 2:18.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    No fix: the file name scheme is the author's choice.

    ## Source
    lint-rules.md UPD-058; innovaphone-spec.md 5.6 [INF].
    """
    if not facts.has_url(line):
        return
    url = line.url.parts
    if url is not None and (url.path == "" or url.path.endswith("/")):
        yield ctx.finding(
            line.url.span,
            "the backup URL ends with `/`: uploads have no default file name; name the file, e.g. "
            "`#h-#b5.txt`",
        )


@rule("UPD-059", spec="lint-rules.md UPD-059; innovaphone-spec.md 5.6, 7")
def scfg_save_serials_differ(ctx: LintContext):
    """Two `scfg` lines with different save-serials.

    ## What it does
    Reports an `scfg` line whose save-serial differs from the save-serial of
    an earlier `scfg` line. Lines without a save-serial do not count.

    ## Why is this bad?
    There is one UPDATE/SCFG variable. Each line overwrites it with its own
    serial, so on the next poll each finds it "changed" and uploads again:
    both back up on every poll and `/force` never matters.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-daily.txt ser DAILY /force 24
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-weekly.txt ser WEEKLY /force 168
    ```
    Reported at 3:56.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-daily.txt ser DAILY /force 24
    ```

    ## Fix safety
    No fix: keep one backup per script, or drop the second one's serial
    deliberately.

    ## Source
    lint-rules.md UPD-059; innovaphone-spec.md 5.6, 7 [INF].
    """
    first_by_serial: dict[str, int] = {}  # serial -> line number, in order of appearance
    for number in ctx.shared(_backups):
        serial = ctx.shape(number).serial  # placed only where reported (ctx.at)
        if serial is None:
            continue
        # The first earlier scfg with another serial: at most two entries are looked at.
        other = next((n for text, n in first_by_serial.items() if text != serial.text), None)
        first_by_serial.setdefault(serial.text, number)
        if other is not None:
            other_serial = ctx.shape(other).serial
            yield ctx.finding(
                ctx.at(number, serial),
                f"save-serial `{serial.text}` differs from `{other_serial.text}` on line {other}: "
                "both write UPDATE/SCFG, so both upload on every poll; use one scfg per script",
                related=(ctx.related(ctx.at(other, other_serial), "the other save-serial"),),
            )
