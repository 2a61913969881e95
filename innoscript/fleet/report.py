"""A simulation's results as plain data, a terminal table and JSON.

``build_report`` reads only the Recorder (and the spec), so two runs with
equal recordings give byte-identical reports; the tests compare the fast
path with the exact one this way.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from datetime import timedelta
from itertools import accumulate

from .poller import FAILED, INITIAL, NO_CLOCK, NOT_POLLED, OUTSIDE_ALLOW
from .record import NOT_CONVERGED
from .sim import SimResult

SCHEMA = 1

# Why a device that did not converge is stuck, from the status of its last poll.
REASONS = {
    NO_CLOCK: "no clock",
    OUTSIDE_ALLOW: "outside /allow",
    INITIAL: "within /initial",
    FAILED: "failed fetch",
    NOT_POLLED: "never polled",
}
LOOP = "loop"
FAILED_DOWNLOAD = "failed download"
NO_GOAL = "script never settles"
PENDING = "still updating"


def percentile(values: list[int], q: float) -> int | None:
    """Nearest-rank percentile of sorted ``values`` (None when empty)."""
    if not values:
        return None
    rank = max(1, math.ceil(q * len(values)))
    return values[rank - 1]


def _describe(result: SimResult, g: int, describe_goal) -> dict | None:
    states = result.goal_states
    if describe_goal is None or not states or states[g] is None:
        return None
    return describe_goal(g, states[g])


def build_report(result: SimResult, describe_goal=None) -> dict:
    spec, rec = result.spec, result.recorder
    hours = rec.hours
    groups = []
    device = 0
    for g, group in enumerate(spec.groups):
        first, end = device, device + group.count
        device = end
        goal = result.goals[g]
        converged_at = rec.converged_at[first:end]
        times = sorted(converged_at)
        unconverged = times.count(NOT_CONVERGED)  # NOT_CONVERGED is below every time
        del times[:unconverged]
        reasons: dict[str, int] = {}
        stuck = [] if not unconverged else [first + i for i, at in enumerate(converged_at) if at == NOT_CONVERGED]
        for d in stuck:
            if d in rec.loops:
                reason = LOOP
            elif d in rec.failed_downloads:
                reason = FAILED_DOWNLOAD
            elif rec.last_status[d] in REASONS:
                reason = REASONS[rec.last_status[d]]
            else:
                reason = NO_GOAL if goal is None else PENDING
            reasons[reason] = reasons.get(reason, 0) + 1
        steps = sorted(rec.converged_steps[g].items())
        moments = [t for t, _ in steps]
        running = list(accumulate(change for _, change in steps))
        by_hour = []
        for hour in range(hours):
            i = bisect_right(moments, hour * 3600)
            by_hour.append(running[i - 1] if i else 0)
        groups.append({
            "name": group.name,
            "model": group.model,
            "update_url": group.update_url,
            "devices": group.count,
            "goal": _describe(result, g, describe_goal),
            "converged": len(times),
            "time_to_converge": {
                "p50": percentile(times, 0.5),
                "p95": percentile(times, 0.95),
                "max": times[-1] if times else None,
            },
            "downloads": rec.downloads[g],
            "uploads": rec.uploads[g],
            "restarts": rec.restarts[g],
            "loops": sum(1 for d in rec.loops if first <= d < end),
            "polls": rec.polls[g],
            "never_updated": dict(sorted(reasons.items())),
            "converged_by_hour": by_hour,
        })
    peak, peak_at = rec.peak_transfers()
    files, shared = rec.backup_summary()
    return {
        "schema": SCHEMA,
        "fleet": {
            "file": spec.path,
            "devices": spec.device_count,
            "seed": spec.seed,
            "start": spec.start.isoformat(timespec="minutes"),
            "days": spec.days,
            "polls": sum(rec.polls),
        },
        "groups": groups,
        "server": {
            "downloads": sum(rec.hour_downloads),
            "uploads": sum(rec.hour_uploads),
            "bytes_down": rec.bytes_down,
            "bytes_up": rec.bytes_up,
            "downloads_per_hour": list(rec.hour_downloads),
            "uploads_per_hour": list(rec.hour_uploads),
            "peak_downloads_per_hour": max(rec.hour_downloads, default=0),
            "peak_concurrent_transfers": peak,
            "peak_at": (spec.start + timedelta(seconds=peak_at)).isoformat(timespec="seconds") if peak else None,
            "bandwidth_kbit": spec.bandwidth_kbit,
        },
        "backups": {
            "writes": rec.backup_writes,
            "files": files,
            "shared_files": len(shared),
            "shared_examples": shared[:5],
        },
    }


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def duration(seconds: int | None) -> str:
    """A short human duration: 45s, 12m, 3h05m, 2d04h."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def format_table(report: dict) -> str:
    """The report for a terminal: one row per group, then the server and backups."""
    head = ("group", "model", "devices", "converged", "p50", "p95", "max", "downloads", "uploads", "restarts", "loops")
    rows = [head]
    for g in report["groups"]:
        ttc = g["time_to_converge"]
        rows.append((
            g["name"], g["model"], str(g["devices"]), str(g["converged"]), duration(ttc["p50"]), duration(ttc["p95"]),
            duration(ttc["max"]), str(g["downloads"]), str(g["uploads"]), str(g["restarts"]), str(g["loops"]),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    fleet = report["fleet"]
    lines.append(
        f"fleet {fleet['file']}: {fleet['devices']} devices, {fleet['days']:g} days from {fleet['start']}, "
        f"seed {fleet['seed']}, {fleet['polls']} polls"
    )
    for i, row in enumerate(rows):
        cells = [c.ljust(w) if j < 2 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for g in report["groups"]:
        if g["never_updated"]:
            why = ", ".join(f"{n} {reason}" for reason, n in g["never_updated"].items())
            lines.append(f"{g['name']}: not converged: {why}")
    server = report["server"]
    lines.append(
        f"server: {server['downloads']} downloads, {server['uploads']} uploads, "
        f"peak {server['peak_downloads_per_hour']} downloads/hour, "
        f"peak {server['peak_concurrent_transfers']} concurrent transfers"
        + (f" at {server['peak_at']}" if server["peak_at"] else "")
        + f" ({server['bandwidth_kbit']:g} kbit/s per transfer)"
    )
    backups = report["backups"]
    if backups["writes"]:
        line = f"backups: {backups['writes']} uploads to {backups['files']} files"
        if backups["shared_files"]:
            line += f"; {backups['shared_files']} files written by several devices (backups lost), e.g. {backups['shared_examples'][0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"
