"""`innoscript run`: dry-run a script on a virtual device.

Thin: turns the command line into a device (``innoscript.device.setup``),
a fetcher and options, calls ``innoscript.device.dry_run`` and prints with
``innoscript.device.report``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import click

from .common import InputError, read_source, url_map_pairs

_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_FAIL_STATUS = re.compile(r"^[1-5][0-9][0-9]$")  # ASCII digits only, as everywhere


def _options_help() -> str:
    from ..device.options import option_infos

    rows = []
    for info in option_infos():
        default = str(info.default).lower() if isinstance(info.default, bool) else info.default
        choices = f" [{'|'.join(info.choices)}]" if info.choices else ""
        rows.append(f"  {info.name}={default}{choices}\n      {info.doc}")
    return "\n".join(rows)


_FAILURES_HELP = """\
Which failures the options govern:
  on_error          a malformed line: missing URL or serial, bad hours or
                    minutes, unknown verb or module command (spec 10.10).
                    The line does nothing and logs an error; `stop` also
                    ends the script there.
  transfer_failure  a well-formed UP0 line whose transfer fails: a prot,
                    boot, bmc or cfg download or an scfg upload that gets
                    an HTTP error or no answer (spec Q3; --fail provokes
                    one).  Variables stay unchanged and the final command
                    does not run; `stop` also ends the script there.
  Neither covers the script itself: when its fetch fails, nothing runs.
"""


class _RunCommand(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write("\n" + _FAILURES_HELP)
        formatter.write("\nInterpreter options (--option KEY=VALUE, defaults shown):\n")
        formatter.write(_options_help() + "\n")


def _pairs(values: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{what} expects KEY=VALUE, not {value!r}")
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _failures(values: tuple[str, ...]) -> list[tuple[str, int | None]]:
    rules = []
    for value in values:
        glob, sep, what = value.rpartition("=")
        if not sep or _FAIL_STATUS.match(what) is None and what != "timeout":
            glob, what = value, "timeout"
        if not glob:
            raise InputError(f"--fail expects URL-GLOB[=STATUS|timeout], not {value!r}")
        rules.append((glob, None if what == "timeout" else int(what)))
    return rules


def _refuse_unreadable(source, what: str) -> None:
    """Bytes the device cannot run: refused as innolint reports them (UPD-092, UPD-091 for UTF-16/32)."""
    wide = [p for p in source.problems if p.kind == "wide"]  # a device reads the bytes, not the text
    if source.binary or wide:
        raise InputError(f"{what}: {(wide or source.problems)[0].message}")


def _read_text(path: str, what: str) -> str:
    source = read_source(path)
    _refuse_unreadable(source, what)
    return source.text


@click.command("run", cls=_RunCommand)
@click.argument("script")
@click.option("--model", help="Device model (catalogue name, e.g. IP1200); default: from update-<model>.htm.")
@click.option("--firmware", default="", help="Running firmware build (e.g. 08-12345).")
@click.option("--boot", default="", help="Running boot code build.")
@click.option("--bmc", default="", help="Running DECT radio (BMC) code.")
@click.option("--mac", help="MAC address (#m), e.g. 00-90-33-03-0d-f0; also the serial number.")
@click.option("--serial-number", "serial_number", help="The device's serial number: its MAC address (#m); same as --mac.")
@click.option("--hardware-id", "hardware_id", help="Hardware id (#h); default <MODEL>-<last three MAC bytes>.")
@click.option("--ip", help="The device's IP address (#i).")
@click.option("--time", "time_", metavar="HH:MM", help="Local time at the first poll (default 02:00).")
@click.option("--no-time", is_flag=True, help="The device has no time (times /allow cancels every run).")
@click.option("--date", metavar="YYYY-MM-DD", help="Local date at the first poll (default 2026-01-01).")
@click.option("--uptime", type=click.IntRange(min=0), default=60, show_default=True, metavar="MIN", help="Minutes since boot at the first poll.")
@click.option("--new", is_flag=True, help="Factory-new device (fast polling, /initial lifts /allow).")
@click.option("--busy", is_flag=True, help="The device is in use: ireset/iresetn/ireboot wait.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Set a variable (PROT=08-1 or UPDATE/CHECK=x); repeatable.")
@click.option("--config", "config_file", metavar="FILE", help="The device's saved configuration (config add/change lines, e.g. its last backup); running and saved start equal.")
@click.option("--config-line", "config_lines", multiple=True, metavar="LINE", help="One more saved setting, e.g. 'config add UP1 /poll 60'; repeatable.")
@click.option("--unsaved-line", "unsaved_lines", multiple=True, metavar="LINE", help="A setting active but not written (lost at a restart); repeatable.")
@click.option("--poll-interval", type=click.IntRange(min=1), metavar="MIN", help="Poll interval (default: UP1 /poll of --config, else 15).")
@click.option("--update-url", metavar="URL", help="The device's update URL (default: SCRIPT when it is a URL).")
@click.option("--root", type=click.Path(file_okay=False), help="Folder that answers GETs by URL path (default: the script's folder).")
@click.option("--url-map", multiple=True, metavar="PREFIX=DIR", help="Serve URLs starting with PREFIX from DIR; repeatable; added to the url-map of .innolint.toml / pyproject.toml.")
@click.option("--output", type=click.Path(file_okay=False), help="Folder for uploaded backups (default: kept in memory).")
@click.option("--fail", "failures", multiple=True, metavar="URL-GLOB[=STATUS|timeout]", help="Downloads and uploads whose URL matches fail with STATUS or get no answer (timeout, the default); repeatable.")
@click.option("--power-save-fails", is_flag=True, help="Firmware/boot downloads of a WLAN phone (IP72) in power-save mode fail.")
@click.option("--restart-at", "restart_at", multiple=True, type=click.IntRange(min=1), metavar="POLL", help="A power cut just before poll POLL; repeatable.")
@click.option("--why", "why", type=click.IntRange(min=1), metavar="LINE", help="Explain for LINE why it did or did not run on each poll.")
@click.option("--polls", type=click.IntRange(min=1), help="Run exactly N polls.")
@click.option("--until-converged", "until_converged", is_flag=True, help="Poll until nothing happens (the default), at most one day of device time.")
@click.option("--max-polls", type=click.IntRange(min=1), help="Stop after N polls instead of after one day of device time.")
@click.option("--deadline", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="SECONDS", help="Longest time one HTTP request may take.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="Interpreter option (listed below).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per poll, then a summary object.")
def run_command(script, model, firmware, boot, bmc, mac, serial_number, hardware_id, ip, time_, no_time, date, uptime,
                new, busy, variables, config_file, config_lines, unsaved_lines, poll_interval, update_url, root, url_map,
                output, failures, power_save_fails, restart_at, why, polls, until_converged, max_polls, deadline,
                options, as_json):
    """Run SCRIPT on a virtual device and show what it would do, poll by poll.

    SCRIPT is a file (run as it is, each poll) or an http:// URL (fetched
    each poll like a device does, from any web server such as
    `innoscript serve`).  Between polls the clock and the uptime advance by
    the poll interval, so /initial and /allow play out.  By default the
    device polls until a poll does nothing (no change, download, upload or
    restart), for at most one day of device time.

    Exit status: 0 converged (with --polls: no loop), 1 a loop or no
    convergence, 2 bad input or an unreachable server.

    \b
    Examples:
      innoscript run update-ip1200.htm --firmware 08-12345 --time 12:00
      innoscript run update-ip1200.htm --config backups/IP1200-03-0d-f0.txt --mac 00-90-33-03-0d-f0
      innoscript run update-ip72.htm --var PROT=04-5656 --fail '*/fw/*=404' --why 3
      innoscript run http://127.0.0.1:8080/update-ip232.htm --json
    """
    from .. import catalog
    from ..device import DeviceError, OptionError, dry_run, options_from, report, run_until_converged
    from ..device.setup import device_from

    if polls is not None and (until_converged or max_polls):
        raise InputError("give either --polls or --until-converged/--max-polls, not both")
    if time_ and no_time:
        raise InputError("give either --time or --no-time, not both")
    is_url = script.lower().startswith(("http://", "https://"))
    try:
        pairs = _pairs(options, "--option")
        if power_save_fails:
            pairs.append(("power_save_fails", "true"))
        interpreter_options = options_from(pairs)
    except OptionError as exc:
        raise InputError(str(exc)) from None

    source = None
    if not is_url:
        source = read_source(script)
        _refuse_unreadable(source, script)

    # The device
    found = catalog.model_from_filename(script)
    model_name = model or (found.name if found else None)
    if model_name is None:
        raise InputError(f"cannot tell the model from {script!r}; give --model (e.g. --model IP232)")
    clock = datetime(2026, 1, 1, 2, 0)
    if date:
        try:
            day = datetime.strptime(date, "%Y-%m-%d")
        except ValueError:
            raise InputError(f"--date expects YYYY-MM-DD, not {date!r}") from None
        clock = clock.replace(year=day.year, month=day.month, day=day.day)
    if time_:
        match = _TIME.match(time_)
        if not match:
            raise InputError(f"--time expects HH:MM (00:00-23:59), not {time_!r}")
        clock = clock.replace(hour=int(match.group(1)), minute=int(match.group(2)))
    try:
        state = device_from(
            model_name,
            config_text=_read_text(config_file, "--config") if config_file else None,
            config_where=config_file or "configuration",
            config_lines=config_lines,
            unsaved_lines=unsaved_lines,
            update_url=update_url or (script if is_url else ""),
            poll_minutes=poll_interval,
            vars=dict(_pairs(variables, "--var")),
            mac=mac, serial_number=serial_number, hardware_id=hardware_id, ip=ip,
            firmware=firmware, boot=boot, radio=bmc, has_time=not no_time, clock=clock, uptime_min=uptime,
            is_new=new, idle=not busy,
        )
    except DeviceError as exc:
        raise InputError(str(exc)) from None

    fetcher, parsed = _fetcher(script, is_url, source, root, url_map, output, deadline)
    if failures:
        from ..device.fetch import FailingFetcher

        fetcher = FailingFetcher(fetcher, _failures(failures))
    if why is not None and source is not None:
        _check_why_line(source, why)

    before_poll = None
    if restart_at:
        from ..device.interpreter import power_cut

        cuts = set(restart_at)

        def before_poll(number, device):
            return power_cut(device) if number in cuts else device

    if polls is None and max_polls is None and not restart_at:
        run = dry_run(state, fetcher, interpreter_options, script=parsed)
    else:
        run = run_until_converged(
            state, fetcher, interpreter_options, script=parsed, polls=polls,
            max_polls=max_polls if polls is None else None,
            max_minutes=None if (max_polls or polls) else 24 * 60, before_poll=before_poll,
        )
    if is_url and run.polls and run.polls[0].result.summary.stopped_by == "fetch":
        reason = getattr(_inner(fetcher), "last_error", "")
        if reason:
            raise InputError(f"cannot reach {script}: {reason}")

    if as_json:
        for record in run.polls:
            click.echo(json.dumps(report.poll_data(record), ensure_ascii=False))
        summary = report.summary_data(run)
        if why is not None:
            summary["why"] = {"line": why, "polls": report.why_line(run, why)}
        click.echo(json.dumps({"summary": summary}, ensure_ascii=False))
    else:
        for record in run.polls:
            click.echo(report.poll_text(record))
        click.echo(report.summary_text(run))
        if why is not None:
            text = source.lines[why - 1].text if source is not None and why <= len(source.lines) else ""
            click.echo(report.why_text(run, why, text))
    failed = run.loop is not None or (polls is None and not run.converged)
    raise SystemExit(1 if failed else 0)


def _check_why_line(source, number: int) -> None:
    if number > len(source.lines):
        raise InputError(f"--why {number}: the script has {len(source.lines)} lines")
    text = source.lines[number - 1].text.strip()
    if not text or text.startswith("#"):
        raise InputError(f"--why {number}: line {number} is {'a comment' if text else 'blank'}; a device never runs it")


def _inner(fetcher):
    while hasattr(fetcher, "inner"):
        fetcher = fetcher.inner
    return fetcher


def _fetcher(script, is_url, source, root, url_map, output, deadline):
    """The fetcher and the parsed script (None for a URL, fetched each poll)."""
    from ..device import FolderFetcher, HttpFetcher

    # The command line's folders are checked as innolint checks them (one function).
    mapping = _config_url_map(script, is_url) + url_map_pairs(url_map)
    for _, folder in mapping:
        if not Path(folder).is_dir():
            raise InputError(f"--url-map: {folder}: no such folder")
    if root and not Path(root).is_dir():
        raise InputError(f"--root: {root}: no such folder")
    if output and Path(output).exists() and not Path(output).is_dir():
        raise InputError(f"--output: {output}: not a folder")
    read_from = [Path(folder) for _, folder in mapping]
    if root:
        read_from.append(Path(root))
    elif not is_url:
        read_from.append(Path(script).resolve().parent)
    if output and any(Path(output).resolve() == folder.resolve() for folder in read_from):
        # Backups written there would replace the files the device downloads.
        raise InputError(f"--output: {output} is a folder the device reads from; give a separate folder")
    if is_url:
        if root or mapping:
            return FolderFetcher(root, url_map=mapping, output=output), None
        http = HttpFetcher(deadline=deadline)
        return (_HttpWithOutput(http, FolderFetcher(output=output)) if output else http), None
    from ..syntax import parse

    folder = root or str(Path(script).resolve().parent)
    return FolderFetcher(folder, url_map=mapping, output=output), parse(source)


def _config_url_map(script: str, is_url: bool) -> list[tuple[str, str]]:
    """The `url-map` of the configuration innolint uses for this file."""
    if is_url:
        return []
    from ..lint.config import ConfigError, resolve

    try:
        return list(resolve(script).settings.url_map)
    except ConfigError as exc:
        raise InputError(str(exc)) from None


class _HttpWithOutput:
    """Real GETs; PUTs go to the real server and a copy to --output."""

    def __init__(self, http, folder) -> None:
        self.inner = http
        self.folder = folder

    def get(self, url):
        return self.inner.get(url)

    def put(self, url, body):
        status = self.inner.put(url, body)
        self.folder.put(url, body)
        return status
