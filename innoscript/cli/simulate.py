"""`innoscript simulate`: a thin face over innoscript.fleet."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from .common import InputError, show_progress

OPTION_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")  # `-o name=value`: an interpreter option in the old spelling


@click.command("simulate")
@click.option("--fleet", "fleet_path", metavar="FILE", help="Fleet description (TOML, see docs/fleet.md). "
              "Default: ten devices per update-<model>.htm in --root.")
@click.option("--root", metavar="DIR", help="Document root of the update server (scripts, firmware, cfg files).")
@click.option("--server", metavar="URL", help="A real update server to fetch from instead of --root.")
@click.option("--days", type=float, help="Simulated days (default: the fleet file's, else 7).")
@click.option("--start", metavar="DATETIME", help="Start of the simulation, local time, e.g. 2026-12-01T18:00.")
@click.option("--seed", type=int, help="Seed for uptimes and busy devices (default: the fleet file's, else 0).")
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE",
              help="Interpreter option (see `innoscript run --help`); repeatable.")
@click.option("-o", "--output-file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the report (table or JSON) to FILE instead of standard output.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--plot", metavar="PATH", help="Write plots: one PNG, or a folder for one PNG per plot.")
@click.option("--html", "html_path", metavar="FILE", help="Write a self-contained HTML report with the plots.")
@click.option("--exact", is_flag=True, help="Run every poll one by one (slow; the default fast path gives the same report).")
def simulate_command(fleet_path, root, server, days, start, seed, options, output_file, as_json, plot, html_path,
                     exact) -> None:
    """Simulate a fleet of devices polling their update scripts over days.

    Every poll of every device follows the reference interpreter.  The
    report shows, per group, how many devices converged and when, downloads,
    uploads, restarts, loops and why devices never updated; and the load on
    the server (downloads per hour, peak concurrent transfers) and the
    backups written.  On a terminal a progress bar runs on standard error
    (never in a pipe or a CI log).  Exit status: 0, or 2 for unusable input.

    `-o` is `--output-file`, as in innolint; interpreter options are given
    with `--option NAME=VALUE` (earlier releases took `-o` for them).

    \b
    Examples:
      innoscript simulate --root www/ --days 7
      innoscript simulate --fleet fleet.toml --root www/ --start 2026-12-01T18:00 --seed 3
      innoscript simulate --fleet fleet.toml --root www/ --json > report.json
      innoscript simulate --fleet fleet.toml --root www/ --plot plots/ --html report.html
      innoscript simulate --fleet fleet.toml --server http://10.0.0.5/
    """
    from ..device.fetch import FolderFetcher, HttpFetcher
    from ..device.options import OptionError
    from ..fleet.fetch import Rebase
    from ..fleet.interp import InterpreterPoller, interpreter_options
    from ..fleet.report import build_report, format_table, to_json
    from ..fleet.sim import simulate
    from ..fleet.spec import FleetSpecError, default_fleet, load_fleet, parse_start

    if output_file and OPTION_SHAPE.match(output_file):
        raise InputError(f"-o {output_file}: -o is --output-file now; for an interpreter option write "
                         f"--option {output_file}")
    if bool(root) == bool(server):
        raise InputError("give exactly one of --root DIR and --server URL")
    if root and not Path(root).is_dir():
        raise InputError(f"{root}: not a folder (--root needs the server's document root)")
    if server and not server.startswith(("http://", "https://")):
        raise InputError(f"--server needs an http:// or https:// URL, not {server!r}")
    try:
        if fleet_path:
            spec = load_fleet(fleet_path)
        elif root:
            spec = default_fleet(root)
        else:
            raise InputError("--server needs --fleet (a remote folder cannot be listed)")
    except FleetSpecError as exc:
        raise InputError(str(exc)) from None
    changes = {}
    if days is not None:
        if not days > 0:
            raise InputError(f"--days must be above 0, not {days:g}")
        changes["days"] = days
    if start is not None:
        try:
            changes["start"] = parse_start(start)
        except ValueError as exc:
            raise InputError(f"--start: {exc}") from None
    if seed is not None:
        changes["seed"] = seed
    spec = spec.replace(**changes)
    pairs = []
    for item in options:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--option needs NAME=VALUE, not {item!r}")
        pairs.append((name, value))
    try:
        options_used = interpreter_options(spec, pairs)
    except (FleetSpecError, OptionError) as exc:
        raise InputError(str(exc)) from None
    if plot or html_path:
        from ..fleet.plot import PlotUnavailable, check_plotting

        try:
            check_plotting()
        except PlotUnavailable as exc:
            raise InputError(str(exc)) from None

    if root:
        fetcher = FolderFetcher(root, url_map=((spec.server, root),))
    else:
        fetcher = Rebase(HttpFetcher(), spec.server, server if server.endswith("/") else server + "/")
    poller = InterpreterPoller(spec, fetcher, options_used)

    if show_progress():
        with click.progressbar(length=spec.seconds, label="simulating", file=sys.stderr,
                               show_eta=True, show_percent=True) as bar:
            result = simulate(spec, poller, exact=exact, progress=bar.update)
    else:
        result = simulate(spec, poller, exact=exact)
    report = build_report(result, poller.describe)

    written = []
    if plot:
        from ..fleet.plot import write_plots

        try:
            written += write_plots(report, plot)
        except OSError as exc:
            raise InputError(f"{plot}: cannot write ({exc.strerror or exc})") from None
    if html_path:
        from ..fleet.plot import write_html

        try:
            written.append(write_html(report, html_path))
        except OSError as exc:
            raise InputError(f"{html_path}: cannot write ({exc.strerror or exc})") from None
    text = to_json(report) if as_json else format_table(report)
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output_file}: cannot write ({exc.strerror or exc})") from None
        written.append(output_file)
    else:
        click.echo(text, nl=False)
    for path in written:
        click.echo(f"wrote {path}", err=True)
