"""I. Configuration commands and UP1 housekeeping."""

from __future__ import annotations

from ... import catalog
from ...source import Cols
from ...syntax import ast
from ..context import LintContext
from ..rule import rule
from .. import facts

MIN_POLL = 15  # minutes: the default and the lowest recommended interval [ASCOM5]


def _changes_below(ctx: LintContext, stop) -> list[int]:
    """The numbers of the `config add|change` lines below the last configuration line for which
    ``stop(number)`` holds (read from the end up: UPD-070 and UPD-071 ask for the last few)."""
    found = []
    shapes = ctx.script.shapes
    for number in reversed(ctx.numbers(ast.ConfigLine)):
        if stop(number):
            break
        if facts.changes_config(shapes[number - 1]):
            found.append(number)
    found.reverse()
    return found


def _last_write(ctx: LintContext, below: int = 0, loads: bool = True) -> int:
    """The number of the last `config write` below line ``below`` (with ``loads``: or `cfg` load,
    which appends `config write`), else 0."""
    cfgs = ctx.numbers(ast.Cfg) if loads else ()
    last = max(cfgs[-1] if cfgs else 0, below)  # only configuration lines below it are read
    shapes = ctx.script.shapes
    for number in reversed(ctx.numbers(ast.ConfigLine)):
        if number <= last:
            break
        if facts.is_config(shapes[number - 1], "write"):
            return number
    return last if last > below else 0


def _head_span(ctx: LintContext, number: int):
    """From `config` to the module name (or the verb) of line ``number``: what the line changes."""
    line = ctx.shape(number)
    last = line.module or line.verb or line.keyword
    return ctx.at(number, Cols(line.keyword.span.start, last.span.end))


@rule("UPD-070", spec="lint-rules.md UPD-070; innovaphone-spec.md 5.7, 5.10")
def config_not_written(ctx: LintContext):
    """`config add` / `config change` without a later `config write`.

    ## What it does
    Reports a `config add` or `config change` line that no later `config
    write` (or `cfg` load, which ends with one) follows. Not reported in a
    file loaded by `cfg` (mode `cfg-payload`): `cfg` writes for it.

    ## Why is this bad?
    Changes that are not written are lost at the next restart: the device
    runs with them until then and silently falls back afterwards.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-05
    config add CMD0 /name Lobby
    config activate
    ```
    Reported at 3:1.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-05
    config add CMD0 /name Lobby
    config write
    config activate
    ```

    ## Fix safety
    The fix adds `config write` after the last change that is not written. It
    is unsafe: a change meant to last only until the next restart becomes
    permanent.

    ## Source
    lint-rules.md UPD-070; innovaphone-spec.md 5.7, 5.10 [RUS][INF].
    """
    if ctx.payload:
        return
    last_write = _last_write(ctx)
    unwritten = _changes_below(ctx, lambda number: number <= last_write)
    if not unwritten:
        return
    fix = ctx.insert_line_after(ctx.line(unwritten[-1]), "config write", "add `config write` after the changes",
                                safe=False)
    for number in unwritten:
        yield ctx.finding(
            _head_span(ctx, number),
            "configuration change without a later `config write`: it is lost at the next restart; add "
            "`config write` after the changes",
            fix=fix,
        )


@rule("UPD-071", spec="lint-rules.md UPD-071; innovaphone-spec.md 4, 5.1, 5.10")
def config_never_activated(ctx: LintContext):
    """Configuration changed but never activated.

    ## What it does
    Reports a `config add` or `config change` line that nothing later
    activates: no `config activate`, no bare restart line (`iresetn`, ...) and
    no `check` whose final command restarts (it runs at the end). Not
    reported in a file loaded by `cfg`; configuration loaded by `cfg` is
    UPD-066's.

    ## Why is this bad?
    Writing a change does not activate it. The devices keep the old settings
    until they happen to restart, so the rollout seems to have failed.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-01
    config add CMD0 /name Lobby
    config write
    ```
    Reported at 3:1.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-01
    config add CMD0 /name Lobby
    config write
    config activate
    ```

    ## Fix safety
    The fix adds `config activate` after the last `config write` (or after the
    change). It is unsafe: some settings need a restart instead (use
    `iresetn` as the check's final command).

    ## Source
    lint-rules.md UPD-071; innovaphone-spec.md 4, 5.1, 5.10 [RUS].
    """
    if ctx.payload:
        return
    activation_after = ctx.shared(facts.activation_after)
    # Nothing activates a line only below the last activation (without a restarting check: nowhere).
    inactive = _changes_below(ctx, lambda number: activation_after(number) is not None)
    if not inactive:
        return
    anchor = _last_write(ctx, inactive[-1], loads=False) or inactive[-1]  # the last `config write` below the changes
    fix = ctx.insert_line_after(ctx.line(anchor), "config activate", "add `config activate`", safe=False)
    checks = ctx.numbers(ast.Check)
    check = ctx.line(checks[0]) if checks else None  # the first check
    related = (ctx.related(check.at(check.final), "the check's final command does not restart"),) if check and check.final else ()
    for number in inactive:
        yield ctx.finding(
            _head_span(ctx, number),
            "configuration change that is never activated: add `config activate` (and `iresetn` where a "
            "restart is needed), or give the check a restarting final command",
            fix=fix,
            related=related,
        )


@rule("UPD-072", spec="lint-rules.md UPD-072; innovaphone-spec.md 2.1, 5.10", kinds=(ast.ConfigLine,))
def config_change_up1(ctx: LintContext, line: ast.ConfigLine):
    """`config change UP1 ...` in an update script.

    ## What it does
    Reports `config change UP1` lines in an update script (not in a file
    loaded by `cfg`: saved configurations are written that way).

    ## Why is this bad?
    `config change` states a module's whole configuration the way saved
    configurations do, so settings the line omits (`/poll`, `/no-dhcp`) may
    be lost; the official server changes single UP1 settings with
    `config add UP1`. The line also makes the script self-modifying: the next
    poll may fetch another URL.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-20
    config change UP1 /url http://10.0.0.6/update/
    config write
    config activate
    ```
    Reported at 3:8.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-20
    config add UP1 /url http://10.0.0.6/update/
    config write
    config activate
    ```

    ## Fix safety
    The fix replaces `change` with `add`. It is unsafe: settings the line
    meant to reset by leaving them out are kept.

    ## Source
    lint-rules.md UPD-072; innovaphone-spec.md 2.1, 5.10 [PHPUS][INF].
    """
    module = line.module
    if module is None or module.text.upper() != "UP1" or ctx.payload:  # facts.config_module: most lines
        return None
    if facts.is_config(line, "change"):
        return [ctx.finding(
            line.verb.span,
            "`config change UP1` restates the whole update configuration (omitted settings such as /poll or "
            "/no-dhcp may be lost): use `config add UP1` for single settings",
            fix=ctx.replace(line.verb.span, "add", "use `config add UP1`", safe=False),
        )]


@rule("UPD-073", spec="lint-rules.md UPD-073; innovaphone-spec.md 2.1", kinds=(ast.ConfigLine,))
def poll_interval_short(ctx: LintContext, line: ast.ConfigLine):
    """Poll interval below 15 minutes.

    ## What it does
    Reports a `/poll` value below 15 in `config add|change UP1`.

    ## Why is this bad?
    Every poll of every device fetches the script: short intervals load big
    networks and the update server. 15 minutes is the default; lower values
    are discouraged (the official server polls every minute only while
    provisioning, and switches back).

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-07
    config add UP1 /poll 1
    config write
    config activate
    ```
    Reported at 3:22.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-07
    config add UP1 /poll 15
    config write
    config activate
    ```

    ## Fix safety
    The fix sets the interval to 15. It is unsafe: a deliberate fast-polling
    phase is lost.

    ## Source
    lint-rules.md UPD-073; innovaphone-spec.md 2.1 [ASCOM5][PHPUS].
    """
    module = line.module
    if module is None or module.text.upper() != "UP1" or not facts.is_up1_setting(line):  # most lines: not UP1
        return None
    found = []
    for option in line.options:
        value = option.value
        if option.name.text.lower() == "/poll" and value is not None and isinstance(option.parsed, int):
            minutes = option.parsed
            if minutes < MIN_POLL:
                unit = "minute" if minutes == 1 else "minutes"
                found.append(ctx.finding(
                    value.span,
                    f"poll interval of {minutes} {unit}: below {MIN_POLL} every device polls more "
                    f"often than recommended; use {MIN_POLL} or more",
                    fix=ctx.replace(value.span, str(MIN_POLL), f"poll every {MIN_POLL} minutes", safe=False),
                ))
    return found


@rule("UPD-077", spec="innovaphone-spec.md 2.1, 3", kinds=(ast.ConfigLine,))
def invalid_setting_value(ctx: LintContext, line: ast.ConfigLine):
    """A configuration setting's value is not what the device reads.

    ## What it does
    Reports values of the settings the catalogue knows (`UP1 /url`,
    `/poll`, `/poll-fast`) that their kind does not allow: a poll interval
    that is not a positive whole number of minutes in ASCII digits (`²`,
    `-5`, `1.5`, `0`), an update URL without `scheme://`, or a setting
    without its value.

    ## Why is this bad?
    The device cannot read the value: the setting is not applied, and a
    device told to poll every `١٥` minutes keeps its old interval, or a
    device given a broken update URL stops finding its script.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config add UP1 /poll 15min
    config write
    config activate
    ```
    Reported at 3:22.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config add UP1 /poll 15
    config write
    config activate
    ```

    ## Fix safety
    No fix: the value meant is the author's choice.

    ## Source
    innovaphone-spec.md 2.1 (settings), 3 (values are single words).
    """
    found = None  # a plain loop: most lines have no option in error
    for option in line.options:
        parsed = option.parsed
        if isinstance(parsed, ast.Invalid):
            if found is None:
                found = []
            found.append(ctx.finding(parsed.span, f"`{line.target} {option.name.text}`: {parsed.message}"))
    return found


@rule("UPD-074", spec="lint-rules.md UPD-074; innovaphone-spec.md 5.9", kinds=(ast.Up1Action,))
def up1_poll_in_script(ctx: LintContext, line: ast.Up1Action):
    """`mod cmd UP1 poll` inside an update script.

    ## What it does
    Reports `mod cmd UP1 poll` lines.

    ## Why is this bad?
    `poll` forces an immediate update: issued from the update script itself
    it asks for another run of the same script, a potential tight loop.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 poll
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    The fix deletes the line. It is unsafe only in that the extra run is
    gone, which is the point.

    ## Source
    lint-rules.md UPD-074; innovaphone-spec.md 5.9 [RUS][INF].
    """
    if line.spec is None or line.spec.verb != "poll":
        return
    yield ctx.finding(
        line.verb.span,
        "`mod cmd UP1 poll` in an update script asks for another run of the same script (a possible "
        "tight loop): remove it",
        fix=ctx.delete_line(line, "remove the poll line", safe=False),
    )


@rule("UPD-075", spec="lint-rules.md UPD-075; innovaphone-spec.md 5.9, 7", kinds=(ast.Up1Action,))
def up1_reinit_in_script(ctx: LintContext, line: ast.Up1Action):
    """`mod cmd UP1 reinit` inside an update script.

    ## What it does
    Reports `mod cmd UP1 reinit` lines.

    ## Why is this bad?
    `reinit` clears all update serials. The check serial is stored again at
    the end, but PROT, BOOT, BMC and SCFG are wiped on every run: prot falls
    back to the running build and scfg uploads again on every poll.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 reinit
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    The fix deletes the line. Unsafe: a one-off reset of the serials (for
    instance behind a `check`) is lost.

    ## Source
    lint-rules.md UPD-075; innovaphone-spec.md 5.9, 7 [R8-CGU][INF].
    """
    if line.spec is None or line.spec.verb != "reinit":
        return
    yield ctx.finding(
        line.verb.span,
        "`mod cmd UP1 reinit` clears the update serials on every run: downloads are compared with the "
        "running build again and backups upload on every poll; remove it",
        fix=ctx.delete_line(line, "remove the reinit line", safe=False),
    )


@rule("UPD-076", spec="lint-rules.md UPD-076; innovaphone-spec.md 2.1, 11")
def update_url_without_no_dhcp(ctx: LintContext):
    """Update URL set without `/no-dhcp` on V13r1 or later.

    ## What it does
    When the target version is v13r1 or later, reports
    `config add|change UP1 /url ...` when neither that line nor any other
    `config add|change UP1` line of the file sets `/no-dhcp`. A script
    cannot show how the devices first got their URL; what it can show is a
    URL that a DHCP offer may still replace.

    ## Why is this bad?
    From 13r1 a device with `/no-dhcp` ignores update URLs offered by DHCP;
    without it a DHCP option (215) can move the device back to another
    server. 13r3 says the update URL must not be deployed via DHCP (or
    my.innovaphone) at all, but set in the Devices "Expert configuration".

    ## Example
    Settings: target-version=v13r3
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config add UP1 /url http://10.0.0.5/update/
    config write
    config activate
    ```
    Reported at 3:16.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config add UP1 /url http://10.0.0.5/update/
    config add UP1 /no-dhcp
    config write
    config activate
    ```

    ## Fix safety
    The fix adds `config add UP1 /no-dhcp` after the line. It is unsafe:
    devices then ignore DHCP-offered URLs for good.

    ## Source
    lint-rules.md UPD-076; innovaphone-spec.md 2.1, 11 [R13r1-SU][R13r3-CUS].
    """
    if not ctx.target_at_least("v13r1"):
        return
    # `config rem UP1 /url` removes a setting: it sets neither a URL nor /no-dhcp.
    settings = [ctx.line(number) for number in ctx.numbers(ast.ConfigLine)
                if facts.is_up1_setting(ctx.shape(number)) and ctx.shape(number).spec.option_values]
    if any(o.name.text.lower() == "/no-dhcp" for line in settings for o in line.options):
        return
    for line in settings:
        for option in line.options:
            if option.name.text.lower() == "/url":
                yield ctx.finding(
                    line.at(option),
                    "update URL set without `/no-dhcp`: on 13r1 and later a DHCP-offered URL can replace it; add "
                    "`config add UP1 /no-dhcp` (13r3: set URL and interval in the Devices Expert configuration)",
                    fix=ctx.insert_line_after(line, "config add UP1 /no-dhcp", "add `config add UP1 /no-dhcp`", safe=False),
                )


@rule("UPD-079", spec="innovaphone-spec.md 5.10, 10.10", kinds=(ast.ConfigLine, ast.VarsLine))
def unknown_config_verb(ctx: LintContext, line: ast.ConfigLine | ast.VarsLine):
    """Unknown or missing `config` or `vars` verb.

    ## What it does
    Reports a `config` line whose verb is not one the command catalogue
    knows (`add`, `change`, `rem`, `write`, `activate`) and a `vars` line
    whose verb is not `create`, `del` or `read`, or that has no verb at all.
    It applies to update scripts and to the configurations `cfg` loads.

    ## Why is this bad?
    The device does not know the command: the line changes nothing, and
    what it was meant to set, store or activate does not happen.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config set CMD0 /name Lobby
    config write
    config activate
    ```
    Reported at 3:8.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check iresetn 2024-06-15
    config add CMD0 /name Lobby
    config write
    config activate
    ```

    ## Fix safety
    No fix: the verb meant is not known.

    ## Source
    innovaphone-spec.md 5.10 (config and vars verbs), 10.10.
    """
    if isinstance(line, ast.ConfigLine):
        known, verbs = line.spec is not None, catalog.CONFIG_VERBS
    else:
        known, verbs = line.verb is not None and line.verb.text in catalog.VARS_VERBS, catalog.VARS_VERBS
    if known:
        return
    listed = ", ".join(verbs)
    if line.verb is None:
        return [ctx.finding(line.keyword.span, f"`{line.keyword.text}` without a verb: write one of {listed}")]
    else:
        return [ctx.finding(
            line.verb.span, f"unknown {line.keyword.text} verb `{line.verb.text}`: the device knows {listed}"
        )]
