"""C. `times`: the hour window and the delay after boot."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from ...source import Cols
from ...syntax import ast
from ..context import LintContext
from ..diagnostic import Edit, Fix
from ..rule import rule
from .. import facts


@rule("UPD-020", spec="lint-rules.md UPD-020; innovaphone-spec.md 5.2", kinds=(ast.Times,))
def hour_out_of_range(ctx: LintContext, line: ast.Times):
    """An `/allow` hour is not an integer from 0 to 23.

    ## What it does
    Reports elements of the `/allow` list that are not whole hours of a
    24-hour clock: `24`, `25`, `-1`, `1a`, `2am`. Ranges (`22-4`) and empty
    elements are UPD-022.

    ## Why is this bad?
    The device compares the current local hour (0 to 23) with the list. An
    hour that never comes leaves a hole in the window the author meant
    (`24` for midnight never matches).

    ## Example
    ```
    mod cmd UP1 times /allow 22,23,24,1
    ```
    Reported at 1:32.

    ## Use instead
    ```
    mod cmd UP1 times /allow 22,23,0,1
    ```

    ## Fix safety
    No fix: which hour was meant is the author's decision (`24` is usually `0`).

    ## Source
    lint-rules.md UPD-020; innovaphone-spec.md 5.2.
    """
    hours = ctx.fact(facts.hour_list, line)
    if hours is None or None not in hours.hours:  # (hours.valid)
        return None
    found = []
    for piece, value in zip(hours.pieces, hours.hours):
        if value is None and piece.text and not facts.is_range(piece):
            hint = " (midnight is `0`)" if piece.text == "24" else ""
            found.append(ctx.finding(piece.span, f"`{piece.text}` is not an hour 0-23{hint}"))
    return found


@rule("UPD-021", spec="lint-rules.md UPD-021", kinds=(ast.Times,))
def duplicate_hour(ctx: LintContext, line: ast.Times):
    """An hour appears twice in `/allow`.

    ## What it does
    Reports an hour listed more than once in the `/allow` list (once per
    hour, at its second place) and offers to remove the repeats.

    ## Why is this bad?
    Harmless to the device, but usually a typo for another hour, which is
    then missing from the window (`1,2,2,4` was probably meant as `1,2,3,4`).

    ## Example
    ```
    mod cmd UP1 times /allow 1,2,2,4
    ```
    Reported at 1:30.

    ## Use instead
    ```
    mod cmd UP1 times /allow 1,2,3,4
    ```

    ## Fix safety
    Safe: removing the repeated hour does not change which hours are
    allowed. Check whether another hour was meant. No fix is offered while
    a blank splits the list (UPD-022): fix that first.

    ## Source
    lint-rules.md UPD-021.
    """
    hours = ctx.fact(facts.hour_list, line)
    if hours is None or len(set(hours.hours)) == len(hours.hours):
        return None
    return list(_duplicates(ctx, hours))


def _duplicates(ctx: LintContext, hours: facts.HourList):
    # One finding per repeated hour (a list of a million `1`s is one mistake,
    # not a million), at its second place, with every repeat in its fix.
    places: dict[int, list[int]] = {}
    for index, value in enumerate(hours.hours):
        if value is not None:
            places.setdefault(value, []).append(index)
    for value, indexes in places.items():
        if len(indexes) < 2:
            continue
        first, second = hours.pieces[indexes[0]], hours.pieces[indexes[1]]
        fix = None
        if not hours.split:
            # Each repeat goes with the comma before it (the list's first
            # element is never a repeat).
            cuts = [Cols(hours.pieces[i - 1].span.end, hours.pieces[i].span.end) for i in indexes[1:]]
            what = f"the second `{second.text}`" if len(cuts) == 1 else f"the {len(cuts)} repeats of `{first.text}`"
            fix = Fix(f"remove {what}", tuple(Edit(cut, "") for cut in cuts), True)
        listed = "twice; remove it" if len(indexes) == 2 else f"{len(indexes)} times; remove the repeats"
        yield ctx.finding(
            second.span,
            f"hour {value} is listed {listed}, or write the hour that was meant",
            fix=fix,
            related=(ctx.related(first.span, "first listed here"),),
        )


@rule("UPD-022", spec="lint-rules.md UPD-022; innovaphone-spec.md 3, 5.2", kinds=(ast.Times,))
def malformed_hour_list(ctx: LintContext, line: ast.Times):
    """The `/allow` hour list is malformed (blank after a comma, empty element, range).

    ## What it does
    Reports an `/allow` list that a blank splits into several words
    (`22, 23, 0`), a list with an empty element (leading, trailing or
    doubled comma), a range (`22-4`), and an `/allow` without a value.

    ## Why is this bad?
    `<hours>` is one word: a comma-separated list of single hours. A blank
    ends the word, so `22, 23, 0` allows only hour 22 (and passes `23,` and
    `0` as stray arguments); ranges are not part of the syntax.

    ## Example
    ```
    mod cmd UP1 times /allow 22, 23, 0
    ```
    Reported at 1:26.

    ## Use instead
    ```
    mod cmd UP1 times /allow 22,23,0,1,2,3,4
    ```

    ## Fix safety
    When the only problem is blanks after commas, a safe fix removes them
    (the list then reads as written). Ranges, empty elements and a missing
    value get no fix.

    ## Source
    lint-rules.md UPD-022; innovaphone-spec.md 3 (blanks separate words), 5.2.
    """
    hours = ctx.fact(facts.hour_list, line)
    allow = line.allow
    if hours is not None and hours.pieces and not hours.split and None not in hours.hours:
        return None  # one word of hours only (most lines): nothing below applies
    if allow is None or allow.value is not None:
        return list(_malformed(ctx, hours)) if hours is not None else None
    found = [ctx.finding(allow.span, "`/allow` without hours; give a comma-separated list such as `23,0,1,2,3,4`")]
    if hours is not None:
        found += _malformed(ctx, hours)
    return found


def _malformed(ctx: LintContext, hours: facts.HourList):
    if hours.split:
        joined = "".join(t.text for t in hours.tokens)
        yield ctx.finding(
            hours.span,
            f"a blank splits the hour list: the device reads only `{hours.tokens[0].text}`; write `{joined}`",
            fix=ctx.replace(hours.span, joined, "remove the blanks from the hour list"),
        )
    if hours.valid:
        return  # hours only: no range, no empty element
    for index, piece in enumerate(hours.pieces):
        if facts.is_range(piece):
            yield ctx.finding(
                piece.span, f"`{piece.text}` is a range; list every hour separated by commas (ranges are not understood)"
            )
        elif not piece.text:
            where = "leading" if index == 0 else "trailing" if index == len(hours.pieces) - 1 else "doubled"
            yield ctx.finding(piece.span, f"empty element in the hour list ({where} comma); remove the comma")


@rule("UPD-023", spec="lint-rules.md UPD-023; innovaphone-spec.md 5.2", kinds=(ast.Times,))
def initial_not_positive(ctx: LintContext, line: ast.Times):
    """`/initial` is not a positive whole number of minutes.

    ## What it does
    Reports `/initial` values that are not a positive integer: `-5`,
    `6min`, `0`, `1.5`, or no value at all.

    ## Why is this bad?
    `<minutes>` is the number of minutes after boot in which no command
    runs. Anything else is not understood, and the protection against
    flashing devices while they are being installed is lost.

    ## Example
    ```
    mod cmd UP1 times /initial 6min
    ```
    Reported at 1:28.

    ## Use instead
    ```
    mod cmd UP1 times /initial 6
    ```

    ## Fix safety
    No fix: the number of minutes is the author's choice.

    ## Source
    lint-rules.md UPD-023; innovaphone-spec.md 5.2.
    """
    option = line.initial
    if option is None:
        return None
    if option.value is None:
        return [ctx.finding(option.span, "`/initial` without a number of minutes (for example `/initial 6`)")]
    if option.invalid is not None:
        return [ctx.finding(
            option.value.span, f"`{option.value.text}` is not a positive whole number of minutes (for example `6`)"
        )]
    return None


@rule("UPD-024", spec="lint-rules.md UPD-024; innovaphone-spec.md 4, 5.2")
def times_not_first(ctx: LintContext):
    """`times` is not the first effective command.

    ## What it does
    Reports the first `times` line when effective commands stand above it.
    Backups (`scfg`) above it are not counted: a backup at any hour is
    fine, and the official update server's scripts put them there.

    ## Why is this bad?
    `times` cancels the *further* processing of the script. Commands above
    it are not restricted: firmware flashing or configuration changes placed
    above it happen at any hour and during installation.

    ## Example
    ```
    mod cmd UP0 prot http://192.168.0.10/fw/ ireset 04-5679
    mod cmd UP1 times /allow 23,0,1,2,3,4
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4
    mod cmd UP0 prot http://192.168.0.10/fw/ ireset 04-5679
    ```

    ## Fix safety
    No fix: moving lines changes which of them are restricted.

    ## Source
    lint-rules.md UPD-024; innovaphone-spec.md 4, 5.2, 12.
    """
    times = ctx.numbers(ast.Times)
    if not times:
        return
    number = times[0]  # the first times line
    commands = ctx.numbers(ast.Command)
    # Backups above `times` are the standard layout: nothing is wrong, nothing is said.
    shapes = ctx.script.shapes
    above = [n for n in commands[:bisect_left(commands, number)] if not isinstance(shapes[n - 1], ast.Scfg)]
    if above:
        many = len(above) > 1
        message = (f"{len(above)} command{'s' if many else ''} above `times` run{'' if many else 's'} at any "
                   f"hour (from line {above[0]}); put `times` first")
        yield ctx.finding(
            ctx.at(number, ctx.shape(number).verb), message,
            related=(ctx.related(ctx.span(above[0]), "runs before the time window is checked"),),
        )


def _malformed_download(line: ast.Download) -> bool:
    """A download line the device cannot execute: no URL, no serial or no known final command."""
    return (not facts.has_url(line) or line.serial is None or line.final is None
            or not facts.is_final_word(line.final.text))


@rule("UPD-025", spec="lint-rules.md UPD-025; innovaphone-spec.md 5.2")
def download_without_initial(ctx: LintContext):
    """A firmware, boot code or radio code download without any `times ... /initial`.

    ## What it does
    Reports each `prot`, `boot` and `bmc` line of a script that has no
    `times` line with `/initial` (a `time ... /initial` line counts).
    A line that is malformed (no URL, serial or known final command) is
    left to the rules that say so: it downloads nothing.

    ## Why is this bad?
    `/initial` exists so that devices being installed are not flashed during
    their first minutes; the training material says to use `times`
    together with `/initial`. Without it a freshly plugged-in device may be
    flashed while it is still being configured.

    ## Example
    ```
    mod cmd UP0 prot http://192.168.0.10/fw/ ireset 04-5679
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    mod cmd UP0 prot http://192.168.0.10/fw/ ireset 04-5679
    ```

    ## Fix safety
    No fix: the hours and minutes are the site's choice.

    ## Source
    lint-rules.md UPD-025; innovaphone-spec.md 5.2.
    """
    if any(ctx.shape(number).initial is not None for number in ctx.numbers(ast.Times)):
        return
    for number in ctx.numbers(ast.Download):
        line = ctx.shape(number)  # placed only where reported (ctx.at)
        if _malformed_download(line):
            continue  # it downloads nothing; UPD-005/010/011 say why
        yield ctx.finding(
            ctx.at(number, line.verb),
            f"{line.verb.text} download without `times ... /initial`: devices can be flashed while being "
            "installed; add for example `mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6` as the first line",
        )


@rule("UPD-026", spec="lint-rules.md UPD-026; innovaphone-spec.md 5.2")
def several_times(ctx: LintContext):
    """The script has more than one `times` line.

    ## What it does
    Reports every `times` line after the first.

    ## Why is this bad?
    Each `times` line cancels the script on its own, so together they allow
    only the hours both allow (and the longer `/initial`). That intersection
    is rarely what was meant; usually one line was copied from another script.

    ## Example
    ```
    mod cmd UP1 times /allow 22,23,0,1 /initial 6
    mod cmd UP1 times /allow 2,3,4
    ```
    Reported at 2:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 22,23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    No fix: which window is right is the author's decision.

    ## Source
    lint-rules.md UPD-026; innovaphone-spec.md 4, 5.2.
    """
    times = ctx.numbers(ast.Times)
    if len(times) < 2:
        return
    message = (f"second `times` line (the first is on line {times[0]}): only hours both allow remain; "
               "keep a single `times` line")
    return ctx.after_the_first(times, message, "first times line")


@rule("UPD-027", spec="lint-rules.md UPD-027; innovaphone-spec.md 5.2", kinds=(ast.Times,))
def times_without_options(ctx: LintContext, line: ast.Times):
    """`times` has neither `/allow` nor `/initial`.

    ## What it does
    Reports `times` lines without the two documented options.

    ## Why is this bad?
    Both options are optional in the syntax, but without them the command
    restricts nothing (at most it stops devices that have no time yet).

    ## Example
    ```
    mod cmd UP1 times
    ```
    Reported at 1:13.

    ## Use instead
    ```
    mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    No fix: the hours and minutes are the site's choice.

    ## Source
    lint-rules.md UPD-027; innovaphone-spec.md 5.2.
    """
    if line.allow is None and line.initial is None:
        return [ctx.finding(
            line.verb.span, "`times` without `/allow` or `/initial` restricts nothing; add the hours and minutes"
        )]
    return None


@rule("UPD-028", spec="lint-rules.md UPD-028; innovaphone-spec.md 13 item 12", kinds=(ast.Times,))
def hour_gap(ctx: LintContext, line: ast.Times):
    """A single hour is missing between two allowed hours.

    ## What it does
    Reports an `/allow` list where one hour is left out between two allowed
    neighbours (counting round midnight), such as `23,1` without `0`.

    ## Why is this bad?
    A one-hour hole in a window is usually a typo. The Ascom manual's
    example `/allow 12,23,1,2,3,4` is described as "23:00 to 4:59" but omits
    hour 0, so nothing runs from 0:00 to 0:59.

    ## Example
    ```
    mod cmd UP1 times /allow 12,23,1,2,3,4 /initial 6
    ```
    Reported at 1:26.

    ## Use instead
    ```
    mod cmd UP1 times /allow 12,23,0,1,2,3,4 /initial 6
    ```

    ## Fix safety
    No fix: the hole may be deliberate.

    ## Source
    lint-rules.md UPD-028; innovaphone-spec.md 13 item 12.
    """
    hours = ctx.fact(facts.hour_list, line)
    if hours is None:
        return None
    message = _gap_message(hours.hours)
    return [ctx.finding(hours.span, message)] if message is not None else None


@lru_cache(maxsize=4096)  # scripts repeat the same few hour lists
def _gap_message(hours: tuple[int | None, ...]) -> str | None:
    """What UPD-028 says about an hour list: the hours missing between allowed ones, when it
    allows fewer than 23 hours; None: no gap."""
    allowed = set(hours)
    allowed.discard(None)
    # A hole is an hour not allowed between two allowed ones: it follows an allowed hour.
    holes = sorted(h for h in {(a + 1) % 24 for a in allowed} if h not in allowed and (h + 1) % 24 in allowed)
    if not holes or len(allowed) >= 23:
        return None
    listed = ", ".join(str(h) for h in holes)
    return (f"hour{'s' if len(holes) > 1 else ''} {listed} missing between allowed hours; add "
            f"{'them' if len(holes) > 1 else 'it'} if the window was meant to be continuous")
