"""`innoscript run`: dry-run a script on a virtual device."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import click

from .common import InputError, read_source, url_map_pairs

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _options_help() -> str:
    from ..device.options import option_infos

    rows = []
    for info in option_infos():
        default = str(info.default).lower() if isinstance(info.default, bool) else info.default
        choices = f" [{'|'.join(info.choices)}]" if info.choices else ""
        rows.append(f"  {info.name}={default}{choices}\n      {info.doc}")
    return "\n".join(rows)


class _RunCommand(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
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


@click.command("run", cls=_RunCommand)
@click.argument("script")
@click.option("--model", help="Device model (catalogue name, e.g. IP1200); default: from update-<model>.htm.")
@click.option("--firmware", default="", help="Running firmware build (e.g. 08-12345).")
@click.option("--boot", default="", help="Running boot code build.")
@click.option("--bmc", default="", help="Running DECT radio (BMC) code.")
@click.option("--time", "time_", metavar="HH:MM", help="Local time at the first poll (default 02:00).")
@click.option("--no-time", is_flag=True, help="The device has no time (times /allow cancels every run).")
@click.option("--date", metavar="YYYY-MM-DD", help="Local date at the first poll (default 2026-01-01).")
@click.option("--uptime", type=click.IntRange(min=0), default=60, show_default=True, metavar="MIN", help="Minutes since boot at the first poll.")
@click.option("--new", is_flag=True, help="Factory-new device (fast polling, /initial lifts /allow).")
@click.option("--busy", is_flag=True, help="The device is in use: ireset/iresetn/ireboot wait.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Set a variable (PROT=08-1 or UPDATE/CHECK=x); repeatable.")
@click.option("--poll-interval", type=click.IntRange(min=1), default=15, show_default=True, metavar="MIN", help="Poll interval.")
@click.option("--update-url", metavar="URL", help="The device's update URL (default: SCRIPT when it is a URL).")
@click.option("--root", type=click.Path(file_okay=False), help="Folder that answers GETs by URL path (default: the script's folder).")
@click.option("--url-map", multiple=True, metavar="PREFIX=DIR", help="Serve URLs starting with PREFIX from DIR; repeatable.")
@click.option("--output", type=click.Path(file_okay=False), help="Folder for uploaded backups (default: kept in memory).")
@click.option("--polls", type=click.IntRange(min=1), help="Run exactly N polls.")
@click.option("--until-converged", "until_converged", is_flag=True, help="Poll until nothing changes (the default).")
@click.option("--max-polls", type=click.IntRange(min=1), default=20, show_default=True, help="Limit for --until-converged.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="Interpreter option (listed below).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per poll, then a summary object.")
def run_command(script, model, firmware, boot, bmc, time_, no_time, date, uptime, new, busy, variables,
                poll_interval, update_url, root, url_map, output, polls, until_converged, max_polls, options, as_json):
    """Run SCRIPT on a virtual device and show what it would do, poll by poll.

    SCRIPT is a file (run as it is, each poll) or an http:// URL (fetched
    each poll like a device does).  Between polls the clock and the uptime
    advance by the poll interval, so /initial and /allow play out.

    Exit status: 0 converged (with --polls: no loop), 1 a loop or no
    convergence within --max-polls, 2 bad input.

    \b
    Examples:
      innoscript run update-ip1200.htm --firmware 08-12345 --time 02:30
      innoscript run update-ip72.htm --var PROT=04-5656 --option update_vars_survive_reboot=false
      innoscript run http://10.0.0.5/update/update-ip232.htm --json
    """
    from .. import catalog
    from ..device import (
        DeviceError,
        FolderFetcher,
        HttpFetcher,
        OptionError,
        make_state,
        options_from,
        run_until_converged,
    )

    if polls is not None and until_converged:
        raise InputError("give either --polls or --until-converged, not both")
    if time_ and no_time:
        raise InputError("give either --time or --no-time, not both")
    is_url = script.lower().startswith(("http://", "https://"))
    try:
        interpreter_options = options_from(_pairs(options, "--option"))
    except OptionError as exc:
        raise InputError(str(exc)) from None

    source = None if is_url else read_source(script)
    # The device
    model_name = model or (catalog.model_from_filename(script).name if catalog.model_from_filename(script) else None)
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
    device_vars = dict(_pairs(variables, "--var"))
    try:
        state = make_state(
            model_name,
            firmware=firmware,
            boot=boot,
            radio=bmc,
            vars=device_vars,
            update_url=update_url or (script if is_url else ""),
            poll_minutes=poll_interval,
            has_time=not no_time,
            clock=clock,
            uptime_min=uptime,
            is_new=new,
            idle=not busy,
        )
    except DeviceError as exc:
        raise InputError(str(exc)) from None

    # Where files come from
    mapping = url_map_pairs(url_map)
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
    parsed = None
    if is_url:
        fetcher = FolderFetcher(root, url_map=mapping, output=output) if (root or mapping) else HttpFetcher()
        if output and not (root or mapping):
            fetcher = _HttpWithOutput(fetcher, FolderFetcher(output=output))
    else:
        from ..syntax import parse

        parsed = parse(source)
        folder = root or str(Path(script).resolve().parent)
        fetcher = FolderFetcher(folder, url_map=mapping, output=output)

    run = run_until_converged(
        state, fetcher, interpreter_options, script=parsed,
        max_polls=max_polls, polls=polls, trace=True,
    )
    if as_json:
        for record in run.polls:
            click.echo(json.dumps(_poll_data(record), ensure_ascii=False))
        click.echo(json.dumps({"summary": _summary_data(run)}, ensure_ascii=False))
    else:
        for record in run.polls:
            click.echo(_poll_text(record))
        click.echo(_summary_text(run))
    failed = run.loop is not None or (polls is None and not run.converged)
    raise SystemExit(1 if failed else 0)


class _HttpWithOutput:
    """Real GETs; PUTs go to the real server and a copy to --output."""

    def __init__(self, http, folder) -> None:
        self.http = http
        self.folder = folder

    def get(self, url):
        return self.http.get(url)

    def put(self, url, body):
        status = self.http.put(url, body)
        self.folder.put(url, body)
        return status


def _poll_data(record) -> dict:
    summary = record.result.summary
    state = record.result.state
    errors = [
        {"line": e.line, "message": e.message, "severity": e.severity}
        for e in record.result.events if e.event == "error"
    ]
    return {
        "poll": record.number,
        "clock": record.clock.strftime("%Y-%m-%d %H:%M"),
        "uptime": record.uptime_min,
        "status": summary.status,
        "executed": list(summary.executed),
        "stopped_by": summary.stopped_by,
        "stop_line": summary.stop_line,
        "downloads": [
            {"line": d.line, "kind": d.kind, "url": d.url, "serial": d.serial, "status": d.status}
            for d in summary.downloads
        ],
        "uploads": [{"line": u.line, "url": u.url, "status": u.status, "size": u.size} for u in summary.uploads],
        "restarts": [{"line": r.line, "command": r.command} for r in summary.restarts],
        "check_committed": summary.check_committed,
        "changed": record.changed,
        "vars": state.update_vars(),
        "firmware": state.firmware,
        "boot": state.boot,
        "bmc": state.radio,
        "reset_required": state.reset_required,
        "errors": errors,
    }


def _summary_data(run) -> dict:
    return {
        "converged": run.converged,
        "polls": len(run.polls),
        "loop": run.loop.to_dict() if run.loop else None,
        "firmware": run.state.firmware,
        "vars": run.state.update_vars(),
    }


def _poll_text(record) -> str:
    summary = record.result.summary
    head = f"poll {record.number}  {record.clock:%Y-%m-%d %H:%M}  uptime {record.uptime_min} min  status {summary.status}"
    out = [head]
    for event in record.result.events:
        text = _event_text(event)
        if text:
            where = f"{event.line:>4}" if event.line else "    "
            out.append(f"  {where}  {text}")
    stop = summary.stopped_by
    if stop == "end":
        out.append("  script ran to the end" + ("; check committed" if summary.check_committed else ""))
    elif stop == "fetch":
        out.append("  the script was not fetched; nothing ran")
    else:
        out.append(f"  stopped by {stop} at line {summary.stop_line}")
    return "\n".join(out)


def _event_text(event) -> str | None:
    kind = event.event
    if kind in ("poll-started", "status"):
        return None
    if kind == "line-executed":
        return f"{event.command}: {event.outcome}"
    if kind == "skipped":
        return f"rest of the script skipped ({event.by}): {event.reason}"
    if kind == "download":
        return f"GET {event.url} ({event.kind} {event.serial}) -> {event.status}"
    if kind == "upload":
        return f"PUT {event.url} ({event.size} bytes) -> {event.status}"
    if kind == "variable-changed":
        return f"{event.name}: {event.old or '(empty)'} -> {event.new or '(empty)'}"
    if kind == "config-changed":
        return f"configuration {event.stage}" + (f" ({event.module})" if event.module else "")
    if kind == "restart-queued":
        return f"{event.command}: restart queued until the device is idle"
    if kind == "restart":
        active = f", activates {', '.join(event.activated)}" if event.activated else ""
        return f"RESTART ({event.command}{active})"
    if kind == "script-interrupted":
        return f"script interrupted before line {event.remaining}: check not committed"
    if kind == "check-committed":
        return f"check committed: UPDATE/CHECK = {event.serial} (final {event.final})"
    if kind == "error":
        return f"{event.severity}: {event.message}"
    return None


def _summary_text(run) -> str:
    if run.loop is not None:
        return f"LOOP: {run.loop.message}"
    if run.converged:
        return f"converged after {len(run.polls)} poll{'s' if len(run.polls) != 1 else ''}"
    last = run.polls[-1].result.summary if run.polls else None
    why = ""
    if last is not None and last.stopped_by in ("times", "initial"):
        why = f" (the last poll waited for {last.stopped_by} at line {last.stop_line})"
    elif last is not None and last.stopped_by == "fetch":
        why = f" (the script could not be fetched: {last.status})"
    return f"not converged after {len(run.polls)} poll{'s' if len(run.polls) != 1 else ''}{why}"
