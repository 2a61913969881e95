"""Fleet simulation: many virtual devices polling an update server over days.

    spec = load_fleet("fleet.toml")                    # or default_fleet(root)
    poller = InterpreterPoller(spec, FolderFetcher(root))
    result = simulate(spec, poller)                   # fast path; exact=True: one poll at a time
    report = build_report(result, poller.describe)

docs/fleet.md describes the fleet file, the report and the fast path.
"""


from .findings import fleet_findings
from .interp import InterpreterPoller
from .report import build_report, format_table, to_json
from .sim import SimResult, simulate
from .spec import FleetSpec, FleetSpecError, GroupSpec, default_fleet, load_fleet, parse_fleet

__all__ = [
    "FleetSpec", "FleetSpecError", "GroupSpec", "InterpreterPoller", "SimResult", "build_report",
    "default_fleet", "fleet_findings", "format_table", "load_fleet", "parse_fleet", "simulate", "to_json",
]
