"""H. `cfg`: loading configuration files."""

from __future__ import annotations

import re

from ... import catalog
from ...lazyregex import LazyRegex
from ...syntax import ast
from ..context import LintContext
from ..rule import rule
from .. import crossfile, facts

# Names backups usually get: a `backup` folder, the official server's
# `mode=backup` query, `<hardware id>.<n>.txt` files (spec section 5.6, 8).
# Compiled for the URLs that pass a cheap test first (_looks_like_backup).
_BACKUP_FOLDER = LazyRegex(r"(?:^|/)(?:backup|backups|bak|cfg-backup|config-backup)(?:/|$)", re.IGNORECASE)
_BACKUP_QUERY = LazyRegex(r"(?:^|&)mode=backup(?:&|$)", re.IGNORECASE)
_BACKUP_FILE = LazyRegex(r"^IP[0-9A-Z]+-[0-9a-f]{2}(?:-[0-9a-f]{2}){2,5}(?:[-.]\d+)?\.txt$", re.IGNORECASE)


def _looks_like_backup(url) -> bool:
    """A backup's folder, query or file name, as the patterns above say.

    Each pattern is tried only when the text has what every match of it has
    (`ba` in each folder name, `=ba` in the query, `p` second in the file
    name; no other character matches these case-insensitively), so the URL
    of an ordinary payload compiles none of them.
    """
    path, query, name = url.path, url.query, url.file_name
    return bool(
        ("ba" in path.lower() and _BACKUP_FOLDER.search(path))
        or ("=ba" in query.lower() and _BACKUP_QUERY.search(query))
        or (name[1:2] in ("p", "P") and _BACKUP_FILE.match(name))
    )


@rule("UPD-065", spec="lint-rules.md UPD-065; innovaphone-spec.md 4, 5.7", kinds=(ast.ModCommand,),
      applies=lambda ctx: ctx.payload)
def nested_up0_in_payload(ctx: LintContext, line: ast.ModCommand):
    """Nested UP0 command in a file loaded by `cfg` (mode `cfg-payload`).

    ## What it does
    When linting a file that `mod cmd UP0 cfg` loads (mode `cfg-payload`),
    reports every `mod cmd UP0 ...` line in it.

    ## Why is this bad?
    UP0 commands cannot be nested: a file read by `mod cmd UP0 cfg` cannot
    itself load another file, download firmware or upload a backup.

    ## Example
    Settings: mode=cfg-payload
    ```
    config change TIME /ntp1 10.0.0.1
    mod cmd UP0 cfg http://10.0.0.5/cfg/common.txt ser C1
    ```
    Reported at 2:9.

    ## Use instead
    Copy the other file's lines into this one:
    ```
    config change TIME /ntp1 10.0.0.1
    config change SYSLOG /addr 10.0.0.5
    ```

    ## Fix safety
    No fix.

    ## Source
    lint-rules.md UPD-065; innovaphone-spec.md 4, 5.7 [RUS].
    """
    if not ctx.payload:
        return
    if line.module is not None and line.module.text.upper() == "UP0":
        verb = line.verb.text if line.verb else ""
        yield ctx.finding(
            line.module.span,
            f"`mod cmd UP0 {verb}` in a file loaded by `cfg`: UP0 commands cannot be nested; move the line "
            "into the update script",
        )


@rule("UPD-066", spec="lint-rules.md UPD-066; innovaphone-spec.md 5.7")
def cfg_never_activated(ctx: LintContext):
    """`cfg` with final `ser` and no later activation.

    ## What it does
    Reports a `cfg` line whose final command is `ser` (or `no-op`/`nop`) when
    no later line activates the configuration: no `config activate`, no bare
    restart line and no `check` whose final command restarts.

    ## Why is this bad?
    `cfg` writes the loaded configuration but does not activate it: the
    devices keep running the old settings until they happen to restart.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-10
    mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser CFG-7
    ```
    Reported at 3:46.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-10
    mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser CFG-7
    config activate
    iresetn
    ```

    ## Fix safety
    The fix adds `config activate` after the `cfg` line. It is unsafe: some
    settings need a restart as well (`iresetn` at the end), and activating
    changes the running devices at once.

    ## Source
    lint-rules.md UPD-066; innovaphone-spec.md 5.7 [RUS].
    """
    if ctx.payload:
        return  # a nested cfg is UPD-065's finding
    activation_after = ctx.shared(facts.activation_after)
    for number in ctx.numbers(ast.Cfg):
        line = ctx.shape(number)  # placed only where reported
        if not facts.has_url(line) or not facts.is_noop_word(line.final):
            continue
        if activation_after(number) is not None:
            continue
        line = ctx.line(number)
        yield ctx.finding(
            line.at(line.final),
            f"`cfg` with `{line.final.text}` writes the configuration but nothing activates it: add "
            "`config activate` (and `iresetn`) after it, or use `reset` as final command",
            fix=ctx.insert_line_after(line, "config activate", "add `config activate` after the load", safe=False),
        )


@rule("UPD-067", spec="lint-rules.md UPD-067; innovaphone-spec.md 5.7, 8")
def cfg_loads_backup(ctx: LintContext):
    """`cfg` loads a full backup.

    ## What it does
    Reports a `cfg` URL that matches the URL pattern of an `scfg` line of the
    same script (`#h-#b5.txt` matches `IP6010-0a-1b-2c-3.txt`), or that looks
    like a backup: a `backup` folder, a `mode=backup` query, or a file named
    after a hardware id.

    ## Why is this bad?
    A saved configuration contains `vars create UPDATE/...` and
    `config change UP1 ...` lines. Loading it with `cfg` also rewrites the
    update serials and the update URL and interval, which turns a restore
    into a change of how the device is managed.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168
    mod cmd UP1 check ser 2024-06-11
    mod cmd UP0 cfg http://10.0.0.5/backup/IP6010-0a-1b-2c-3.txt ser RESTORE-3
    config activate
    ```
    Reported at 4:17.

    ## Use instead
    Load a file with only the settings to restore:
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/backup/#h-#b5.txt ser WEEKLY /force 168
    mod cmd UP1 check ser 2024-06-11
    mod cmd UP0 cfg http://10.0.0.5/cfg/restore-pbx.txt ser RESTORE-3
    config activate
    ```

    ## Fix safety
    No fix.

    ## Source
    lint-rules.md UPD-067; innovaphone-spec.md 5.7, 8 [PHPUS][INF].
    """
    # One entry per distinct backup URL (the first scfg writing it): large
    # scripts repeat the same few URLs thousands of times.
    first_writer: dict[str, int] = {}  # URL -> line number
    for number in ctx.numbers(ast.Scfg):
        scfg = ctx.shape(number)
        if facts.has_url(scfg):
            first_writer.setdefault(scfg.url.text, number)
    backups = [
        # the fixed part before the first meta sequence is a cheap test before the pattern
        # (compiled only for a cfg URL that passes it)
        (scfg, catalog.META_PATTERN.split(url, 1)[0].lower(), url)
        for url, scfg in first_writer.items()
    ]
    for number in ctx.numbers(ast.Cfg):
        line = ctx.shape(number)  # placed only where reported (ctx.at)
        if not facts.has_url(line):
            continue
        text = line.url.text
        lowered = text.lower()
        backup = next((s for s, start, url in backups
                       if lowered.startswith(start) and facts.meta_url_pattern(url).fullmatch(text)), None)
        if backup is not None:
            yield ctx.finding(
                ctx.at(number, line.url),
                f"this file is a backup written by the scfg on line {backup}: loading it also rewrites "
                "the update serials and the update URL; load only the settings to restore",
                related=(ctx.related(ctx.at(backup, ctx.shape(backup).url), "the backup that writes it"),),
            )
            continue
        url = line.url.parts
        if url is not None and _looks_like_backup(url):
            yield ctx.finding(
                ctx.at(number, line.url),
                "this looks like a full backup: loading it also rewrites the update serials and the update URL; "
                "load only the settings to restore",
            )


@rule("UPD-068", spec="lint-rules.md H; innovaphone-spec.md 8")
def cfg_payload_findings(ctx: LintContext):
    r"""The file a `cfg` line loads has findings of its own.

    ## What it does
    Finds the file a `mod cmd UP0 cfg <url>` line loads on the local disk
    (through the `url-map` setting, or by default the URL's last path
    segment in the script's folder), lints it as a cfg payload and notes at
    the cfg line how many findings it has. The findings themselves are
    reported in the payload file.

    ## Why is this bad?
    The payload is executed by every device that runs this line; its
    problems are this script's problems, and they are easy to miss because
    nobody opens the payload when reviewing the script.

    ## Example
    Settings: file=examples/update-example.htm
    ```
    mod cmd UP0 cfg http://10.0.0.5/cfg/dect-site.txt reset
    ```
    Reported at 1:17.

    ## Use instead
    ```
    mod cmd UP0 cfg http://10.0.0.5/cfg/phones-common.txt reset
    ```

    ## Fix safety
    No fix here; fix the findings in the payload file.
    """
    for payload in crossfile.payloads(ctx.script, ctx.settings):
        try:
            _, diagnostics = crossfile.lint_payload(payload.path, ctx.settings)
        except OSError:
            continue
        if diagnostics:
            count = len(diagnostics)
            worst = max(d.severity for d in diagnostics).name.lower()
            yield ctx.finding(
                payload.line.at(payload.line.url),
                f"the loaded file {payload.path} has {count} finding{'s' if count != 1 else ''} (worst: {worst})",
            )
