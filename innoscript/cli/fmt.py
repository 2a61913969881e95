"""`innoscript fmt`."""

from __future__ import annotations

import os
import sys

import click

from ..fmt import format_source
from ..lint.fixes import diff, write_atomically
from .common import InputError, read_source


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff of the changes (exit 1 if any).")
@click.option("--stdin-filename", metavar="NAME", help="File name to report for `-`.")
def fmt_command(files: tuple[str, ...], check: bool, show_diff: bool, stdin_filename: str | None) -> None:
    """Format FILES: one blank between words, canonical keyword case.

    Files are rewritten in place (atomically, keeping encoding, byte-order
    mark, line endings and file mode).  A folder is walked for update
    scripts as `innolint` walks it (its include/exclude settings and
    .gitignore apply).  `-` reads standard input and writes the result to
    standard output.  See docs/fmt.md for what changes.

    Exit status: 0 done (or nothing to change), 1 with --check or --diff when
    a file would change, 2 a file could not be read or written.

    \b
    Examples:
      innoscript fmt update-ip1200.htm
      innoscript fmt --check update-*.htm
      innoscript fmt --check scripts/
      innoscript fmt --diff update-ip72.htm
      cat update-ip72.htm | innoscript fmt - > formatted.htm
    """
    dry = check or show_diff
    changed: list[str] = []
    unchanged = 0
    failed = False
    for path, problem in _targets(files):
        if problem is not None:
            click.echo(f"error: {problem}", err=True)
            failed = True
            continue
        try:
            source = read_source(path, stdin_filename)
        except InputError as exc:
            exc.show()
            failed = True
            continue
        if source.binary:
            click.echo(f"error: {source.path}: binary file, not formatted", err=True)
            failed = True
            continue
        formatted = format_source(source)
        if path == "-":
            if show_diff:
                click.echo(diff(source.path, source.text, formatted), nl=False)
            elif not check:
                stream = sys.stdout.buffer
                stream.write(source.encode(formatted))
                stream.flush()
            if formatted != source.text:
                changed.append(source.path)
            else:
                unchanged += 1
            continue
        if formatted == source.text:
            unchanged += 1
            continue
        changed.append(source.path)
        if show_diff:
            click.echo(diff(source.path, source.text, formatted), nl=False)
        if check:
            click.echo(f"would reformat {source.path}", err=True)
        if not dry:
            try:
                write_atomically(path, source, formatted)
            except OSError as exc:
                click.echo(f"error: {path}: cannot write ({exc.strerror or exc})", err=True)
                failed = True
                changed.pop()
    if files != ("-",):
        click.echo(_summary(changed, unchanged, dry), err=True)
    if failed:
        sys.exit(2)
    sys.exit(1 if dry and changed else 0)


def _targets(files: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(path, problem) pairs: named files as given, folders walked as innolint walks them.

    A folder that cannot be walked gives its problem in place, so one bad
    path does not stop the others.
    """
    from ..lint.config import ConfigError
    from ..lint.discover import discover

    out: list[tuple[str, str | None]] = []
    for path in files:
        if path == "-" or not os.path.isdir(path):
            out.append((path, None))  # read_source words the errors of files
            continue
        errors: list[str] = []
        try:
            targets = discover([path], errors=errors)
        except ConfigError as exc:
            raise InputError(str(exc)) from None
        out.extend((path, message) for message in errors)
        out.extend((target.path, None) for target in targets)
    return out


def _summary(changed: list[str], unchanged: int, dry: bool) -> str:
    def count(n: int) -> str:
        return f"{n} file" if n == 1 else f"{n} files"

    verb = "would be reformatted" if dry else "reformatted"
    return f"{count(len(changed))} {verb}, {count(unchanged)} left unchanged"

