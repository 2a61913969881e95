"""Fleet findings on a script, for `innolint --simulate --fleet fleet.toml`.

The groups of the fleet that fetch the script (by file name) are simulated
with the script's folder as the document root; what went wrong for them
becomes (line, message) pairs: devices that never updated and why, loops,
backups written over by other devices.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..device.fetch import FolderFetcher
from ..syntax import ast, parse
from .interp import InterpreterPoller, interpreter_options
from .report import LOOP, build_report, duration
from .sim import simulate
from .spec import load_fleet

# The line a reason points at: the command that causes it.
_REASON_LINE = {"no clock": ast.Times, "outside /allow": ast.Times, "within /initial": ast.Times, LOOP: ast.Download}


def _fetches(url: str, name: str) -> bool:
    path = PurePosixPath(urlsplit(url.split("?", 1)[0]).path)
    return path.name.lower() == name.lower()


def fleet_findings(script_path: str | Path, fleet_path: str | Path, settings=None) -> list[tuple[int, str]]:
    """(line, message) for every fleet problem of the script at ``script_path``.

    Raises FleetSpecError (file and key in its message) for an unusable fleet
    file and OSError for an unreadable script; both are the caller's exit 2.
    """
    script_path = Path(script_path)
    script = parse(script_path.read_bytes(), str(script_path))
    spec = load_fleet(fleet_path)
    groups = tuple(g for g in spec.groups if _fetches(g.update_url, script_path.name))
    if not groups:
        return []
    spec = spec.replace(groups=groups)
    root = script_path.resolve().parent
    url_map = tuple(getattr(settings, "url_map", ()) or ()) + ((spec.server, str(root)),)
    poller = InterpreterPoller(spec, FolderFetcher(root, url_map=url_map), interpreter_options(spec))
    report = build_report(simulate(spec, poller), poller.describe)

    def line_of(kind: type, fallback: int = 1) -> int:
        for line in script.lines:
            if isinstance(line, kind):
                return line.number
        return fallback

    findings: list[tuple[int, str]] = []
    for group in report["groups"]:
        name, total = group["name"], group["devices"]
        days = f"{report['fleet']['days']:g} days"
        for reason, count in group["never_updated"].items():
            if reason == LOOP:
                message = (f"fleet group {name}: {count} of {total} devices loop (download or restart again and again; "
                           f"{group['downloads']} downloads, {group['restarts']} restarts in {days})")
            else:
                message = f"fleet group {name}: {count} of {total} devices not converged after {days} ({reason})"
            findings.append((line_of(_REASON_LINE.get(reason, ast.Command)), message))
        p95 = group["time_to_converge"]["p95"]
        if group["converged"] and p95 is not None and p95 > 86400:
            findings.append((line_of(ast.Times), f"fleet group {name}: 95% of the converged devices needed {duration(p95)}"))
    backups = report["backups"]
    if backups["shared_files"]:
        findings.append((
            line_of(ast.Scfg),
            f"fleet: {backups['shared_files']} backup {'file is' if backups['shared_files'] == 1 else 'files are'} "
            "written by several devices, each overwriting the "
            f"others' backup (e.g. {backups['shared_examples'][0]}); put #m or #h in the URL",
        ))
    return sorted(findings)
