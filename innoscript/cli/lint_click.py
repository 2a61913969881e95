"""innolint's click command: help, version, `--explain`, `rule` and `rules`.

`innolint` parses a plain command line without click (lint_options.py); this
command, built from the same option table, answers everything else and is
what tests and other programs invoke.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .. import __version__
from .common import InputError
from .lint import LintError, lint_once
from .lint_options import OPTIONS

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# -- subcommands: `innolint rule CODE`, `innolint rules` ---------------------------


@click.command("rule", context_settings=CONTEXT)
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of one rule (by code or name).

    \b
    Examples:
      innolint rule UPD-046
      innolint rule download-without-initial
    """
    _explain(code)


@click.command("rules", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as a JSON array.")
def rules_command(as_json: bool) -> None:
    """List every rule: code, name, severity, fix, group.

    \b
    Examples:
      innolint rules
      innolint rules --json | jq '.[] | select(.fix != null) | .code'
    """
    from ..lint.rule import all_rules

    rules = all_rules()
    if as_json:
        data = [
            {"code": r.code, "name": r.name, "severity": r.severity.name.lower(), "fix": r.fix,
             "group": r.group, "summary": r.summary, "url": r.url}
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width = max((len(r.name) for r in rules), default=4)
    click.echo(f"{'code':<8} {'name':<{width}} {'severity':<8} {'fix':<9} group")
    for r in rules:
        click.echo(f"{r.code:<8} {r.name:<{width}} {r.severity.name.lower():<8} {r.fix or '-':<9} {r.group}")


SUBCOMMANDS = {"rule": rule_command, "rules": rules_command}


def _explain(key: str) -> None:
    from ..lint.rule import find_rule

    found = find_rule(key)
    if found is None:
        raise InputError(f"unknown rule {key!r} (see `innolint rules`)")
    click.echo(f"{found.code} {found.name} ({found.severity.name.lower()}, group {found.group}"
               f"{', fix: ' + found.fix if found.fix else ''})\n")
    click.echo(found.doc.rstrip())
    if found.url:
        click.echo(f"\n{found.url}")


def _explain_callback(ctx: click.Context, _param, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    _explain(value)
    ctx.exit(0)


class InnolintCommand(click.Command):
    """The lint command, with `rule` and `rules` as first words.

    A file literally named `rules` is linted as `./rules`.
    """

    def main(self, args=None, prog_name=None, **extra):  # noqa: D102 - click's signature
        args = list(sys.argv[1:] if args is None else args)
        if args and args[0] in SUBCOMMANDS:
            name = f"{prog_name or 'innolint'} {args[0]}"
            return SUBCOMMANDS[args[0]].main(args[1:], prog_name=name, **extra)
        return super().main(args, prog_name=prog_name or "innolint", **extra)

    def format_usage(self, ctx, formatter) -> None:  # noqa: D102
        formatter.write_usage(ctx.command_path, "[OPTIONS] PATH...")
        formatter.write_usage(ctx.command_path, "rule CODE", prefix="   or: ")
        formatter.write_usage(ctx.command_path, "rules [--json]", prefix="   or: ")


# -- the lint command ---------------------------------------------------------------


def _with_options(command):
    """Apply the table's options (last first, so `--help` lists them in table order)."""
    for option in reversed(OPTIONS):
        extra: dict[str, Any] = {"help": option.help}
        if option.metavar:
            extra["metavar"] = option.metavar
        if option.kind == "flag":
            extra["is_flag"] = True
        elif option.kind == "multi":
            extra["multiple"] = True
        elif option.kind == "choice":
            extra["type"] = click.Choice(option.choices)
            if option.default is not None:
                extra.update(default=option.default, show_default=True)
        elif option.kind == "int":
            extra["type"] = click.IntRange(option.low, option.high)
        elif option.file:
            extra["type"] = click.Path(dir_okay=False)
        command = click.option(*option.flags, option.dest, **extra)(command)
    return command


@click.command("innolint", cls=InnolintCommand, context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@_with_options
@click.option("--explain", metavar="CODE", callback=_explain_callback, expose_value=False, is_eager=True,
              help="Print a rule's documentation and exit.")
@click.version_option(__version__, prog_name="innolint")
def lint_command(paths: tuple[str, ...], **options: Any) -> None:
    """Lint innovaphone update scripts.

    PATH is a file, a folder (searched for update-*.htm, *.upd and the
    per-device <MAC>.txt and <hwid>.htm) or `-` for standard input.  Exit
    status: 0 clean, 1 findings at or above the fail level, 2 bad usage,
    configuration or unreadable input, or a folder without update scripts.

    \b
    Examples:
      innolint update-ip1200.htm
      innolint .                                  # every update script below here
      innolint --fix --select UPD-002 scripts/
      innolint --format sarif . > innolint.sarif
      innolint --target-version v13r3 --model IP232 update.htm
      cat update-ip72.htm | innolint - --stdin-filename update-ip72.htm
      innolint --write-baseline innolint-baseline.json . && innolint --baseline innolint-baseline.json .
      innolint rule UPD-046                       # a rule's documentation
      innolint rules                              # every rule
    """

    from .lint import start

    if not paths:
        raise click.UsageError("give at least one PATH (a file, a folder or - for stdin)")
    try:
        status = start(paths, options)
    except LintError as exc:
        if exc.usage:
            raise click.UsageError(str(exc)) from None
        raise InputError(str(exc)) from None
    raise SystemExit(status)


