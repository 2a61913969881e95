"""`innolint`: the linter's command line (a thin face over innoscript.lint).

Reading options, finding files, printing: everything else is the library's
(config, discover, cache, crossfile, baseline, fixes, report).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from .. import __version__
from .common import InputError

FORMAT_NAMES = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gcc")
FAIL_LEVELS = ("error", "warning", "hint", "info")
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


def _multi(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _config_value(text: str) -> Any:
    """A `--config KEY=VALUE` value: TOML when it parses, else the plain text."""
    from ..lint.config import tomllib

    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def cli_overrides(**options: Any) -> dict[str, Any]:
    """The command line as a partial configuration (keys as in the config file)."""
    result: dict[str, Any] = {}
    for pair in options["config"]:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--config {pair!r}: expected KEY=VALUE")
        result[key.strip().replace("_", "-").lower()] = _config_value(value.strip())
    simple = {
        "target-version": options["target_version"],
        "model": options["model"],
        "mode": options["mode"],
        "fail-level": options["fail_level"],
        "cache-dir": options["cache_dir"],
        "fleet": options["fleet"],
    }
    for key, value in simple.items():
        if value is not None:
            result[key] = value
    for key, option in (("select", "select"), ("ignore", "ignore"), ("extend-select", "extend_select"),
                        ("extend-ignore", "extend_ignore")):
        if options[option]:
            result[key] = list(_multi(options[option]))
    if options["severity"]:
        result["severity"] = {**result.get("severity", {}), **_pairs(options["severity"], "--severity", "CODE=LEVEL")}
    if options["url_map"]:
        result["url-map"] = {**result.get("url-map", {}), **_pairs(options["url_map"], "--url-map", "PREFIX=DIR", last=True)}
    if options["require_reason"]:
        result["require-reason"] = True
    if options["simulate"]:
        result["simulate"] = True
    return result


def check_fleet(path: str) -> None:
    """A fleet file that cannot be used is a usage error, found before linting."""
    from ..fleet.spec import FleetSpecError, load_fleet

    try:
        load_fleet(path)
    except (FleetSpecError, OSError) as exc:
        raise InputError(str(exc) if isinstance(exc, FleetSpecError) else f"{path}: cannot read ({exc})") from None


def _pairs(values: tuple[str, ...], option: str, shape: str, last: bool = False) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        for part in ([value] if last else value.split(",")):
            key, sep, rest = part.rpartition("=") if last else part.partition("=")
            if not sep or not key.strip() or not rest.strip():
                raise InputError(f"{option} {part!r}: expected {shape}")
            pairs[key.strip()] = rest.strip()
    return pairs


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def default_format() -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "full" if sys.stdout.isatty() else "concise"


@click.command("innolint", cls=InnolintCommand, context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES),
              help="Output format [default: full on a terminal, concise otherwise, github in GitHub Actions].")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour the output (NO_COLOR and FORCE_COLOR are honoured in auto).")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules: codes, prefixes, names, groups.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Add to the configured selection.")
@click.option("--extend-ignore", multiple=True, metavar="RULES", help="Add to the configured ignores.")
@click.option("--severity", multiple=True, metavar="CODE=LEVEL", help="Override a rule's severity (UPD-025=error).")
@click.option("--fail-level", type=click.Choice(FAIL_LEVELS), help="Lowest severity that fails the run [default: warning].")
@click.option("--target-version", metavar="VERSION", help="Firmware version the scripts run on (v6 ... v13r3) [default: v10].")
@click.option("--model", metavar="MODEL", help="Device model [default: from update-<model>.htm].")
@click.option("--mode", type=click.Choice(("script", "cfg-payload")), help="Lint as an update script or as a file `cfg` loads.")
@click.option("--url-map", multiple=True, metavar="PREFIX=DIR", help="Find files `cfg` URLs load: URL prefix -> folder.")
@click.option("--require-reason", is_flag=True, help="Suppressions must give a reason (`-- why`).")
@click.option("--simulate", is_flag=True, help="Also run the rules that simulate the script on a virtual device.")
@click.option("--fleet", metavar="FILE", help="With --simulate: also simulate this fleet (TOML, docs/fleet.md) polling the script.")
@click.option("--config", "config", multiple=True, metavar="KEY=VALUE", help="Set any configuration key (TOML value).")
@click.option("--show-settings", is_flag=True, help="Print the settings for each file and where they came from.")
@click.option("--stdin-filename", metavar="NAME", help="File name for `-` (configuration, model, messages).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--cache-dir", metavar="DIR", help="Cache folder [default: .innolint_cache next to the configuration].")
@click.option("--baseline", "baseline_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Report only findings not recorded in this baseline.")
@click.option("--write-baseline", metavar="FILE", type=click.Path(dir_okay=False),
              help="Record today's findings in FILE and exit 0.")
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings and nothing else.")
@click.option("--jobs", type=click.IntRange(1, 64),
              help="Processes for linting many files [default: a pool from 400 uncached files on 4+ cores].")
@click.option("--explain", metavar="CODE", callback=_explain_callback, expose_value=False, is_eager=True,
              help="Print a rule's documentation and exit.")
@click.version_option(__version__, prog_name="innolint")
def lint_command(paths: tuple[str, ...], **options: Any) -> None:
    """Lint innovaphone update scripts.

    PATH is a file, a folder (searched for update-*.htm and *.upd) or `-`
    for standard input.  Exit status: 0 clean, 1 findings at or above the
    fail level, 2 bad usage, configuration or unreadable input.

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
    from ..lint.baseline import BaselineError
    from ..lint.config import ConfigError
    from ..lint.discover import DiscoveryError

    if not paths:
        raise click.UsageError("give at least one PATH (a file, a folder or - for stdin)")
    try:
        status = run(paths, options)
    except (ConfigError, BaselineError, DiscoveryError) as exc:
        raise InputError(str(exc)) from None
    raise SystemExit(status)


def run(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """Lint ``paths`` as the options say; the exit status."""
    from ..lint.discover import STDIN
    from ..lint.session import Session

    overrides = cli_overrides(**options)
    if options["fleet"]:
        check_fleet(options["fleet"])
    fix = options["fix"] or options["diff"]
    session = Session(overrides, cache=not options["no_cache"], cache_dir=options["cache_dir"], fix=fix,
                      unsafe_fixes=options["unsafe_fixes"], write=not options["diff"], jobs=options["jobs"],
                      stdin_name=options["stdin_filename"])

    if options["show_settings"]:
        errors: list[str] = []
        for target in session.targets(paths, errors):
            name = session.stdin_name if target.path == STDIN and session.stdin_name else target.path
            click.echo(show_settings(name, session.resolver(name)))
        for message in errors:
            click.echo(f"error: {message}", err=True)
        return 2 if errors else 0

    if fix and STDIN in paths and len(paths) > 1:
        raise click.UsageError("--fix and --diff read - on its own: give - as the only PATH")
    outcome = session.run(paths)
    for message in outcome.errors:
        click.echo(f"error: {message}", err=True)

    if options["write_baseline"]:
        count = outcome.write_baseline(options["write_baseline"])
        if not options["quiet"]:
            click.echo(f"{count} finding{'s' if count != 1 else ''} recorded in {options['write_baseline']}", err=True)
        return 2 if outcome.errors else 0
    if options["baseline_file"]:
        accepted = outcome.apply_baseline(options["baseline_file"])
        if accepted and not options["quiet"]:
            click.echo(f"{accepted} finding{'s' if accepted != 1 else ''} accepted by the baseline", err=True)

    results = outcome.results
    here = session.resolved(os.getcwd())
    base = here.settings  # for what a format shows about the run as a whole
    if here.output_format and not os.environ.get("GITHUB_ACTIONS") == "true":
        options = {**options, "configured_format": here.output_format}
    if options["diff"]:
        from ..lint.fixes import diff

        changed = False
        for result in results:
            if result.original is not None:
                click.echo(diff(result.path, result.original.text, result.source.text), nl=False)
                changed = True
        return 2 if outcome.errors else (1 if changed else 0)

    if options["fix"] and paths == (STDIN,) and results:
        # Fixing standard input: the fixed text goes to stdout, findings to stderr.
        sys.stdout.buffer.write(results[0].source.encode())
        sys.stdout.flush()
        click.echo(render(results, options, color=False, settings=base), nl=False, err=True)
    else:
        color = use_color(options["color"])
        if options["statistics"]:
            click.echo(statistics(results), nl=False)
        else:
            click.echo(render(results, options, color=color, settings=base), nl=False, color=color)

    if options["fix"] and not options["quiet"]:
        fixed = [r for r in results if r.fixed]
        count = sum(r.fixes_applied for r in fixed)
        if count:
            click.echo(f"fixed {count} finding{'s' if count != 1 else ''} in {len(fixed)} file{'s' if len(fixed) != 1 else ''}",
                       err=True)
    return outcome.exit_status


def render(results: list, options: dict[str, Any], *, color: bool, settings=None) -> str:
    name = options["output_format"] or options.get("configured_format") or default_format()
    try:
        from ..lint.report import render as render_format
    except ImportError:  # a build without the report package: plain lines
        return "".join(
            f"{d.path}:{d.span.line}:{d.span.col}: {d.code} {d.message}\n" for r in results for d in r.diagnostics
        )
    return render_format(name, results, color=color, settings=settings)


def statistics(results: list) -> str:
    from collections import Counter

    counts: Counter = Counter()
    names: dict[str, tuple[str, str]] = {}
    for result in results:
        for d in result.diagnostics:
            counts[d.code] += 1
            names[d.code] = (d.name, d.severity.name.lower())
    lines = [
        f"{count:>6}  {code}  {names[code][1]:<7}  {names[code][0]}"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    total = sum(counts.values())
    lines.append(f"{total:>6}  finding{'s' if total != 1 else ''} in total")
    return "\n".join(lines) + "\n"


def show_settings(path: str, resolved) -> str:
    """The resolved settings of one file, TOML-shaped, each with its origin."""
    from ..lint.config import KEYS, settings_value

    lines = [f"# {path}", f"# configuration: {resolved.config.path if resolved.config else 'none found'}"]
    for key in KEYS:
        if key.startswith("extend-"):
            continue
        value = settings_value(resolved, key)
        origin = resolved.provenance.get(key, "default")
        if key == "model" and value is None:
            from .. import catalog

            inferred = catalog.model_from_filename(path)
            note = f"inferred from the file name: {inferred.name}" if inferred else "unknown"
            lines.append(f"# model: not set ({note})")
            continue
        if value is None:
            lines.append(f"# {key}: not set  ({origin})")
            continue
        lines.append(f"{key} = {_toml(value)}  # {origin}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return json.dumps(value, ensure_ascii=False)


def main(args: list[str] | None = None) -> None:
    """The `innolint` console script."""
    lint_command.main(args, prog_name="innolint")
