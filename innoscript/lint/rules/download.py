"""E. `prot`, `boot`, `bmc` and the IP72 power-save commands."""

from __future__ import annotations

from ...syntax import ast
from ..context import LintContext
from ..diagnostic import Fix, Severity
from ..rule import rule
from .. import facts

_BOOT_FIX = {"reset": "reboot", "ireset": "ireboot"}
_SOFT_FIX = {"reboot": "reset", "ireboot": "ireset"}


def _downloads(ctx: LintContext) -> list[int]:
    """The numbers of the prot/boot/bmc lines whose URL is in place (their other words read as
    written); for ``ctx.shared``."""
    shapes, has_url = ctx.script.shapes, facts.has_url
    return [number for number in ctx.numbers(ast.Download) if has_url(shapes[number - 1])]


def _verb_span(ctx: LintContext, number: int):
    """Where the verb of line ``number`` stands (the whole line when it has none)."""
    verb = ctx.shape(number).verb
    return ctx.at(number, verb) if verb else ctx.span(number)


def _kind(line: ast.ModCommand) -> str:
    return line.spec.verb if line.spec is not None else (line.verb.text if line.verb else "")


# The lines facts.final_token finds a final command in.
_WITH_FINAL = (ast.FinalLine, ast.Download, ast.Scfg, ast.Cfg, ast.Check)


@rule("UPD-040", spec="lint-rules.md UPD-040; innovaphone-spec.md 2.2, 5.3", kinds=(ast.Download,))
def dotted_build_serial(ctx: LintContext, line: ast.Download):
    """A firmware build serial does not look like the device's own build number.

    ## What it does
    Reports the serial of a `prot` line when it is written the way the Info
    page prints a build (`07-60600.03`, with a dot), or when it does not have
    the shape of a build number (`NN-NNNNNNN`) at all.

    ## Why is this bad?
    While UPDATE/PROT is empty (new devices) the serial is compared with the
    running build, in the PROT format without a dot (`07-6060003`). A serial
    copied from the Info line never matches, so firmware that is already
    installed is downloaded and flashed again.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip800.bin ireset 07-60600.03
    ```
    Reported at 2:54.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip800.bin ireset 07-6060003
    ```

    ## Fix safety
    For a dotted serial the fix removes the dot. It is unsafe: it changes the
    serial, so devices that already stored the dotted one download once more.
    Other shapes have no fix (the right build number is not known).

    ## Source
    lint-rules.md UPD-040; innovaphone-spec.md 2.2 (standard parameters), 5.3 [RCGU].
    """
    url = line.url
    if url is None or url.parts is None:  # (facts.has_url)
        return None
    if line.serial is None or _kind(line) != "prot" or "#" in line.serial.text:
        return None
    serial = line.serial.text
    if "." in serial and facts.DOTTED_BUILD.match(serial):
        fixed = facts.undotted(serial)
        return [ctx.finding(
            line.serial.span,
            f"build serial `{serial}` is written as the Info page shows it; the device compares "
            f"`{fixed}` (no dot): use `{fixed}`",
            fix=ctx.replace(line.serial.span, fixed, f"use `{fixed}`", safe=False),
        )]
    elif not facts.is_build_serial(serial):
        return [ctx.finding(
            line.serial.span,
            f"build serial `{serial}` does not look like a firmware build number (such as 13-5021837); "
            "new devices compare it with their running build and download again: use the build number",
        )]


@rule("UPD-041", spec="lint-rules.md UPD-041; innovaphone-spec.md 5.3, 13.1", kinds=(ast.Download,))
def download_loop_risk(ctx: LintContext, line: ast.Download):
    """The serial of a download can disagree with what is downloaded: re-download or restart loop.

    ## What it does
    Reports a `prot` line whose URL names a build (a path segment such as
    `13-5001234/` or `13-5001234.bin`) other than its serial, and a
    prot/boot/bmc serial that carries a date-and-time stamp
    (`20240611-013000`), the mark of a script generated on every request.

    ## Why is this bad?
    The device never checks the serial against the file. When the file's
    build differs from the serial, every device that compares with its
    running build downloads again after each restart; a serial that changes
    on every generation makes every poll download and restart.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/13-5001234/ ireset 13-5001235
    ```
    Reported at 2:56.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/13-5001235/ ireset 13-5001235
    ```

    ## Fix safety
    No fix: which of the two is the real build is only known on the server.

    ## Source
    lint-rules.md UPD-041; innovaphone-spec.md 5.3, 13 item 1.
    """
    url = line.url
    if url is None or url.parts is None or line.serial is None:  # (facts.has_url)
        return None
    serial = line.serial.text
    if facts.date_time_digits(serial) and facts.DATE_TIME.search(serial):
        return [ctx.finding(
            line.serial.span,
            f"serial `{serial}` contains a date and time: if the script is generated per request the "
            "serial changes on every poll and the device downloads and restarts each time; use the build number",
        )]
    if _kind(line) != "prot":
        return None
    builds = facts.build_segments(url.parts)
    if not builds:
        return None  # most URLs name no build
    wanted = facts.undotted(serial)
    other = [b for b in builds if facts.undotted(b) != wanted]
    if other:
        return [ctx.finding(
            line.serial.span,
            f"the URL names build `{other[0]}` but the serial is `{serial}`: devices store one and "
            "run the other, so they download again; make directory, file and serial agree",
            related=(ctx.related(url.span, f"build {other[0]} in the URL"),),
        )]
    return None


@rule("UPD-042", spec="lint-rules.md UPD-042; innovaphone-spec.md 7")
def duplicate_download_kind(ctx: LintContext):
    """The same download kind (prot, boot, bmc or cfg) appears twice.

    ## What it does
    Reports every `prot`, `boot`, `bmc` or `cfg` line after the first of its
    kind.

    ## Why is this bad?
    Each kind writes one UPDATE variable. The second line compares its serial
    with the one the first just stored, finds it different and downloads
    again; on the next poll the first does the same. Both download on every
    poll.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip800.bin ser 07-6060002
    mod cmd UP0 prot http://10.0.0.5/fw/ip800.bin ser 07-6060003
    iresetn
    ```
    Reported at 3:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip800.bin ser 07-6060003
    iresetn
    ```

    ## Fix safety
    No fix: which of the lines is meant is the author's decision.

    ## Source
    lint-rules.md UPD-042; innovaphone-spec.md 7 (state variables).
    """
    # kind -> what every later line of that kind is told (a large script has thousands)
    first: dict[str, tuple[str, tuple]] = {}
    payload = ctx.payload
    found = []
    shapes, at, finding = ctx.script.shapes, ctx.at, ctx.finding  # (a large script has thousands)
    # The parses are read and only the reported words placed (ctx.at): no line node is made.
    for number in ctx.numbers(ast.Download, ast.Cfg):
        line = shapes[number - 1]
        if payload and isinstance(line, ast.Cfg):
            continue  # a nested cfg is UPD-065's finding
        kind = line.spec.verb if line.spec is not None else _kind(line)
        said = first.get(kind)
        where = at(number, line.verb) if line.verb else ctx.span(number)
        if said is None:
            first[kind] = (
                f"second `{kind}` line: both write UPDATE/{kind.upper()}, so each finds the other's serial and "
                f"downloads again on every poll; keep one `{kind}` per script",
                (ctx.related(where, f"first `{kind}` line"),),
            )
            continue
        found.append(finding(where, said[0], related=said[1]))
    return found


@rule("UPD-043", spec="lint-rules.md UPD-043; innovaphone-spec.md 4, 5.4", kinds=(ast.Download,),
      applies=lambda ctx: not ctx.target_before("v6sr2hf3") and (ctx.model is None or ctx.model.reboot))
def boot_without_reboot(ctx: LintContext, line: ast.Download):
    """Boot code activated with `reset`/`ireset` instead of `reboot`/`ireboot`.

    ## What it does
    Reports a `boot` line whose final command is `reset` or `ireset`, when the
    target has `reboot`/`ireboot` (V6.00 sr2-hotfix3 and later) and the model
    is not an IP21.

    ## Why is this bad?
    New boot code should be activated with a watchdog restart
    (`reboot`/`ireboot`); a soft restart keeps the old boot code running.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 boot http://192.168.0.10/firm/boot1200.bin ireset 205
    ```
    Reported at 2:56.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 boot http://192.168.0.10/firm/boot1200.bin ireboot 205
    ```

    ## Fix safety
    The fix replaces `reset` with `reboot` and `ireset` with `ireboot`. It is
    unsafe: the restart becomes a watchdog restart, which takes longer.

    ## Source
    lint-rules.md UPD-043; innovaphone-spec.md 4 (final commands), 5.4 [RUS].
    """
    if _kind(line) != "boot" or line.final is None or not facts.has_url(line):
        return None
    if ctx.target_before("v6sr2hf3") or (ctx.model is not None and not ctx.model.reboot):
        return None
    word = line.final.text.lower()
    if word in _BOOT_FIX:
        better = _BOOT_FIX[word]
        return [ctx.finding(
            line.final.span,
            f"boot code activated with `{line.final.text}`: use `{better}` so the new boot code "
            "starts with a watchdog restart",
            fix=ctx.replace(line.final.span, better, f"use `{better}`", safe=False),
        )]


@rule("UPD-044", spec="lint-rules.md UPD-044; innovaphone-spec.md 4, 11", kinds=_WITH_FINAL,
      applies=lambda ctx: (ctx.model is not None and not ctx.model.reboot) or ctx.target_before("v6sr2hf3"))
def reboot_unsupported(ctx: LintContext, line: ast.Command):
    """`reboot` / `ireboot` where they do not work (IP21) or may not exist yet (before V6.00 sr2-hotfix3).

    ## What it does
    Reports the final commands `reboot` and `ireboot` (of any command, or on a
    line of their own) as an error on an IP21, and as a warning when the
    target version is older than V6.00 sr2-hotfix3.

    ## Why is this bad?
    The two commands came with V6.00 sr2-hotfix3 and do not work on the IP21:
    the device does not restart, so new firmware or boot code stays inactive.

    ## Example
    Settings: model=IP21
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 boot http://192.168.0.10/firm/boot21.bin ireboot 205
    ```
    Reported at 2:54.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 boot http://192.168.0.10/firm/boot21.bin ireset 205
    ```

    ## Fix safety
    The fix replaces `reboot` with `reset` and `ireboot` with `ireset`. It is
    unsafe: a soft restart may not activate new boot code on models that
    have the watchdog restart.

    ## Source
    lint-rules.md UPD-044; innovaphone-spec.md 4 (final commands), 11 [RUS].
    Severity: error on an IP21, warning for the version (one rule, so
    `disable=UPD-044` covers both).
    """
    model = ctx.model
    not_on_model = model is not None and not model.reboot
    too_old = ctx.target_before("v6sr2hf3")
    if not (not_on_model or too_old):
        return
    token = facts.final_token(line)
    if token is None:
        return
    word = token.text.lower()
    if word not in _SOFT_FIX:
        return
    fix = ctx.replace(token.span, _SOFT_FIX[word], f"use `{_SOFT_FIX[word]}`", safe=False)
    if not_on_model:
        yield ctx.finding(
            token.span,
            f"`{token.text}` does not work on the {model.name}: use `{_SOFT_FIX[word]}`",
            fix=fix,
        )
    else:
        yield ctx.finding(
            token.span,
            f"`{token.text}` exists only since V6.00 sr2-hotfix3 (target {ctx.settings.target_version}): "
            f"use `{_SOFT_FIX[word]}` or raise the target version",
            fix=fix,
            severity=Severity.WARNING,
        )


@rule("UPD-045", spec="lint-rules.md UPD-045; innovaphone-spec.md 5.5", kinds=(ast.Download,),
      applies=lambda ctx: ctx.model is not None and not ctx.model.dect)
def bmc_not_dect(ctx: LintContext, line: ast.Download):
    """`bmc` on a device that is not a DECT device.

    ## What it does
    Reports a `mod cmd UP0 bmc` line when the model is known and is not a
    DECT device (IP1200, IPBS, IPBS2, IPBL).

    ## Why is this bad?
    `bmc` updates the DECT radio (burst-mode controller) code and exists only
    on DECT devices; anywhere else the line cannot do what it says.

    ## Example
    Settings: model=IP800
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 bmc http://192.168.0.10/firm/PCS04fd.bin ireset PCS04fd
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    The fix deletes the line. It is unsafe: when the model was guessed wrongly
    (file name), the radio code update is lost.

    ## Source
    lint-rules.md UPD-045; innovaphone-spec.md 5.5 [RUS].
    """
    model = ctx.model
    if model is None or model.dect or _kind(line) != "bmc":
        return None
    return [ctx.finding(
        line.verb.span if line.verb else line.span,
        f"`bmc` updates DECT radio code, but the {model.name} is not a DECT device: remove the line",
        fix=ctx.delete_line(line, "remove the bmc line", safe=False),
    )]


@rule("UPD-046", spec="lint-rules.md UPD-046; innovaphone-spec.md 5.8")
def ip72_download_without_activate_pwr(ctx: LintContext):
    """IP72 firmware or boot code download without a prior `mod cmd WLANMGR0 activate-pwr`.

    ## What it does
    On a WLAN phone (IP72), reports a `prot` or `boot` line that is not
    preceded by `mod cmd WLANMGR0 activate-pwr` (with no `deactivate-pwr` in
    between).

    ## Why is this bad?
    The IP72's power-save modes break bulk downloads (broken HTTP sessions,
    hanging updates). The web interface switches power save off for an
    upload; an update script must do it itself.

    ## Example
    Settings: model=IP72
    ```
    mod cmd UP1 times /allow 2,3,4 /initial 10
    mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 2,3,4 /initial 10
    mod cmd WLANMGR0 activate-pwr
    mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012
    mod cmd WLANMGR0 deactivate-pwr
    ```

    ## Fix safety
    The fix inserts `mod cmd WLANMGR0 activate-pwr` before the line and, unless
    a `deactivate-pwr` already follows, `mod cmd WLANMGR0 deactivate-pwr` after
    it. Safe: it is what the documentation prescribes.

    ## Source
    lint-rules.md UPD-046; innovaphone-spec.md 5.8 [RUS].
    """
    if ctx.model is None or not ctx.model.wlan:
        return
    active = False  # power save switched off by the last WLANMGR0 line seen
    pending: list[int] = []  # downloads that wait for the next WLANMGR0 line
    findings = []
    downloads = set(ctx.shared(_downloads))
    for number in ctx.numbers(ast.Download, ast.WlanPower):
        line = ctx.shape(number)
        if isinstance(line, ast.WlanPower):
            active = line.activate
            findings += [(d, not line.activate) for d in pending]
            pending = []
        elif number in downloads and _kind(line) in ("prot", "boot") and not active:
            pending.append(number)
    findings += [(d, False) for d in pending]
    for number, deactivated in sorted(findings):
        line = ctx.line(number)
        edits = ctx.insert_line_before(line, "mod cmd WLANMGR0 activate-pwr", "").edits
        if not deactivated:
            edits += ctx.insert_line_after(line, "mod cmd WLANMGR0 deactivate-pwr", "").edits
        yield ctx.finding(
            line.at(line.verb) if line.verb else line.span,
            f"IP72 `{_kind(line)}` download without `mod cmd WLANMGR0 activate-pwr` before it: power save "
            "breaks bulk downloads; switch it off before and on again after the download",
            fix=Fix("add `activate-pwr` before and `deactivate-pwr` after the download", edits, True),
        )


@rule("UPD-047", spec="lint-rules.md UPD-047; innovaphone-spec.md 5.8")
def activate_pwr_without_deactivate(ctx: LintContext):
    """`mod cmd WLANMGR0 activate-pwr` without a later `deactivate-pwr`.

    ## What it does
    Reports an `activate-pwr` line that no `deactivate-pwr` line follows.

    ## Why is this bad?
    When the download resets the phone the missing line is harmless, but when
    nothing is downloaded (the serial is current) or the final command is
    `ser`, the phone stays in active mode and drains its battery.

    ## Example
    Settings: model=IP72
    ```
    mod cmd UP1 times /allow 2,3,4 /initial 10
    mod cmd WLANMGR0 activate-pwr
    mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012
    ```
    Reported at 2:18.

    ## Use instead
    ```
    mod cmd UP1 times /allow 2,3,4 /initial 10
    mod cmd WLANMGR0 activate-pwr
    mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012
    mod cmd WLANMGR0 deactivate-pwr
    ```

    ## Fix safety
    The fix inserts `mod cmd WLANMGR0 deactivate-pwr` after the last download
    that follows the activation. Safe: it restores the configured power save.
    No fix when no download follows.

    ## Source
    lint-rules.md UPD-047; innovaphone-spec.md 5.8 [RUS].
    """
    wlan = ctx.numbers(ast.WlanPower)
    last_deactivate = max((n for n in wlan if not ctx.shape(n).activate), default=0)
    downloads = ctx.numbers(ast.Download)
    for number in wlan:
        if not ctx.shape(number).activate or last_deactivate > number:
            continue
        fix = None
        if downloads and downloads[-1] > number:
            fix = ctx.insert_line_after(ctx.line(downloads[-1]), "mod cmd WLANMGR0 deactivate-pwr",
                                        "add `deactivate-pwr` after the last download")
        yield ctx.finding(
            _verb_span(ctx, number),
            "`activate-pwr` is never undone: add `mod cmd WLANMGR0 deactivate-pwr` after the download, or the "
            "phone stays in active mode when nothing is downloaded",
            fix=fix,
        )


@rule("UPD-048", spec="lint-rules.md UPD-048; innovaphone-spec.md 5.8", kinds=(ast.ModCommand,),
      applies=lambda ctx: ctx.model is not None and not ctx.model.wlan)
def wlanmgr_not_wlan(ctx: LintContext, line: ast.ModCommand):
    """A `WLANMGR0` command in a script for a device that is not a WLAN phone.

    ## What it does
    Reports `mod cmd WLANMGR0 ...` lines when the model is known and is not a
    WLAN phone (IP72).

    ## Why is this bad?
    The power-save commands are special IP72 commands; other devices have no
    WLANMGR0 module, so the lines were usually copied from an IP72 script.

    ## Example
    Settings: model=IP232
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd WLANMGR0 activate-pwr
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5021837
    ```
    Reported at 2:9.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5021837
    ```

    ## Fix safety
    The fix deletes the line. It is unsafe when the model was guessed from a
    file name that does not match the devices that fetch it.

    ## Source
    lint-rules.md UPD-048; innovaphone-spec.md 5.8 [RUS].
    """
    if line.module is None or line.module.text.upper() != "WLANMGR0":
        return
    model = ctx.model
    if model is not None and not model.wlan:
        return [ctx.finding(
            line.module.span,
            f"WLANMGR0 commands are for IP72 WLAN phones, not for the {model.name}: remove the line",
            fix=ctx.delete_line(line, "remove the WLANMGR0 line", safe=False),
        )]


@rule("UPD-049", spec="lint-rules.md UPD-049; innovaphone-spec.md 4, 5.3")
def ser_download_never_activated(ctx: LintContext):
    """A download with final command `ser` and nothing later that restarts the device.

    ## What it does
    Reports a `prot`, `boot` or `bmc` line whose final command is `ser` (or
    `no-op`/`nop`) when no later line restarts the device: neither a bare
    restart line (`iresetn`, `ireset`, ...) nor a `check` whose final command
    restarts (it runs at the end of the script). A later download's own final
    command does not count: it runs only when that download happens.

    ## Why is this bad?
    The new firmware or boot code stays inactive until someone restarts the
    device, and because UPDATE/PROT (BOOT, BMC) already holds the new serial
    it is not downloaded again: the device silently keeps the old build.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5001234
    ```
    Reported at 2:47.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5001234
    iresetn
    ```

    ## Fix safety
    The fix adds a bare `iresetn` as the last line. Safe: it restarts only
    when a download requires it, and only when the device is idle.

    ## Source
    lint-rules.md UPD-049; innovaphone-spec.md 4, 5.3; official server pattern [PHPUS].
    """
    if ctx.payload:
        return  # UP0 lines cannot run in a cfg payload at all (UPD-065)
    restart_after = ctx.shared(facts.restart_after)
    fix = None  # the same for every finding: made at the first
    for number in ctx.numbers(ast.Download):
        line = ctx.shape(number)  # placed only where reported (ctx.at)
        if not facts.has_url(line) or not facts.is_noop_word(line.final) or line.serial is None:
            continue
        if restart_after(number) is not None:
            continue
        if fix is None:
            last = ctx.script.line(len(ctx.script))
            fix = ctx.insert_line_after(last, "iresetn", "add `iresetn` as the last line")
        yield ctx.finding(
            ctx.at(number, line.final),
            f"`{_kind(line)}` with `{line.final.text}` and nothing later restarts: the new code stays "
            "inactive and is not downloaded again; add a bare `iresetn` at the end",
            fix=fix,
        )


@rule("UPD-050", spec="lint-rules.md UPD-050; innovaphone-spec.md 4")
def restart_between_downloads(ctx: LintContext):
    """Several downloads where an earlier one restarts the device.

    ## What it does
    Reports a `prot`, `boot` or `bmc` line whose final command restarts
    (`ireset`, `reset`, `iresetn`, `resetn`, `ireboot`, `reboot`) when another
    download follows it.

    ## Why is this bad?
    The restart interrupts the script: the later download waits for the next
    poll, so the device restarts twice (and runs the lines before twice).
    Download everything with `ser` and restart once at the end.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5001234
    mod cmd UP0 boot http://10.0.0.5/fw/boot232.bin ireboot 140
    ```
    Reported at 2:47.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5001234
    mod cmd UP0 boot http://10.0.0.5/fw/boot232.bin ser 140
    ireboot
    ```

    ## Fix safety
    No fix: whether the final restart should be `iresetn` or `ireboot` depends
    on what was downloaded.

    ## Source
    lint-rules.md UPD-050; innovaphone-spec.md 4; official server pattern [PHPUS].
    """
    if ctx.payload:
        return  # UP0 lines cannot run in a cfg payload at all (UPD-065)
    downloads = ctx.shared(_downloads)
    for index, number in enumerate(downloads[:-1]):
        line = ctx.shape(number)  # placed only where reported (ctx.at)
        final = facts.final_of(line.final)
        if final is None or not final.restarts:
            continue
        later = downloads[index + 1]
        yield ctx.finding(
            ctx.at(number, line.final),
            f"`{line.final.text}` restarts the device before the `{_kind(ctx.shape(later))}` on line {later} runs: "
            "use `ser` for each download and restart once at the end",
            related=(ctx.related(_verb_span(ctx, later), "this download waits for the next poll"),),
        )
