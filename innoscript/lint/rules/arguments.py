"""B. Arguments and URLs: what a command is given, and where it fetches from."""

from __future__ import annotations

from ... import catalog
from ...syntax import ast
from ..context import LintContext
from ..rule import rule
from .. import facts


# The lines facts.url_tokens finds URLs in: the URL rules run on these only.
_WITH_URLS = (ast.Download, ast.Scfg, ast.Cfg, ast.ConfigLine)


@rule("UPD-010", spec="lint-rules.md UPD-010; innovaphone-spec.md 5.3-5.7, 12", kinds=(ast.Download, ast.Scfg, ast.Cfg))
def missing_url(ctx: LintContext, line: ast.Command):
    """A UP0 transfer command has no URL.

    ## What it does
    Reports `prot`, `boot`, `bmc`, `scfg` and `cfg` lines whose first
    argument is not a URL: it is missing, it is an option such as `/ser`
    (the seed's IP3000 example as printed), it is a final-command word (the
    URL was lost: `prot ireset 04-5656`), or it has no `scheme://`.

    ## Why is this bad?
    The syntax is `<url> <final-command> <serial>` (`scfg <url> ...`). Without
    a URL there is nothing to download or upload to, and every other word of
    the line is read in the wrong place.

    ## Example
    ```
    mod cmd UP0 prot /ser 04-5679
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://192.168.0.10/configs/firmware/ ser 04-5679
    ```

    ## Fix safety
    No fix: the URL is unknown.

    ## Source
    lint-rules.md UPD-010; innovaphone-spec.md 5.3-5.7, 12 (the IP3000 example).
    """
    url = line.url
    if url is not None and url.parts is not None:  # facts.has_url: most lines
        return None
    verb = line.verb.text
    syntax = f"`{line.spec.syntax}`" if line.spec else verb
    option = line.options[0] if line.options else None
    if option is not None and (line.url is None or option.span.start < line.url.span.start):
        return [ctx.finding(
            option.name.span,
            f"{verb}: `{option.name.text}` is read as an option, not a URL; the syntax is {syntax}",
        )]
    elif line.url is not None:
        word = line.url.token
        if facts.is_final_word(word.text):
            what = f"`{word.text}` is a final command: the URL is missing"
        else:
            what = f"`{word.text}` is not a URL (it needs `http://`)"
        return [ctx.finding(word.span, f"{verb}: {what}; the syntax is {syntax}")]
    else:
        return [ctx.finding(line.verb.span, f"{verb} without a URL; the syntax is {syntax}")]


@rule("UPD-011", spec="lint-rules.md UPD-011; innovaphone-spec.md 5", kinds=(ast.ModCommand, ast.ConfigLine, ast.VarsLine))
def missing_arguments(ctx: LintContext, line: ast.ModCommand | ast.ConfigLine | ast.VarsLine):
    """A command lacks required positional arguments (final command, serial).

    ## What it does
    Reports `prot`, `boot`, `bmc` and `cfg` lines with a URL but fewer than
    the three positional arguments `<url> <final-command> <serial>`, and
    other catalogued commands missing a required argument (`provision <n>`),
    a `config add`, `change` or `rem` without its module and a `vars`
    command without its variable's name (the device refuses those lines).
    A missing URL is UPD-010, a short `check` is UPD-030.

    ## Why is this bad?
    Without a serial the device has nothing to compare with its UPDATE
    variable: the command either fails or runs on every poll, downloading
    and restarting again and again.

    ## Example
    ```
    mod cmd UP0 cfg http://10.0.0.5/prov/config?mac=00-90-33-12-34-56 iresetn
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP0 cfg http://10.0.0.5/prov/config?mac=00-90-33-12-34-56 iresetn CFG-2024-06-01
    ```

    ## Fix safety
    No fix: the serial is the author's choice.

    ## Source
    lint-rules.md UPD-011; innovaphone-spec.md 5.3-5.7, 5.9.
    """
    if isinstance(line, ast.ConfigLine):
        if line.module is None and line.spec is not None and line.spec.takes_module:  # no target
            return [ctx.finding(line.verb.span, f"config {line.verb.text} is missing the module it configures")]
        return
    if isinstance(line, ast.VarsLine):
        if line.verb is not None and line.verb.text in catalog.VARS_VERBS and line.name is None:
            return [ctx.finding(line.verb.span, f"vars {line.verb.text} is missing the variable's name")]
        return
    spec = line.spec
    if spec is None or spec.kind in ("check", "scfg") or line.verb is None or len(line.args) >= len(spec.params):
        return  # (every parameter given: none missing)
    if isinstance(line, (ast.Download, ast.Cfg)) and not facts.has_url(line):
        return
    required = [p for p in spec.params if p.required]
    if len(line.args) >= len(required):
        return
    missing = required[len(line.args):]
    if isinstance(line, (ast.Download, ast.Cfg)) and len(line.args) == 2 and not facts.is_final_word(line.args[1].text):
        what = "a final command or the serial"
    else:
        what = " and ".join(f"<{p.name}>" for p in missing)
    return [ctx.finding(line.verb.span, f"{line.verb.text} is missing {what}; the syntax is `{spec.syntax}`")]


@rule("UPD-012", spec="lint-rules.md UPD-012; innovaphone-spec.md 5.2", kinds=(ast.Times,))
def unknown_times_option(ctx: LintContext, line: ast.Times):
    """`times` is given an option other than `/allow` and `/initial`.

    ## What it does
    Reports every option of a `times` line that the command does not have.

    ## Why is this bad?
    Only `/allow <hours>` and `/initial <minutes>` are documented. An
    invented option (`/days 1-5`) restricts nothing: the script runs on the
    days the author meant to exclude.

    ## Example
    ```
    mod cmd UP1 times /allow 22,23,0 /days 1-5
    ```
    Reported at 1:34.

    ## Use instead
    ```
    mod cmd UP1 times /allow 22,23,0
    ```

    ## Fix safety
    No fix: what the option should have done cannot be expressed.

    ## Source
    lint-rules.md UPD-012; innovaphone-spec.md 5.2.
    """
    spec = line.spec
    if not spec:
        return None
    found = None
    for option in line.options:
        if spec.option(option.key) is None:
            known = spec.options
            names = " and ".join(f"`{o.name} <{o.placeholder}>`" for o in known)
            same = [o.name for o in known if o.name == option.key.lower()]
            hint = f"write `{same[0]}`" if same else f"`times` only takes {names}"
            if found is None:
                found = []
            found.append(ctx.finding(option.span, f"unknown option `{option.key}` for times; {hint}"))
    return found


@rule("UPD-013", spec="lint-rules.md UPD-013; innovaphone-spec.md 5", kinds=_WITH_URLS)
def url_scheme(ctx: LintContext, line: ast.Command):
    """A URL does not start with `http://` or `https://`.

    ## What it does
    Reports URLs of UP0 transfers and of the update URL (`config add UP1
    /url`) whose scheme is not `http` or `https` (`ftp://`, `tftp://`,
    `file://`).

    ## Why is this bad?
    Transfers are HTTP GET (downloads, cfg) and HTTP PUT (backups); the
    device cannot fetch anything else.

    ## Example
    ```
    mod cmd UP0 prot ftp://10.0.0.5/fw/ip232.bin ireset 13-5001234
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ireset 13-5001234
    ```

    ## Fix safety
    No fix: the file has to be served by a web server first.

    ## Source
    lint-rules.md UPD-013; innovaphone-spec.md 1, 5.
    """
    found = None
    for url in facts.url_nodes(line):
        parts = url.parts
        scheme = parts.scheme if parts is not None else None  # facts.url_scheme of the word
        if scheme != "http" and scheme != "https":
            if found is None:
                found = []
            found.append(ctx.finding(
                url.token.span, f"`{scheme}://` cannot be used: the device transfers files by HTTP; use `http://`"))
    return found


@rule("UPD-014", spec="lint-rules.md UPD-014; innovaphone-spec.md 2.2, 13 item 8", kinds=_WITH_URLS,
      applies=lambda ctx: ctx.target_before("v9"))
def host_name_old_firmware(ctx: LintContext, line: ast.Command):
    """A URL names its host, but the target firmware (v8 or older) needs an IP address.

    ## What it does
    When the target version is v8 or older, reports URLs whose host is a
    name (`fw.example.com`) instead of an IP address.

    ## Why is this bad?
    The v5/v6 documentation states that no URL on the device supports host
    names; a literal IP address is required. The transfer fails on every
    device that runs such firmware.

    ## Example
    Settings: target-version=v6
    ```
    mod cmd UP0 prot http://fw.example.com/ ireset 04-5679
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://192.168.0.10/ ireset 04-5679
    ```

    ## Fix safety
    No fix: the address behind the name is not known here.

    ## Source
    lint-rules.md UPD-014; innovaphone-spec.md 2.2, 13 item 8.
    """
    if not ctx.target_before("v9"):
        return
    for token in facts.url_tokens(line):
        if facts.has_host_name(token.text):
            host = facts.url_host(token.text)
            yield ctx.finding(
                token.span,
                f"`{host}` is a host name; firmware {ctx.settings.target_version} needs an IP address in URLs",
            )


@rule("UPD-015", spec="lint-rules.md UPD-015; innovaphone-spec.md 2.2, 11, 14 Q8", kinds=_WITH_URLS,
      applies=lambda ctx: ctx.target_before("v11r1"))
def host_name_or_https_unknown(ctx: LintContext, line: ast.Command):
    """A URL uses a host name or `https` where the target firmware's support is unknown.

    ## What it does
    For target versions v9 and v10, reports URLs with a host name. For
    every target before v11r1, reports `https://` URLs. (Host names on v8
    and older are UPD-014.)

    ## Why is this bad?
    v5/v6 firmware needs IP addresses; v13 firmware resolves names and the
    official update server uses `https` and DNS names, but the release that
    brought them is not documented. Check that the devices' firmware
    supports them before relying on it.

    ## Example
    ```
    mod cmd UP0 prot http://fwserver/fw/ip240.bin ser 13-5021837
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ip240.bin ser 13-5021837
    ```

    ## Fix safety
    No fix: informational.

    ## Source
    lint-rules.md UPD-015; innovaphone-spec.md 2.2, 11, 14 (open question Q8).
    """
    urls = facts.url_nodes(line)
    if not urls or not ctx.target_before("v11r1"):  # most lines: no URL (configuration lines)
        return None
    names = not ctx.target_before("v9")
    found = []
    for url in urls:
        token, parts = url.token, url.parts
        https = parts is not None and parts.scheme == "https"
        named = names and facts.parts_name_host(parts)
        if not (https or named):
            continue
        what = " and ".join(w for w, on in (("a host name", named), ("https", https)) if on)
        found.append(ctx.finding(
            token.span,
            f"this URL uses {what}; which release first supports it is not documented: make sure "
            f"firmware {ctx.settings.target_version} does, or use http:// with an IP address",
        ))
    return found


def _to_folder(line: ast.Download, verbs: tuple[str, ...]) -> bool:
    """A download of one of ``verbs`` whose URL names a folder (the device appends a file name)."""
    return (line.verb is not None and line.verb.text in verbs and facts.has_url(line)
            and facts.url_path_ends_with_slash(line.url.text))


@rule("UPD-016", spec="lint-rules.md UPD-016; innovaphone-spec.md 5.5", kinds=(ast.Download,))
def bmc_url_folder(ctx: LintContext, line: ast.Download):
    """A `bmc` URL ends with `/` instead of naming the file.

    ## What it does
    Reports `mod cmd UP0 bmc` lines whose URL ends in `/`.

    ## Why is this bad?
    For a URL ending in `/` the device appends a default file name; for the
    DECT radio code that name lacks the `.bin` suffix of the delivered file,
    so the download fails. The documentation says to give the file name.

    ## Example
    ```
    mod cmd UP0 bmc http://192.168.0.10/firm/ ireset PCS04fd
    ```
    Reported at 1:17.

    ## Use instead
    ```
    mod cmd UP0 bmc http://192.168.0.10/firm/PCS04fd.bin ireset PCS04fd
    ```

    ## Fix safety
    No fix: the file's name is on the server, not in the script.

    ## Source
    lint-rules.md UPD-016; innovaphone-spec.md 5.5.
    """
    if not _to_folder(line, ("bmc",)):
        return
    return [ctx.finding(
        line.url.span,
        "the default file name appended to a bmc URL ending in `/` lacks the `.bin` suffix; "
        "name the file (for example `.../PCS04fd.bin`)",
    )]


@rule("UPD-017", spec="lint-rules.md UPD-017; innovaphone-spec.md 5.3, 5.4, 14 Q6", kinds=(ast.Download,))
def default_file_name(ctx: LintContext, line: ast.Download):
    """A `prot` or `boot` URL ends in `/` and relies on a default file name.

    ## What it does
    Reports `prot` and `boot` URLs ending in `/`. The device then appends a
    default file name derived from the product. (`bmc` URLs ending in `/`
    are the error UPD-016.) When the model is known and its default name
    has capitals, the message also says that a case-sensitive server does
    not find it in lower case (UPD-018's cause, reported once).

    ## Why is this bad?
    The default name depends on the product and is not always the file on
    the server: IP72 firmware comes as `ip72.bin` or `ip72.zbin`, some models
    use other names, and the default name for boot code is not documented at
    all. A wrong guess means the download fails on every poll.

    ## Example
    Settings: model=IP72
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 08-7030012
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ip72.zbin ireset 08-7030012
    ```

    ## Fix safety
    No fix: the file's name is on the server, not in the script.

    ## Source
    lint-rules.md UPD-017; innovaphone-spec.md 5.3, 5.4, 14 (open question Q6).
    """
    if not _to_folder(line, ("prot", "boot")):
        return None
    if line.verb.text == "boot":
        message = _BOOT_FOLDER
    else:
        message = ctx.shared(_prot_folder_message)  # the same on every line of a script (most downloads)
    return [ctx.finding(line.url.span, message)]


_BOOT_FOLDER = "the default file name for boot code is not documented; name the file on the server in the URL"


def _prot_folder_message(ctx: LintContext) -> str:
    """UPD-017's message for a `prot` URL ending in `/`, for the script's model."""
    if ctx.model is not None:
        default = ctx.model.firmware_name
        what = f"the device appends its default firmware name (`{default}` on an {ctx.model.name}"
        if default != default.lower():  # UPD-018's cause too: said here, once
            what += f"; a case-sensitive web server does not find it as `{default.lower()}`"
        what += ")"
    else:
        what = "the device appends a default firmware name that depends on the model"
    return f"{what}; name the file on the server in the URL"


@rule("UPD-018", spec="lint-rules.md UPD-018; innovaphone-spec.md 2.2, 5.3", kinds=(ast.Download,),
      applies=lambda ctx: ctx.model is not None and ctx.model.firmware_name != ctx.model.firmware_name.lower())
def default_file_name_case(ctx: LintContext, line: ast.Download):
    """A firmware URL relies on a default file name whose case may differ from the file.

    ## What it does
    When the device model is known (from the settings or the script's file
    name), reports `prot` URLs ending in `/`: the device appends the
    documented default name, written in upper case (`IP1200.bin`), while
    firmware files are commonly lower case (`ip1200.bin`, as in the
    manual's own example). Boot code is not reported (its default name is
    not documented, UPD-017), nor is `bmc` (UPD-016); an explicit file name,
    in any case, is the fix and is never reported.  While UPD-017 runs, this
    rule stays quiet: UPD-017 reports the same URL and names the case in its
    message, so one cause gives one finding.

    ## Why is this bad?
    Some web servers are case sensitive: `IP1200.bin` is not found when the
    server holds `ip1200.bin`, and the download fails on every poll.

    ## Example
    Settings: model=IP1200 ignore=UPD-017
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/ ireset 13-5021837
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/13r2sr9/ip1200.bin ireset 13-5021837
    ```

    ## Fix safety
    No fix: only the server knows how the file is spelled.

    ## Source
    lint-rules.md UPD-018; innovaphone-spec.md 2.2 (case-sensitive servers), 5.3.
    """
    if not _to_folder(line, ("prot",)):
        return
    model = ctx.model
    if model is None:
        return
    default = model.firmware_name
    if default == default.lower():
        return  # nothing to confuse
    if ctx.shared(_default_name_reported):
        return  # UPD-017 reports the same URL and names the case in its message
    return [ctx.finding(
        line.url.span,
        f"the device appends `{default}`; on a case-sensitive web server that is not `{default.lower()}`: "
        "name the file exactly as it is on the server",
    )]


def _default_name_reported(ctx: LintContext) -> bool:
    """UPD-017 runs (asked once per script: UPD-018 leaves it the URLs it reports)."""
    from ..engine import rule_enabled

    return rule_enabled(ctx.settings, "UPD-017")


def backup_url_shared(line: ast.Scfg) -> bool:
    """The backup URL has no device-specific meta sequence (UPD-019; UPD-083 leaves these to it)."""
    if not facts.has_url(line):
        return False
    return not any(catalog.meta_code(m.text) in catalog.DEVICE_SPECIFIC_META for m in line.url.metas)


@rule("UPD-019", spec="lint-rules.md UPD-019; innovaphone-spec.md 5.6, 6", kinds=(ast.Scfg,))
def backup_url_not_device_specific(ctx: LintContext, line: ast.Scfg):
    """A backup (`scfg`) URL contains no device-specific meta sequence.

    ## What it does
    Reports `mod cmd UP0 scfg` URLs without `#h` (hardware id), `#m` (MAC
    address) or `#i` (IP address).

    ## Why is this bad?
    The URL is where the device uploads its configuration. A script is
    shared by many devices; without a part that differs per device they all
    PUT to the same file and each backup overwrites the others.

    ## Example
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/config.txt
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/#h.txt
    ```

    ## Fix safety
    No fix: where backups go is the author's decision.

    ## Source
    lint-rules.md UPD-019; innovaphone-spec.md 5.6, 6.
    """
    metas = [f"`{m}`" for m in catalog.DEVICE_SPECIFIC_META]
    wanted = ", ".join(metas[:-1]) + " or " + metas[-1]
    if not backup_url_shared(line):
        return
    yield ctx.finding(
        line.url.span,
        f"every device uploads its backup to this same URL and overwrites the others'; add {wanted} "
        "(for example `#h-#b5.txt`)",
    )
