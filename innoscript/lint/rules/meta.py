"""G. Meta sequences (`#h`, `#m`, ...) outside their contexts."""

from __future__ import annotations

from ...records import NamedTuple
from ...syntax import ast
from ..context import LintContext
from ..rule import rule
from .. import facts


class Place(NamedTuple):
    use: facts.MetaUse
    where: str  # what the word is: "cfg URL", "serial", "config value" ...
    expanded: bool  # the device replaces meta sequences here


# The lines whose words _read_places reads: the meta rules run on these only.
_WITH_WORDS = (ast.Download, ast.Scfg, ast.Cfg, ast.Check, ast.ConfigLine, ast.VarsLine)


def _places(ctx: LintContext, line: ast.Command) -> list[Place]:
    """The meta sequences written in a line's words the device reads, with whether each is expanded there.

    A per-line fact, shared by the meta rules through ``ctx.fact``.

    Expanded: the URL of `scfg` and the update URL (`config add|change UP1
    /url`). Not expanded: prot/boot/bmc/cfg URLs, serials, other
    configuration and variable values.
    """
    if "#" not in line.text:
        return []  # every meta sequence starts with `#`: most lines have none
    return ctx.fact(_read_places, line)


def _read_places(ctx: LintContext, line: ast.Command) -> list[Place]:
    source = ctx.source
    places: list[Place] = []
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg)) and line.url is not None:
        kind = line.spec.verb if line.spec else "UP0"
        for use in facts.url_metas(line.url):
            places.append(Place(use, f"{kind} URL", isinstance(line, ast.Scfg)))
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg, ast.Check)) and line.serial is not None:
        for use in facts.metas_in(line.serial, source):
            places.append(Place(use, "serial", False))
    if isinstance(line, ast.ConfigLine):
        update_urls = facts.update_url_values(line)
        for option in line.options:
            if option.value is None:
                continue
            expanded = option.value in update_urls
            for use in facts.metas_in(option.value, source):
                places.append(Place(use, "update URL" if expanded else "configuration value", expanded))
    if isinstance(line, ast.VarsLine):
        for token in line.args:
            for use in facts.metas_in(token, source):
                places.append(Place(use, "variable value", False))
    return places


@rule("UPD-060", spec="lint-rules.md UPD-060; innovaphone-spec.md 6.1", kinds=_WITH_WORDS, needs="#")
def meta_not_expanded(ctx: LintContext, line: ast.Command):
    """Meta sequence where it is not expanded.

    ## What it does
    Reports a documented meta sequence (`#h`, `#m`, `#d` ...) in a
    prot/boot/bmc/cfg URL, in a serial, or in a configuration or variable
    value other than the update URL.

    ## Why is this bad?
    The sequences are replaced only in the URL of `scfg` and in the update
    URL. Anywhere else they stay literal: a `#` in a download URL even cuts
    the URL short (the rest is a fragment that is never sent).

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-11
    mod cmd UP0 cfg http://10.0.0.5/cfg/#m.txt ser CFG-1
    config activate
    ```
    Reported at 3:37.

    ## Use instead
    Serve per-device content from the update URL instead, e.g. an update URL
    `http://10.0.0.5/update/#m.txt` so each device fetches its own script:
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP1 check ser 2024-06-11
    mod cmd UP0 cfg http://10.0.0.5/cfg/phones-common.txt ser CFG-1
    config activate
    ```

    ## Fix safety
    No fix: the per-device name has to come from elsewhere.

    ## Source
    lint-rules.md UPD-060; innovaphone-spec.md 6.1 [RUS].
    """
    if "#" not in line.text:
        return None  # no meta sequence (most lines)
    return [
        ctx.finding(
            place.use.span,
            f"meta sequence `{place.use.text}` is not expanded in a {place.where}: it stays literal; "
            "meta sequences work only in the scfg URL and the update URL",
        )
        for place in _places(ctx, line)
        if place.use.known and not place.expanded
    ]


@rule("UPD-061", spec="lint-rules.md UPD-061; innovaphone-spec.md 6.1", kinds=_WITH_WORDS, needs="#")
def meta_t_undocumented(ctx: LintContext, line: ast.Command):
    """`#t` (device type) is used.

    ## What it does
    Reports the meta sequence `#t` wherever it is written.

    ## Why is this bad?
    `#t` appears only in the official innovaphone update server's code
    (`type=#t`), not in the documented table; firmware that does not know it
    leaves it literal.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#t-#m.txt ser WEEKLY /force 168
    ```
    Reported at 2:38.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://10.0.0.5/bak/#h.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    No fix: `#h` (hardware id) carries the model too, but in another form.

    ## Source
    lint-rules.md UPD-061; innovaphone-spec.md 6.1 [PHPUS].
    """
    if "#" not in line.text:
        return None  # no meta sequence (most lines)
    return [
        ctx.finding(
            place.use.span,
            "`#t` (device type) is undocumented (seen only in the official server); firmware that does not "
            "know it leaves it literal; `#h` also names the model",
        )
        for place in _places(ctx, line)
        if place.use.code == "#t"
    ]


@rule("UPD-062", spec="lint-rules.md UPD-062; innovaphone-spec.md 6.1, 13.2", kinds=_WITH_WORDS,
      applies=lambda ctx: ctx.target_before("v7"), needs="#")
def meta_h_old_target(ctx: LintContext, line: ast.Command):
    """`#h` used with a target of V6 or older.

    ## What it does
    When the target version is older than v7, reports `#h` in the scfg URL or
    the update URL.

    ## Why is this bad?
    The V5/V6 IP DECT manual defines `#h` as the short name (`IP800`), the
    wiki as the hardware id (`IP1200-03-0d-f0`): file names built with it
    change between versions, and per-device backups may collide.

    ## Example
    Settings: target-version=v6
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://192.168.0.10/bak/#h-#b5.txt
    ```
    Reported at 2:42.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 scfg http://192.168.0.10/bak/#m-#b5.txt
    ```

    ## Fix safety
    No fix: `#m` (MAC address) is the stable choice, but it renames the
    files.

    ## Source
    lint-rules.md UPD-062; innovaphone-spec.md 6.1, 13 item 2 [DECT-MAN][RUS].
    """
    if not ctx.target_before("v7"):
        return
    for place in _places(ctx, line):
        if place.use.code == "#h" and place.expanded:
            yield ctx.finding(
                place.use.span,
                f"`#h` means the short name (IP800) in V5/V6 documentation and the hardware id "
                f"(IP1200-03-0d-f0) later (target {ctx.settings.target_version}); `#m` is stable",
            )
