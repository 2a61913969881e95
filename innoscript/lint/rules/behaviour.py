"""X. Behaviour found by simulation (`innolint --simulate`).

These rules run the script on a virtual device (innoscript.device) and
report what the device would do over several polls.  They report nothing
unless the simulation is switched on (``Settings.simulate``): it costs more
than the other rules together, and its findings depend on the model of
behaviour the interpreter options describe (docs/interpreter.md).

The simulated device: the model from the settings or the file name (else
IP1200), no UPDATE/* serials, unknown running builds, a clock inside the
first `/allow` window, long past any `/initial`.  Every download succeeds
(files under the configured url-map are served as they are, anything else
as an empty file) and every upload is accepted; nothing is written.
"""

from __future__ import annotations

import os

from ...syntax import ast
from ..context import LintContext
from ..rule import rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:  # imported where a simulation runs: a plain lint does not need it
    from datetime import datetime

SIMULATED_POLLS = 12
_DEFAULT_MODEL = "IP1200"


class _LintFetcher:
    """Files found as the dry run finds them (url-map, the script's folder:
    innoscript.urlmap), an empty file for every other GET."""

    def __init__(self, url_map, folder=None) -> None:
        from ...device import FolderFetcher, MemoryFetcher

        self.folders = FolderFetcher(folder, url_map=url_map) if url_map or folder else None
        self.memory = MemoryFetcher(default=b"")

    def get(self, url: str):
        if self.folders is not None:
            response = self.folders.get(url)
            if response.ok:
                return response
        return self.memory.get(url)

    def put(self, url: str, body: bytes) -> int:
        if not url.lower().startswith(("http://", "https://")):
            return 502  # the device's HTTP client cannot use it (spec 2.4)
        return self.memory.put(url, body)


def _start_clock(ctx: LintContext) -> datetime:
    """02:00, or the first hour of the first valid `/allow` list."""
    from datetime import datetime

    for line in ctx.lines(ast.Times):
        if line.allow is not None and line.allow.invalid is None:
            return datetime(2026, 1, 1, line.allow.parsed[0].value, 0)
    return datetime(2026, 1, 1, 2, 0)


def _device(ctx: LintContext, **overrides):
    from ...device import make_state

    model = ctx.model.name if ctx.model else _DEFAULT_MODEL
    return make_state(model, clock=_start_clock(ctx), uptime_min=24 * 60, update_url="", **overrides)


def _simulation(ctx: LintContext):
    """The run of the script on the virtual device (computed once per context)."""
    return ctx.shared(_run)


def _run(ctx: LintContext):
    # The interpreter is imported here, not at the top: `innolint` without
    # --simulate never loads it.
    from ...device import run_until_converged

    path = ctx.script.path
    folder = None if path.startswith("<") else os.path.dirname(os.path.abspath(path))
    fetcher = _LintFetcher(ctx.settings.url_map, folder)
    return run_until_converged(_device(ctx), fetcher, script=ctx.script, max_polls=SIMULATED_POLLS)


def _active(ctx: LintContext) -> bool:
    return ctx.settings.simulate and not ctx.payload and bool(ctx.commands)


def _line(ctx: LintContext, number: int) -> ast.Line:
    return ctx.script.line(number)


@rule("UPD-080", spec="innovaphone-spec.md 4, 10; lint-rules.md UPD-041")
def restart_loop(ctx: LintContext):
    """The device never settles: it downloads or restarts on every poll.

    ## What it does
    Runs the script on a virtual device, poll after poll, until nothing
    changes any more. Reports the script when the device's state comes back
    to an earlier state after polls that downloaded or restarted: the device
    would go round that cycle for ever. Reported at the first line that
    downloads or restarts in the cycle. Only with `--simulate`.

    ## Why is this bad?
    Every poll restarts the device (calls drop) or downloads firmware again
    (flash wear, server load) for as long as the script stays on the server.
    Typical causes: a bare `reset` where `iresetn` was meant, a build serial
    that never matches the running build, a `check` whose serial is never
    stored.

    ## Example
    Settings: simulate=true model=IP232
    ```
    mod cmd UP1 times /allow 2,3
    config add GW1 /name trunk
    config write
    reset
    ```
    Reported at 4:1.

    ## Use instead
    ```
    mod cmd UP1 times /allow 2,3
    config add GW1 /name trunk
    config write
    iresetn
    ```

    ## Fix safety
    No fix: whether the restart belongs behind a `check` or should become
    `iresetn` is the author's decision.

    ## Source
    innovaphone-spec.md 4 (what stops a script), 10 (operational model).
    """
    if not _active(ctx):
        return
    loop = _simulation(ctx).loop
    if loop is None or not loop.lines:
        return
    first = _line(ctx, loop.lines[0])
    yield ctx.finding(first.span, f"the device never settles: {loop.message}")


@rule("UPD-081", spec="innovaphone-spec.md 4, 5.1, Q14")
def check_never_committed(ctx: LintContext):
    """A `check` serial is never stored: the script is always interrupted.

    ## What it does
    Runs the script on a virtual device and reports a `check` line that was
    reached but whose serial never became UPDATE/CHECK in any poll, because
    every run ended early (a restart with lines still to come, a `times`
    cancellation, an error with `on_error=stop`). Only with `--simulate`.

    ## Why is this bad?
    `check` commits its serial only when the script ran to its last line
    without interruption. A serial that is never committed means the lines
    after `check` run again at every poll, which is exactly what `check` was
    written to prevent.

    ## Example
    Settings: simulate=true model=IP232
    ```
    mod cmd UP1 check ser 2024-06-01
    config add GW1 /name trunk
    config write
    reset
    config activate
    ```
    Reported at 1:23.

    ## Use instead
    ```
    mod cmd UP1 check reset 2024-06-01
    config add GW1 /name trunk
    config write
    ```

    ## Fix safety
    No fix: the restart usually belongs in the check's final command, but
    only the author knows.

    ## Source
    innovaphone-spec.md 4 (deferred check commit), 5.1, Q14.
    """
    if not _active(ctx):
        return
    run = _simulation(ctx)
    executed = set()
    committed = set()
    for record in run.polls:
        executed.update(record.result.summary.executed)
        for event in record.result.events:
            if event.event == "check-committed":
                committed.add(event.line)
    for line in ctx.lines(ast.Check):
        if line.serial is None or line.final is None or line.number not in executed or line.number in committed:
            continue
        if line.serial.text in _checks(run):
            continue  # committed through another check line with the same serial
        yield ctx.finding(
            line.at(line.serial),
            f"UPDATE/CHECK never becomes {line.serial.text}: no simulated run reached the end uninterrupted",
        )


def _checks(run) -> set[str]:
    return {record.result.state.var("CHECK") for record in run.polls}


@rule("UPD-082", spec="innovaphone-spec.md 4, 10")
def never_executed(ctx: LintContext):
    """A line is never executed in any simulated poll.

    ## What it does
    Runs the script on a virtual device until it settles and reports
    command lines that no poll reached: lines after an unconditional
    restart, after a `times` window that never opens, after a `check` that
    always stops. Only with `--simulate`.

    ## Why is this bad?
    The author wrote the line to be run. A line that no device ever reaches
    is dead code at best and, more often, a configuration step that silently
    never happens.

    ## Example
    Settings: simulate=true model=IP232
    ```
    config add GW1 /name trunk
    reset
    config write
    ```
    Reported at 3:1.

    ## Use instead
    ```
    config add GW1 /name trunk
    config write
    iresetn
    ```

    ## Fix safety
    No fix: moving or deleting the line changes what the script does.

    ## Source
    innovaphone-spec.md 4 (what stops a script), 10.
    """
    if not _active(ctx):
        return
    run = _simulation(ctx)
    executed = set()
    for record in run.polls:
        executed.update(record.result.summary.executed)
    for line in ctx.commands:
        if line.number not in executed:
            yield ctx.finding(line.span, "no simulated poll executes this line")


@rule("UPD-083", spec="innovaphone-spec.md 5.6, 6.1; lint-rules.md UPD-019")
def shared_backup_url(ctx: LintContext):
    """Every device writes its backup to the same URL.

    ## What it does
    Runs the script on two virtual devices with different MAC addresses,
    hardware ids and IP addresses and reports an `scfg` line whose upload
    URL came out the same for both. Only with `--simulate`. A line that
    UPD-019 already reports (no device-specific meta sequence in the URL)
    is left to it.

    ## Why is this bad?
    The update script is shared by all devices of a model; a backup URL
    without a device-specific meta sequence (`#m`, `#h`, `#i`) makes every
    device overwrite the others' backup, and the one backup left is
    whichever device polled last.

    ## Example
    Settings: simulate=true model=IP232 ignore=UPD-019
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/config.txt
    ```
    Reported at 1:18.

    ## Use instead
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/#m.txt
    ```

    ## Fix safety
    No fix: which naming scheme the backup store expects is the site's
    decision.

    ## Source
    innovaphone-spec.md 5.6, 6.1; lint-rules.md UPD-019 (the static check).
    """
    if not _active(ctx) or not any(True for _ in ctx.lines(ast.Scfg)):
        return
    from ...device import run_poll

    urls = []
    for mac, ip in (("00-90-33-0a-00-01", "192.168.0.21"), ("00-90-33-0b-00-02", "192.168.0.22")):
        state = _device(ctx, mac=mac, ip=ip)
        result = run_poll(state, _LintFetcher(ctx.settings.url_map), script=ctx.script, trace=False)
        urls.append({u.line: u.url for u in result.summary.uploads if 200 <= u.status < 300})
    first, second = urls
    from ..engine import rule_enabled
    from .arguments import backup_url_shared

    static = rule_enabled(ctx.settings, "UPD-019")
    for number, url in sorted(first.items()):
        if second.get(number) == url:
            line = _line(ctx, number)
            if static and isinstance(line, ast.Scfg) and backup_url_shared(line):
                continue  # UPD-019 reports this line already
            span = line.at(line.url) if isinstance(line, ast.Scfg) and line.url else line.span
            yield ctx.finding(span, f"every device uploads its backup to {url}")


@rule("UPD-084", spec="innovaphone-spec.md 4, 9, 10; docs/fleet.md")
def fleet_problems(ctx: LintContext):
    """A simulated fleet of devices does not settle on this script.

    ## What it does
    With `--simulate --fleet FLEET.toml`, simulates every device group of
    the fleet file that polls this script (the groups whose update URL names
    it) over the fleet's days, and reports groups whose devices never
    converge and why (no clock, outside `/allow`, loops, failed downloads),
    groups that need more than a day, and backup files that several devices
    overwrite.

    ## Why is this bad?
    A script can be fine line by line and still fail a real site: branch
    phones without NTP never pass `times /allow`, a shared backup URL keeps
    only the last device's configuration, a download that fails is retried
    on every poll. The fleet simulation shows it before the script is
    published. The devices fetch the script as it is saved on disk.

    ## Example
    Settings: simulate=true fleet=examples/fleet-small.toml file=update-ip232.htm
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/phone.txt ser DAILY /force 24
    ```
    Reported at 1:1.

    ## Use instead
    ```
    mod cmd UP0 scfg http://10.0.0.5/backup/#m.txt ser DAILY /force 24
    ```

    ## Fix safety
    No fix: the remedy depends on the fleet (a clock, other hours, the right
    file on the server).

    ## Source
    docs/fleet.md (the simulation), innovaphone-spec.md 4, 9, 10.
    """
    if not (ctx.settings.simulate and ctx.settings.fleet) or ctx.payload or not ctx.commands:
        return
    from pathlib import Path

    if not Path(ctx.script.path).is_file():
        return  # the fleet fetches the script from its folder: stdin has none
    from ...fleet.findings import fleet_findings
    from ...fleet.spec import FleetSpecError

    try:
        found = fleet_findings(ctx.script.path, ctx.settings.fleet, ctx.settings)
    except (FleetSpecError, OSError) as exc:
        yield ctx.finding(ctx.commands[0].span, f"cannot simulate the fleet: {exc}")
        return
    for number, message in found:
        yield ctx.finding(_line(ctx, number).span, message)
