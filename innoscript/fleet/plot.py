"""Plots of a fleet report (matplotlib, the optional extra `innoscript[plot]`).

matplotlib is imported here only, and only when a plot is asked for.  The
figures are drawn on the Agg canvas directly, without pyplot, so nothing
global (backend, open figures) changes in the caller's process.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from .report import duration

PLOTS = ("converged", "transfers")


class PlotUnavailable(RuntimeError):
    pass


def check_plotting() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable("plots need matplotlib: pip install 'innoscript[plot]'") from None


def _figure(width: float = 9.0, height: float = 4.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _days(count: int) -> list[float]:
    return [h / 24 for h in range(count)]


def draw_converged(ax, report: dict) -> None:
    """Devices in their group's goal state over time, one line per group."""
    for group in report["groups"]:
        series = group["converged_by_hour"]
        ax.step(_days(len(series)), series, where="post", label=f"{group['name']} ({group['devices']})")
    ax.set_title("devices converged (on the target firmware and serials)")
    ax.set_xlabel(f"days since {report['fleet']['start']}")
    ax.set_ylabel("devices")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if report["groups"]:
        ax.legend(loc="lower right", fontsize="small")


def draw_transfers(ax, report: dict) -> None:
    """Downloads and uploads started per hour on the server."""
    server = report["server"]
    down, up = server["downloads_per_hour"], server["uploads_per_hour"]
    days = _days(len(down))
    ax.bar(days, down, width=1 / 24, align="edge", label="downloads (GET)", color="tab:blue")
    ax.bar(days, up, width=1 / 24, align="edge", bottom=down, label="uploads (PUT)", color="tab:orange")
    ax.set_title(f"server transfers per hour (peak {server['peak_concurrent_transfers']} at once)")
    ax.set_xlabel(f"days since {report['fleet']['start']}")
    ax.set_ylabel("transfers started")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small")


_DRAW = {"converged": draw_converged, "transfers": draw_transfers}


def render(report: dict, which: tuple[str, ...] = PLOTS, fmt: str = "png") -> bytes:
    """The plots named by ``which``, stacked in one image."""
    figure = _figure(height=3.6 * len(which))
    axes = figure.subplots(len(which), 1, squeeze=False)
    for name, row in zip(which, axes):
        _DRAW[name](row[0], report)
    figure.tight_layout()
    buffer = io.BytesIO()
    # No creation date or software version in the file: same report, same bytes.
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def write_plots(report: dict, target: str | Path) -> list[str]:
    """One PNG with every plot, or a folder (existing, or a path ending in `/`)
    with one PNG per plot.  Returns the files written."""
    text = str(target)
    folder = Path(target)
    if folder.is_dir() or text.endswith(("/", "\\")):
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in PLOTS:
            path = folder / f"fleet-{name}.png"
            path.write_bytes(render(report, (name,)))
            written.append(str(path))
        return written
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(render(report, PLOTS))
    return [str(folder)]


def html_report(report: dict) -> str:
    """A self-contained HTML page: summary table, reasons, plots inline as PNG."""
    esc = html.escape
    fleet, server, backups = report["fleet"], report["server"], report["backups"]
    rows = []
    for g in report["groups"]:
        ttc = g["time_to_converge"]
        why = ", ".join(f"{n} {reason}" for reason, n in g["never_updated"].items()) or "-"
        cells = (g["name"], g["model"], g["devices"], g["converged"], duration(ttc["p50"]), duration(ttc["p95"]),
                 duration(ttc["max"]), g["downloads"], g["uploads"], g["restarts"], g["loops"], why)
        rows.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>")
    head = ("group", "model", "devices", "converged", "p50", "p95", "max", "downloads", "uploads", "restarts",
            "loops", "not converged")
    images = []
    for name in PLOTS:
        data = base64.b64encode(render(report, (name,))).decode("ascii")
        images.append(f'<p><img alt="{name}" src="data:image/png;base64,{data}"></p>')
    shared = ""
    if backups["shared_files"]:
        examples = ", ".join(esc(u) for u in backups["shared_examples"])
        shared = f"<p><strong>{backups['shared_files']} backup files written by several devices</strong> (backups lost), e.g. {examples}</p>"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Fleet simulation</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}"
        "td:first-child,td:nth-child(2),td:last-child{text-align:left}</style></head><body>",
        f"<h1>Fleet simulation: {esc(fleet['file'])}</h1>",
        f"<p>{fleet['devices']} devices, {fleet['days']:g} days from {esc(fleet['start'])}, seed {fleet['seed']}, "
        f"{fleet['polls']} polls.</p>",
        "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>",
        *rows,
        "</table>",
        f"<p>Server: {server['downloads']} downloads, {server['uploads']} uploads, peak "
        f"{server['peak_downloads_per_hour']} downloads per hour, peak {server['peak_concurrent_transfers']} "
        f"concurrent transfers ({server['bandwidth_kbit']:g} kbit/s per transfer).</p>",
        f"<p>Backups: {backups['writes']} uploads to {backups['files']} files.</p>",
        shared,
        *images,
        "</body></html>",
        "",
    ])


def write_html(report: dict, target: str | Path) -> str:
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(report), encoding="utf-8")
    return str(path)
