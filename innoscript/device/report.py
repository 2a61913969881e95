"""The dry-run report: a run of the virtual device as JSON data or text.

This is the format of `innoscript run` (docs/interpreter.md, "--json"),
kept beside the interpreter so that every face that predicts what a device
does (the command line, the update server's status pages) shows the same
thing.  Plain functions over ``RunResult`` / ``PollRecord``; no printing.
"""

from __future__ import annotations

from .converge import PollRecord, RunResult
from .state import Config


# -- JSON


def config_data(config: Config) -> dict[str, dict[str, str]]:
    return {module: dict(options) for module, options in config}


def poll_data(record: PollRecord) -> dict:
    """One poll as a JSON object."""
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
            {"line": d.line, "kind": d.kind, "url": d.url, "written": d.written or d.url, "serial": d.serial,
             "status": d.status}
            for d in summary.downloads
        ],
        "uploads": [
            {"line": u.line, "url": u.url, "written": u.written or u.url, "status": u.status, "size": u.size}
            for u in summary.uploads
        ],
        "restarts": [{"line": r.line, "command": r.command} for r in summary.restarts],
        "check_committed": summary.check_committed,
        "changed": record.changed,
        "quiet": record.quiet,
        "vars": state.update_vars(),
        "firmware": state.firmware,
        "boot": state.boot,
        "bmc": state.radio,
        "reset_required": state.reset_required,
        "config": {"running": config_data(state.running_config), "saved": config_data(state.saved_config)},
        "errors": errors,
    }


def summary_data(run: RunResult) -> dict:
    """The run's summary object (the last JSON line of `innoscript run --json`)."""
    return {
        "converged": run.converged,
        "polls": len(run.polls),
        "horizon": {"polls": run.horizon_polls, "minutes": run.horizon_minutes},
        "loop": run.loop.to_dict() if run.loop else None,
        "failing": [f.to_dict() for f in run.failing],
        "firmware": run.state.firmware,
        "vars": run.state.update_vars(),
        "config": {"running": config_data(run.state.running_config), "saved": config_data(run.state.saved_config)},
    }


def run_data(run: RunResult) -> dict:
    """The whole run as one object: ``{"polls": [...], "summary": {...}}``."""
    return {"polls": [poll_data(r) for r in run.polls], "summary": summary_data(run)}


# -- text


def poll_text(record: PollRecord) -> str:
    summary = record.result.summary
    head = f"poll {record.number}  {record.clock:%Y-%m-%d %H:%M}  uptime {record.uptime_min} min  status {summary.status}"
    out = [head]
    for event in record.result.events:
        text = event_text(event)
        if text:
            where = f"{event.line:>4}" if event.line else "    "
            out.append(f"  {where}  {text}")
    if record.before is not None:
        state = record.result.state
        for stage, old, new in (("running", record.before.running_config, state.running_config),
                                ("saved", record.before.saved_config, state.saved_config)):
            for change in config_changes(old, new):
                out.append(f"        {stage} configuration: {change}")
        before = record.before
        if before.poll_minutes != state.poll_minutes:
            out.append(f"        poll interval: {before.poll_minutes} -> {state.poll_minutes} min")
        if before.update_url != state.update_url:
            out.append(f"        update URL: {before.update_url or '(none)'} -> {state.update_url or '(none)'}")
    stop = summary.stopped_by
    if stop == "end":
        out.append("  script ran to the end" + ("; check committed" if summary.check_committed else ""))
    elif stop == "fetch":
        out.append("  the script was not fetched; nothing ran")
    else:
        out.append(f"  stopped by {stop} at line {summary.stop_line}")
    return "\n".join(out)


def config_changes(old: Config, new: Config) -> list[str]:
    """What changed between two configurations, one text per module setting."""
    if old == new:
        return []
    before, after = config_data(old), config_data(new)
    out = []
    for module in sorted(before.keys() | after.keys()):
        a, b = before.get(module), after.get(module)
        if a == b:
            continue
        if a is None:
            out.append(f"{module} added: {_settings(b)}")
        elif b is None:
            out.append(f"{module} removed")
        else:
            for key in sorted(a.keys() | b.keys()):
                if key not in b:
                    out.append(f"{module} {key} removed (was {a[key] or 'set'})")
                elif key not in a:
                    out.append(f"{module} {key} {b[key]}".rstrip() + " (new)")
                elif a[key] != b[key]:
                    out.append(f"{module} {key} {a[key]} -> {b[key]}")
    return out


def _settings(options: dict[str, str]) -> str:
    return " ".join(f"{k} {v}" if v else k for k, v in options.items()) or "(no settings)"


def event_text(event) -> str | None:
    kind = event.event
    if kind in ("poll-started", "status"):
        return None
    if kind == "line-executed":
        return f"{event.command}: {event.outcome}"
    if kind == "skipped":
        return f"rest of the script skipped ({event.by}): {event.reason}"
    if kind == "download":
        written = f" [written {event.written}]" if event.written else ""
        return f"GET {event.url} ({event.kind} {event.serial}) -> {event.status}{written}"
    if kind == "upload":
        written = f" [written {event.written}]" if event.written else ""
        return f"PUT {event.url} ({event.size} bytes) -> {event.status}{written}"
    if kind == "variable-changed":
        return f"{event.name}: {event.old or '(empty)'} -> {event.new or '(empty)'}"
    if kind == "config-changed":
        if event.stage == "lost":
            return f"unsaved configuration of {event.module} lost at the restart (never written)"
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


def horizon_text(run: RunResult) -> str:
    if run.horizon_minutes is not None:
        hours = run.horizon_minutes / 60
        days = f"{hours / 24:g} day" + ("s" if hours != 24 else "") if hours % 24 == 0 else f"{hours:g} hours"
        return f"polled until converged, at most {days} of device time"
    return f"polled at most {run.horizon_polls} times"


def summary_text(run: RunResult) -> str:
    polls = f"{len(run.polls)} poll{'s' if len(run.polls) != 1 else ''}"
    horizon = f" ({horizon_text(run)})"
    if run.loop is not None:
        return f"LOOP: {run.loop.message}"
    if run.converged:
        return f"converged after {polls}{horizon}"
    last = run.polls[-1].result.summary if run.polls else None
    ran = [r for r in run.polls if r.result.summary.stopped_by not in ("times", "initial", "fetch")]
    why = ""
    if ran and not ran[-1].quiet and last is not None and last.stopped_by in ("times", "initial"):
        # Waiting for the window now, but the polls that ran were never quiet.
        why = f"; poll {ran[-1].number}, the last that ran, still " + _activity(ran[-1].result.summary)
    elif run.failing:
        f = run.failing[0]
        what = "upload" if f.kind == "scfg" else f"{f.kind} download"
        why = f"; line {f.line}: {what} failed({f.status}) {f.url}"
    elif last is not None and last.stopped_by in ("times", "initial"):
        why = f"; the last poll waited for {last.stopped_by} at line {last.stop_line}"
    elif last is not None and last.stopped_by == "fetch":
        why = f"; the script could not be fetched: {last.status}"
    elif last is not None and not last.quiet:
        why = "; the last poll still " + _activity(last)
    return f"not converged after {polls}{horizon}{why}"


def _activity(summary) -> str:
    what = []
    if summary.uploads:
        what.append("uploaded (line " + ", ".join(str(u.line) for u in summary.uploads) + ")")
    if summary.downloads:
        what.append("downloaded")
    if summary.restarts:
        what.append("restarted")
    if summary.config_changed or summary.vars_changed:
        what.append("changed the device")
    elif summary.config_applied:
        what.append("stored or activated the configuration again")
    return " and ".join(what)


# -- why a line did or did not run


def why_line(run: RunResult, number: int) -> list[dict]:
    """For line ``number``: on each poll, whether it ran and why (not).

    Each row: ``poll``, ``ran``, ``reason`` and ``cause`` (what kept it
    from running: `times`, `check`, ... with the line; "" when it ran).
    """
    rows = []
    for record in run.polls:
        summary = record.result.summary
        events = [e for e in record.result.events if e.line == number]
        if number in summary.executed:
            outcomes = [event_text(e) for e in events
                        if e.event in ("download", "upload", "line-executed", "error", "skipped", "restart")]
            reason = "; ".join(t for t in outcomes if t) or "ran"
            if summary.stopped_by != "end" and summary.stop_line == number and summary.stopped_by in ("times", "initial", "check"):
                reason += " (and stopped the script)"
            rows.append({"poll": record.number, "ran": True, "reason": reason, "cause": ""})
            continue
        stop = summary.stopped_by
        if stop == "fetch":
            reason = f"the script was not fetched ({summary.status})"
            cause = f"fetch {summary.status}"
        elif stop == "end":
            reason = "not a line the device runs"
            cause = "none"
        else:
            skipped = [e for e in record.result.events if e.event == "skipped" and e.line == summary.stop_line]
            detail = f": {skipped[0].reason}" if skipped else ""
            reason = f"not reached: stopped by {stop} at line {summary.stop_line}{detail}"
            cause = f"{stop} at line {summary.stop_line}"
        rows.append({"poll": record.number, "ran": False, "reason": reason, "cause": cause})
    return rows


def why_text(run: RunResult, number: int, line_text: str) -> str:
    """``why_line`` as text; polls in a row kept from running by the same
    cause share one line (the first poll's reason)."""
    out = [f"why line {number} ({line_text.strip()}):"]
    rows = why_line(run, number)
    i = 0
    while i < len(rows):
        row = rows[i]
        j = i
        while not row["ran"] and j + 1 < len(rows) and rows[j + 1]["cause"] == row["cause"]:
            j += 1
        first, last = run.polls[row["poll"] - 1], run.polls[rows[j]["poll"] - 1]
        mark = "ran" if row["ran"] else "did not run"
        if j == i:
            out.append(f"  poll {row['poll']} {first.clock:%Y-%m-%d %H:%M}: {mark}: {row['reason']}")
        else:
            out.append(f"  polls {row['poll']}-{rows[j]['poll']} {first.clock:%Y-%m-%d %H:%M} to {last.clock:%H:%M}: "
                       f"{mark}: {row['reason']}")
        i = j + 1
    return "\n".join(out)


__all__ = [
    "config_changes",
    "config_data",
    "event_text",
    "poll_data",
    "poll_text",
    "run_data",
    "summary_data",
    "summary_text",
    "why_line",
    "why_text",
]
