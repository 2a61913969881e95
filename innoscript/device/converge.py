"""Poll until nothing changes any more, or find the loop that prevents it.

A poll is *quiet* when it changes nothing (no variable, no configuration),
downloads nothing, uploads nothing, restarts nothing and stores or
activates no configuration (not even an unchanged one).  A device has
*converged* after a quiet poll that was not stopped by `times`/`/initial`
(those only wait for the clock) and that fetched its script.  Polling stops
early, unconverged, when the script fails to be fetched twice the same way.

By default polling goes on until the device converges, for at most one day
of device time (``max_minutes``), so a script that only runs in a night
window is seen running there whatever the start time.

A *loop* is a device state (without clock, uptime and backup bookkeeping)
that comes back after polls that downloaded successfully or restarted: the
device will go round that cycle for ever, e.g. a build serial that never
matches because UPDATE/* is lost at restart (option
update_vars_survive_reboot).  A transfer that fails on every poll is not a
loop: the run ends unconverged and ``RunResult.failing`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..syntax import ast
from .fetch import Fetcher
from .interpreter import FETCH, INITIAL, TIMES, PollResult, run_poll
from .options import DEFAULT_OPTIONS, InterpreterOptions
from .state import DeviceState

DEFAULT_MAX_POLLS = 20  # the library's default; the command line uses a day of device time
DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class PollRecord:
    number: int  # 1-based
    clock: datetime  # the device clock when the poll started
    uptime_min: int  # uptime when the poll started
    result: PollResult
    uploads_changed: bool
    before: DeviceState | None = None  # the device as the poll found it (config diffs)

    @property
    def changed(self) -> bool:
        return self.result.summary.changed or self.uploads_changed

    @property
    def quiet(self) -> bool:
        return self.result.summary.quiet

    @property
    def churns(self) -> bool:
        """Downloaded successfully or restarted (what makes a repeating cycle a loop)."""
        summary = self.result.summary
        return bool(summary.restarts) or any(200 <= d.status < 300 for d in summary.downloads)


@dataclass(frozen=True, slots=True)
class Loop:
    first_poll: int  # first poll of the repeating cycle
    last_poll: int  # the poll after which the state repeated
    lines: tuple[int, ...]  # lines that downloaded or restarted in the cycle
    downloads: int
    restarts: int
    failed: int = 0  # downloads among them that failed (the device retries every poll)

    @property
    def message(self) -> str:
        what = []
        if self.downloads:
            failed = f" ({self.failed} failed)" if self.failed else ""
            what.append(f"{self.downloads} download{'s' if self.downloads > 1 else ''}{failed}")
        if self.restarts:
            what.append(f"{self.restarts} restart{'s' if self.restarts > 1 else ''}")
        polls = self.last_poll - self.first_poll + 1
        lines = ", ".join(str(n) for n in self.lines)
        every = "every poll" if polls == 1 else f"every {polls} polls"
        return f"the state repeats {every} with {' and '.join(what)} (lines {lines})"

    def to_dict(self) -> dict:
        return {
            "first_poll": self.first_poll,
            "last_poll": self.last_poll,
            "lines": list(self.lines),
            "downloads": self.downloads,
            "restarts": self.restarts,
            "failed": self.failed,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Failing:
    """A transfer that failed on the last poll of an unconverged run."""

    line: int
    kind: str  # prot, boot, bmc, cfg, scfg
    url: str
    status: int

    def to_dict(self) -> dict:
        return {"line": self.line, "kind": self.kind, "url": self.url, "status": self.status}


@dataclass(frozen=True, slots=True)
class RunResult:
    polls: tuple[PollRecord, ...]
    state: DeviceState  # after the last poll (before the next interval)
    converged: bool
    loop: Loop | None
    failing: tuple[Failing, ...] = ()  # failed transfers of the last poll when not converged
    horizon_polls: int | None = None  # the poll limit the run had (None: only the time limit)
    horizon_minutes: int | None = None  # the device-time limit the run had (None: only the poll limit)


def _stuck(records: list[PollRecord]) -> bool:
    """The last two polls failed to fetch the script with the same status."""
    if len(records) < 2:
        return False
    a, b = records[-2].result.summary, records[-1].result.summary
    return a.stopped_by == b.stopped_by == FETCH and a.status == b.status and not records[-1].changed


def advance(state: DeviceState, minutes: int) -> DeviceState:
    """The device ``minutes`` later: clock and uptime move on."""
    return state.replace(clock=state.clock + timedelta(minutes=minutes), uptime_min=state.uptime_min + minutes)


def poll_interval(state: DeviceState, options: InterpreterOptions = DEFAULT_OPTIONS) -> int:
    """Minutes to the next poll: fast for a new device within its window (spec 2.3)."""
    if state.is_new and state.uptime_min < options.new_poll_window:
        return options.new_poll_minutes
    return state.poll_minutes


def run_until_converged(
    state: DeviceState,
    fetcher: Fetcher,
    options: InterpreterOptions = DEFAULT_OPTIONS,
    *,
    script: ast.Script | str | bytes | None = None,
    max_polls: int | None = DEFAULT_MAX_POLLS,
    polls: int | None = None,
    max_minutes: int | None = None,
    trace: bool = True,
    before_poll=None,
) -> RunResult:
    """Poll until converged or a loop is found (at most ``max_polls``, and
    no poll later than ``max_minutes`` of device time after the first).

    With ``polls`` exactly that many polls run, whatever happens; converged
    and loop then describe the last poll and the first loop seen.
    ``before_poll(number, state) -> state`` may change the device before
    each poll (the command line's --restart-at).
    """
    if isinstance(script, (str, bytes)):
        from ..syntax import parse

        script = parse(script)
    if options.first_poll == "interval":
        state = advance(state, poll_interval(state, options))
    limit = polls if polls is not None else max_polls
    if limit is None and max_minutes is None:
        max_minutes = DAY_MINUTES
    end = state.clock + timedelta(minutes=max_minutes) if max_minutes is not None and polls is None else None
    records: list[PollRecord] = []
    last_upload: dict[int, tuple[int, int]] = {}
    seen: dict[tuple, int] = {}
    converged = False
    loop: Loop | None = None
    number = 0
    while limit is None or number < limit:
        number += 1
        if before_poll is not None:
            state = before_poll(number, state)
        result = run_poll(state, fetcher, options, script=script, trace=trace)
        uploads_changed = False
        for upload in result.summary.uploads:
            value = (upload.status, upload.crc)
            if last_upload.get(upload.line) != value:
                uploads_changed = True
                last_upload[upload.line] = value
        record = PollRecord(number, state.clock, state.uptime_min, result, uploads_changed, state)
        records.append(record)
        # Waiting for the clock, or never getting the script, is not converging.
        settled = record.quiet and result.summary.stopped_by not in (TIMES, INITIAL, FETCH)
        converged = settled and not (result.state.pending_restart and result.state.idle)
        key = result.state.key()
        if loop is None and key in seen and not converged:
            cycle = records[seen[key]:]
            if any(r.churns for r in cycle):
                lines = sorted(
                    {d.line for r in cycle for d in r.result.summary.downloads}
                    | {x.line for r in cycle for x in r.result.summary.restarts if x.line}
                )
                loop = Loop(
                    first_poll=cycle[0].number,
                    last_poll=number,
                    lines=tuple(lines),
                    downloads=sum(len(r.result.summary.downloads) for r in cycle),
                    restarts=sum(len(r.result.summary.restarts) for r in cycle),
                    failed=sum(1 for r in cycle for d in r.result.summary.downloads if not 200 <= d.status < 300),
                )
        seen[key] = number
        state = result.state
        if polls is None and (converged or loop is not None or _stuck(records)):
            break
        if limit is not None and number >= limit:
            break
        following = advance(state, poll_interval(state, options))
        if end is not None and following.clock > end:
            break
        state = following
    failing: tuple[Failing, ...] = ()
    if not converged and records:
        summary = records[-1].result.summary
        failing = tuple(Failing(d.line, d.kind, d.url, d.status) for d in summary.downloads if not 200 <= d.status < 300)
        failing += tuple(Failing(u.line, "scfg", u.url, u.status) for u in summary.uploads if not 200 <= u.status < 300)
    return RunResult(tuple(records), state, converged, loop, failing,
                     limit, max_minutes if end is not None else None)


def dry_run(
    state: DeviceState,
    fetcher: Fetcher,
    options: InterpreterOptions = DEFAULT_OPTIONS,
    *,
    polls: int | None = None,
    script: ast.Script | str | bytes | None = None,
    trace: bool = True,
) -> RunResult:
    """What a device in ``state`` does next: exactly ``polls`` polls, or (None)
    until it converges, for at most one day of device time.

    The entry point for faces that predict a device's next polls from its
    reported state (``innoscript run``, the update server's status pages);
    ``innoscript.device.report`` turns the result into JSON or text.
    """
    if polls is not None:
        return run_until_converged(state, fetcher, options, script=script, polls=polls, trace=trace)
    return run_until_converged(state, fetcher, options, script=script, max_polls=None,
                               max_minutes=DAY_MINUTES, trace=trace)
