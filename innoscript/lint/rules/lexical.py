"""A. Lexical and structural rules: words, case, stray tokens, reachability."""

from __future__ import annotations

from bisect import bisect_right

from ... import catalog
from ...source import Cols
from ...syntax import ast
from ..context import LintContext
from ..diagnostic import Edit, Fix
from ..rule import rule
from .. import facts


@rule("UPD-001", spec="lint-rules.md UPD-001; innovaphone-spec.md 5", kinds=(ast.ModCommand,))
def unknown_verb(ctx: LintContext, line: ast.ModCommand):
    """A `mod cmd UP0`/`UP1` line names a command these modules do not have.

    ## What it does
    Reports a `mod cmd UP0 ...` or `mod cmd UP1 ...` line whose verb is not in
    the command catalogue. UP1 knows `check`, `times`, `poll`, `reinit` and
    `provision`; UP0 knows `prot`, `boot`, `bmc`, `scfg` and `cfg`. The
    singular `time` is reported by UPD-002 instead.

    ## Why is this bad?
    The device sends the line to the module, which rejects it: the firmware,
    backup or configuration the line was written for never happens, and
    nothing on the device says so.

    ## Example
    ```
    mod cmd UP0 firmware http://10.0.0.5/fw/ ireset 13-5001234
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234
    ```

    ## Fix safety
    No fix: which command was meant is the author's decision. When the verb
    only differs in case (`PROT`), the message names the right spelling.

    ## Source
    lint-rules.md UPD-001; innovaphone-spec.md 5.
    """
    if type(line) is not ast.ModCommand or line.module is None:
        return
    module = line.module.text.upper()
    if module not in catalog.UPDATE_MODULES:
        return
    known = ", ".join(f"`{c.verb}`" for c in catalog.verbs(module))
    if line.verb is None:
        return [ctx.finding(line.module.span, f"`mod cmd {module}` without a command; {module} knows {known}")]
    same = [c.verb for c in catalog.verbs(module) if c.verb.lower() == line.verb.text.lower()]
    hint = f"write `{same[0]}` (commands are lower case)" if same else f"{module} knows {known}"
    return [ctx.finding(line.verb.span, f"unknown {module} command `{line.verb.text}`; {hint}")]


@rule("UPD-002", spec="lint-rules.md UPD-002; innovaphone-spec.md 3, 5.2, 13 item 4", kinds=(ast.Times,))
def time_alias(ctx: LintContext, line: ast.Times):
    """`time` is written instead of `times`.

    ## What it does
    Reports `mod cmd UP1 time`, the singular printed in the IP DECT manual's
    syntax lines, and offers to write `times`.

    ## Why is this bad?
    Every other source, and the manual's own prose, write `times`. Whether the
    firmware accepts the singular is not documented; if it does not, the time
    window silently restricts nothing and firmware is flashed at any hour.

    ## Example
    ```
    mod cmd UP1 time /allow 22,23,0,1 /initial 6
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 22,23,0,1 /initial 6
    ```

    ## Fix safety
    Safe: replaces the word `time` by `times`, the documented spelling of the
    same command.

    ## Source
    lint-rules.md UPD-002; innovaphone-spec.md 3, 5.2, 13 item 4 (open question Q11).
    """
    if line.verb is not None and line.verb.text == "time":
        return [ctx.finding(
            line.verb.span,
            "`time` is the IP DECT manual's misprint; write `times` (the documented command)",
            fix=ctx.replace(line.verb.span, "times", "write `times`"),
        )]
    return None


def _stray_tokens(ctx: LintContext, line: ast.Command) -> list[ast.Token]:
    """Words the command does not take, in order (split config values excluded)."""
    if isinstance(line, ast.ConfigLine):
        return _config_stray(line)
    if isinstance(line, ast.GenericLine):
        # Unknown commands: how many words they take is not known, but a
        # word starting with `#` is surely a comment the author meant.
        return _from_comment(line.args)
    if isinstance(line, ast.ModCommand) and line.spec is None:
        return []  # unknown verb (UPD-001): its arguments are unknown too
    extra = list(line.extra)
    if not extra:
        return extra
    if isinstance(line, ast.Times):
        skip = ctx.fact(facts.continuation_tokens, line)
        extra = [t for t in extra if t not in skip]
    if isinstance(line, ast.Scfg) and line.always is not None:
        # `/always <command>` is the end of the line by design (UPD-057).
        extra = [t for t in extra if t.span.start < line.always.span.start]
    return extra


def _from_comment(args: tuple[ast.Token, ...]) -> list[ast.Token]:
    for index, token in enumerate(args):
        if token.text.startswith("#"):
            return list(args[index:])
    return []


def _config_stray(line: ast.ConfigLine) -> list[ast.Token]:
    """Positional words of a config line that are not a split value.

    A word after an option's value continues that value (UPD-007); words
    before the first option, after a verb that takes no options, or from a
    `#` on are stray.
    """
    first_option = line.options[0].span.start if line.options else None
    stray: list[ast.Token] = []
    for token in line.args:
        if token.text.startswith("#"):
            return stray + [t for t in line.args if t.span.start >= token.span.start]
        if first_option is None or token.span.start < first_option:
            stray.append(token)
    return stray


@rule("UPD-003", spec="lint-rules.md UPD-003; innovaphone-spec.md 3", kinds=(ast.Command,))
def extra_tokens(ctx: LintContext, line: ast.Command):
    """Words follow a complete command (often an end-of-line `#` comment).

    ## What it does
    Reports words after the last argument a command takes: a trailing
    `# comment`, a second serial, a word that belongs elsewhere. The
    `/always <command>` tail of `scfg`, words of an `/allow` list split by a
    blank (UPD-022) and config values split by a blank (UPD-007) are left to
    their own rules.

    ## Why is this bad?
    Commands take fixed positional arguments and `#` starts a comment only at
    the beginning of a line. Everything else on the line is passed to the
    device as more arguments, which the module may reject or misread.

    ## Example
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234 # new firmware
    ```
    Reported at 1:56.

    ## Use instead
    ```
    # new firmware
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234
    ```

    ## Fix safety
    For a trailing `#` comment an unsafe fix moves the comment onto its own
    line above the command. Other stray words get no fix: whether they are a
    typo or a misplaced argument is the author's decision.

    ## Source
    lint-rules.md UPD-003; innovaphone-spec.md 3 (comments only as whole lines).
    """
    # Stray words are among the positional ones, and beyond what the command takes
    # (``extra``) except on configuration and unknown lines: most lines have none.
    if not line.args or (not line.extra and not isinstance(line, (ast.ConfigLine, ast.GenericLine))):
        return None
    stray = _stray_tokens(ctx, line)
    if not stray:
        return
    comment = next((t for t in stray if t.text.startswith("#")), None)
    content_end = len(line.text.rstrip(" \t"))
    if comment is None:
        span = Cols(stray[0].span.start, stray[-1].span.end)
        words = " ".join(t.text for t in stray)
        many = len(stray) > 1
        return [ctx.finding(
            span, f"extra word{'s' if many else ''} `{words}` after a complete command; remove {'them' if many else 'it'}"
        )]
    # A comment runs to the end of the line, whatever it contains.
    span = Cols(stray[0].span.start, content_end)
    if stray[0] is comment:
        fix = _comment_fix(ctx, line, comment.span.start, content_end)
        message = "`#` starts a comment only at the start of a line; put this comment on a line of its own"
    else:
        fix = None
        words = stray[: stray.index(comment)]
        many = len(words) > 1
        message = (f"extra word{'s' if many else ''} `{' '.join(t.text for t in words)}` and a trailing comment "
                   f"after a complete command; remove the word{'s' if many else ''} and put the comment on a line "
                   "of its own")
    return [ctx.finding(span, message, fix=fix)]


def _comment_fix(ctx: LintContext, line: ast.Command, comment_start: int, content_end: int) -> Fix:
    """Two edits: the comment as a line of its own above, and the tail cut off."""
    before = [t for t in line.tokens if t.span.end <= comment_start]
    cut = Cols(before[-1].span.end if before else comment_start, len(line.text))
    indent = line.text[: len(line.text) - len(line.text.lstrip(" \t"))]
    comment = line.text[comment_start:content_end]
    newline = line.newline or ctx.script.newline
    insert = Cols(0, 0)
    return Fix("move the comment onto its own line", (Edit(insert, indent + comment + newline), Edit(cut, "")), False)


_INVISIBLE = {"Cc", "Cf"}


def _invisible(char: str) -> bool:
    if " " <= char <= "~":
        return False  # printable ASCII: most scripts start so, and unicodedata stays unloaded
    import unicodedata

    return unicodedata.category(char) in _INVISIBLE


@rule("UPD-004", spec="lint-rules.md UPD-004; innovaphone-spec.md 3")
def leading_bom(ctx: LintContext):
    r"""The file starts with a byte-order mark or other invisible characters.

    ## What it does
    Reports a UTF-8 byte-order mark (editors call it "UTF-8 with BOM") and
    control or formatting characters (zero-width space, a second BOM, ASCII
    control bytes) before the first visible character of the file.

    ## Why is this bad?
    Scripts are plain text. The device sees the invisible bytes as part of the
    first word, so the first line (often `times`) is not recognised as a
    command.

    ## Example
    ```
    \xef\xbb\xbfmod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```
    Reported at 1:1.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    For invisible characters in the text a safe fix deletes them. A
    byte-order mark is not part of the text: save the file as UTF-8 without
    BOM in your editor (`innoscript fmt` and `--fix` keep a file's encoding
    and BOM as they found them).

    ## Source
    lint-rules.md UPD-004; innovaphone-spec.md 3.
    """
    text = ctx.source.text
    count = 0
    while count < len(text) and text[count] not in "\r\n\t" and _invisible(text[count]):
        count += 1
    if ctx.source.bom and not ctx.source.encoding.startswith(("utf-16", "utf-32")):  # theirs is UPD-091
        yield ctx.finding(ctx.source.span(0, 0), "the file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")
    elif count:
        span = ctx.source.span(0, count)
        names = ", ".join(f"U+{ord(ch):04X}" for ch in text[:count])
        yield ctx.finding(
            span, f"the file starts with invisible characters ({names}); delete them",
            fix=ctx.replace(span, "", "delete the invisible characters"),
        )


# The lines _final_positions reads a final command from: UPD-005 and UPD-006 run on these only.
_WITH_FINAL = (ast.Check, ast.Download, ast.Cfg, ast.Scfg)


def _final_positions(line: ast.Command) -> ast.Token | None:
    """The final-command word of a line when its reading is unambiguous."""
    if isinstance(line, ast.Check):
        return line.final if line.serial is not None else None
    if isinstance(line, (ast.Download, ast.Cfg, ast.Scfg)):
        url = line.url
        if url is None or url.parts is None or line.serial is None:  # (facts.has_url)
            return None
        return line.final
    return None


@rule("UPD-005", spec="lint-rules.md UPD-005; innovaphone-spec.md 4", kinds=_WITH_FINAL)
def unknown_final_command(ctx: LintContext, line: ast.Command):
    """The final command is not one the device knows.

    ## What it does
    Reports the `<final-command>` argument of `check`, `prot`, `boot`, `bmc`,
    `cfg` and `scfg` when it is none of `ireset`, `reset`, `iresetn`,
    `resetn`, `ser`, `ireboot`, `reboot`. `no-op` and `nop` are UPD-006. A
    line that misses arguments (UPD-010, UPD-011, UPD-030) is skipped: which
    word is meant as the final command depends on how it is read.

    ## Why is this bad?
    The device does not know what to do after the command; the restart the
    author expected does not happen, or the line is rejected.

    ## Example
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ restart 13-5001234
    ```
    Reported at 1:38.

    ## Use instead
    ```
    mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234
    ```

    ## Fix safety
    No fix: which restart was meant is the author's decision.

    ## Source
    lint-rules.md UPD-005; innovaphone-spec.md 4 (final commands).
    """
    token = _final_positions(line)
    if token is None or facts.is_final_word(token.text):
        return None
    words = ", ".join(f"`{w}`" for w in catalog.FINAL_COMMANDS)
    return [ctx.finding(token.span, f"unknown final command `{token.text}`; use one of {words}")]


@rule("UPD-006", spec="lint-rules.md UPD-006; innovaphone-spec.md 4, 13 item 5", kinds=_WITH_FINAL)
def noop_final_command(ctx: LintContext, line: ast.Command):
    """`no-op` or `nop` is used as the final command instead of `ser`.

    ## What it does
    Reports the words `no-op` and `nop` in the final-command position and
    offers to write `ser`.

    ## Why is this bad?
    The list of final commands names `ser` as the command that does nothing;
    `no-op` appears only in the prose of the `scfg` section. Whether the
    firmware accepts it is not documented.

    ## Example
    ```
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt no-op WEEKLY /force 168
    ```
    Reported at 1:49.

    ## Use instead
    ```
    mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168
    ```

    ## Fix safety
    Safe: `ser` is the documented word for the same "do nothing".

    ## Source
    lint-rules.md UPD-006; innovaphone-spec.md 4, 13 item 5.
    """
    token = _final_positions(line)
    if token is not None and token.text.lower() in catalog.NOOP_ALIASES:
        return [ctx.finding(
            token.span, f"`{token.text}` is not in the list of final commands; `ser` is the documented no-op",
            fix=ctx.replace(token.span, "ser", "write `ser`"),
        )]


def split_values(line: ast.ConfigLine) -> list[tuple[ast.Option, list[ast.Token]]]:
    """Options of a config line whose value a blank split, with the split-off words."""
    found: list[tuple[ast.Option, list[ast.Token]]] = []
    if not line.args:
        return found  # no word besides the options' values
    options = list(line.options)
    for index, option in enumerate(options):
        if option.value is None:
            continue
        limit = options[index + 1].span.start if index + 1 < len(options) else len(line.text) + 1
        words: list[ast.Token] = []
        for token in line.args:
            if option.span.end <= token.span.start < limit:
                if token.text.startswith("#"):
                    break  # a trailing comment (UPD-003)
                words.append(token)
        if words:
            found.append((option, words))
    return found


@rule("UPD-007", spec="lint-rules.md UPD-007; innovaphone-spec.md 3", kinds=(ast.ConfigLine,))
def split_value(ctx: LintContext, line: ast.ConfigLine):
    """A configuration value was split by a literal blank.

    ## What it does
    Reports words after an option's value in a `config` line: the value was
    meant to contain a blank, but blanks separate words.

    ## Why is this bad?
    The device takes only the first word as the value (`Front`) and receives
    the rest as stray arguments. Values with blanks are URL-encoded (`%20`),
    as the official update server writes them.

    ## Example
    ```
    config add CMD0 /name Front Desk
    ```
    Reported at 1:23.

    ## Use instead
    ```
    config add CMD0 /name Front%20Desk
    ```

    ## Fix safety
    Unsafe: joins the words with `%20`. Tabs and runs of blanks become a
    single `%20`, and a word that was meant as a separate argument is pulled
    into the value; review the result.

    ## Source
    lint-rules.md UPD-007; innovaphone-spec.md 3 (values with blanks are URL-encoded).
    """
    if not line.args:
        return None  # no word besides the options' values (most lines)
    found = []
    for option, words in split_values(line):
        span = Cols(option.value.span.start, words[-1].span.end)
        joined = "%20".join([option.value.text, *(w.text for w in words)])
        found.append(ctx.finding(
            span,
            f"the value of `{option.key}` is split by a blank: the device gets `{option.value.text}` and "
            f"stray words; URL-encode the blank: `{joined}`",
            fix=ctx.replace(span, joined, "join the words with %20", safe=False),
        ))
    return found


@rule("UPD-008", spec="lint-rules.md UPD-008; innovaphone-spec.md 4 item 4")
def unreachable_after_restart(ctx: LintContext):
    """Lines after an unconditional restart never run.

    ## What it does
    Finds the first bare `reset`, `reboot`, `ireset` or `ireboot` line and
    reports every effective line after it as unreachable. `ireset` and
    `ireboot` wait until the device is idle, and a device running its update
    script normally is idle, so they restart at once. `iresetn` and `resetn`
    restart only when a restart is required and are not reported.

    ## Why is this bad?
    The restart interrupts the script; the lines below it are never executed,
    and a `check` serial above them is never stored, so the script starts
    again at the next poll.

    ## Example
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    reset
    config write
    ```
    Reported at 3:1.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    config write
    reset
    ```

    ## Fix safety
    No fix: moving lines changes what runs before the restart.

    ## Source
    lint-rules.md UPD-008; innovaphone-spec.md 4 item 4 (the IP72 example).
    """
    for number in ctx.numbers(ast.FinalLine):
        if not facts.restarts_unconditionally(ctx.shape(number).final):
            continue
        line = ctx.line(number)
        related = (ctx.related(line.span, f"`{line.word.text}` restarts the device here"),)
        message = (f"unreachable: the `{line.word.text}` on line {number} restarts the device before this "
                   "line runs; move it above the restart")
        commands = ctx.numbers(ast.Command)
        for after in commands[bisect_right(commands, number):]:
            yield ctx.finding(ctx.span(after), message, related=related, unnecessary=True)
        return


@rule("UPD-009", spec="lint-rules.md UPD-009; innovaphone-spec.md 3, 14 Q7", kinds=(ast.ModCommand, ast.ConfigLine))
def module_case(ctx: LintContext, line: ast.Command):
    """A module name is not written in upper case (`up0`, `Up1`).

    ## What it does
    Reports module names in `mod cmd` and `config` lines that contain lower
    case letters and offers to write them in upper case.

    ## Why is this bad?
    Every source writes module names in upper case (`UP0`, `UP1`,
    `WLANMGR0`, `CMD0`). Whether the device matches them case-insensitively
    is not documented; if it does not, the line goes nowhere.

    ## Example
    ```
    mod cmd up1 check iresetn 2024-06-01
    ```
    Reported at 1:9.

    ## Use instead
    ```
    mod cmd UP1 check iresetn 2024-06-01
    ```

    ## Fix safety
    Safe: only the case of the module name changes, to the documented spelling.

    ## Source
    lint-rules.md UPD-009; innovaphone-spec.md 3, 14 (open question Q7).
    """
    module = line.module if isinstance(line, (ast.ModCommand, ast.ConfigLine)) else None
    if module is None or module.text == module.text.upper():
        return
    if isinstance(line, ast.ConfigLine):
        verb = catalog.CONFIG_VERBS.get(line.verb.text.lower()) if line.verb else None
        if verb is None or not verb.takes_module:
            return  # the word after an unknown verb may not be a module
    text = module.text
    return [ctx.finding(
        module.span, f"module names are written in upper case: `{text.upper()}`",
        fix=ctx.replace(module.span, text.upper(), f"write `{text.upper()}`"),
    )]
