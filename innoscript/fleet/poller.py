"""What the fleet needs to know about one poll of one device.

The simulation sees a device as a hashable state and a poll as
an ``Outcome``.  ``Poller`` is the contract between the simulation loops and
the thing that gives polls their meaning; ``interp.py`` implements it with
the reference interpreter (innoscript.device).

A poll's outcome depends on the state, the script, and on time only through
a few facts: the local hour (devices with a clock), the uptime compared with
the `/initial` minutes and the 30-minute window of new devices, and for
`scfg /force` the time since the last backup.  ``time_key`` names those
facts and ``next_change`` says when they can change next; this is what lets
the fast path skip polls that cannot do anything.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Hashable, Protocol

from ..syntax import ast
from .devices import Identity, Schedule, ip, tail, tails_between
from .spec import FleetSpec

NEVER = 1 << 62

# Why a poll ended (the report groups devices that never updated by these).
DONE = "done"  # the script ran to its end
CHECKED = "check"  # stopped by `check`: already applied
NO_CLOCK = "no-clock"  # `times /allow` on a device without a time
OUTSIDE_ALLOW = "outside-allow"
INITIAL = "initial"  # within `/initial` minutes after boot
RESTART = "restart"  # a final command restarted the device
FAILED = "failed"  # the update script could not be fetched
ERROR = "error"  # a malformed line stopped the script (interpreter option on_error=stop)
NOT_POLLED = "not-polled"  # the device never polled (installed after the end)
STATUSES = (DONE, CHECKED, NO_CLOCK, OUTSIDE_ALLOW, INITIAL, RESTART, FAILED, ERROR, NOT_POLLED)


@dataclass(frozen=True, slots=True)
class Transfer:
    kind: str  # prot | boot | bmc | cfg | scfg | script
    method: str  # GET | PUT
    url: str
    size: int
    ok: bool = True


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    transfers: tuple[Transfer, ...]
    state: Hashable  # the state after the poll (after a restart, if one happened)
    restart: bool  # the device restarted once its transfers were done

    def is_noop(self, before) -> bool:
        return not self.transfers and not self.restart and (self.state is before or self.state == before)


# Placeholders in an Effect's URLs: the device's three bytes `xx-xx-xx` (the
# end of its MAC and hardware id) and its IP.
TAIL = "\x00t"
IP = "\x00i"


@dataclass(frozen=True, slots=True)
class Effect:
    """A poll that does something, as a rule for every device it applies to
    (``InterpreterPoller.effect``).  Equal effects give equal outcomes."""

    status: str
    transfers: tuple[Transfer, ...]  # URLs with TAIL and IP standing for the device's
    after: object  # the state after the poll, without SCFG stamp
    stamped: bool  # a backup was made: the SCFG stamp is the poll's clock (else it is kept)
    restart: bool
    personal: bool  # a URL names the device

    def url(self, index: int, device: int) -> str:
        """Transfer ``index``'s URL as ``device`` sends it."""
        url = self.transfers[index].url
        if TAIL in url:
            url = url.replace(TAIL, tail(device))
        if IP in url:
            url = url.replace(IP, ip(device))
        return url

    def tailed(self, index: int) -> tuple[str, str] | None:
        """(before, after) when transfer ``index``'s URL is ``before + tail(device) + after``."""
        url = self.transfers[index].url
        if IP in url or url.count(TAIL) != 1:
            return None
        before, after = url.split(TAIL)
        return before, after

    def urls(self, index: int, devices: list[int]) -> list[str] | None:
        """Transfer ``index``'s URL for each of ``devices``; None when it is the same for all."""
        url = self.transfers[index].url
        if TAIL not in url and IP not in url:
            return None
        if IP not in url and url.count(TAIL) == 1:
            before, after = url.split(TAIL)
            return tails_between(before, after, devices)
        return [self.url(index, d) for d in devices]


class Poller(Protocol):
    """Gives polls their meaning.  States are hashable and never mutated."""

    spec: FleetSpec
    schedule: Schedule

    def for_spec(self, spec: FleetSpec) -> "Poller": ...

    def initial_state(self, group: int, new: bool) -> Hashable: ...

    def is_new(self, state) -> bool: ...

    def memo_state(self, state) -> Hashable: ...

    def goal_key(self, state) -> Hashable: ...

    def describe(self, group: int, state) -> dict: ...

    def poll(self, group: int, who: Identity, state, t: int, boot: int, idle: bool) -> Outcome: ...

    def interval(self, state) -> int: ...

    def personal(self, state) -> bool: ...

    def facts(self, who: Identity, state) -> "ScriptFacts": ...

    def time_key(self, group: int, who: Identity, state, t: int, boot: int) -> Hashable: ...

    def next_change(self, group: int, who: Identity, state, t: int, boot: int, hours: bool = True) -> int: ...

    def names_device(self, outcome: Outcome, who: Identity) -> bool: ...

    def effect(self, group: int, before, outcome: Outcome, who: Identity, t: int) -> "Effect | None": ...

    def realize(self, effect: "Effect", group: int, before, device: int, t: int) -> Outcome: ...


@dataclass(frozen=True)
class ScriptFacts:
    """What in a script makes a poll's outcome depend on time."""

    initial: tuple[int, ...] = ()  # /initial minutes, as seconds
    force: tuple[int, ...] = ()  # /force hours, as seconds
    uses_allow: bool = False

    @staticmethod
    def of(script: ast.Script | None) -> "ScriptFacts":
        if script is None:
            return ScriptFacts()
        initial, force, allow = set(), set(), False
        for line in script.lines:
            if isinstance(line, ast.Times):
                if line.initial is not None and line.initial.invalid is None:
                    initial.add(line.initial.parsed * 60)
                allow = allow or line.allow is not None
            elif isinstance(line, ast.Scfg) and line.force is not None and line.force.invalid is None:
                force.add(line.force.parsed * 3600)
        return ScriptFacts(tuple(sorted(initial)), tuple(sorted(force)), allow)


class TimeRules:
    """Local time, uptime buckets and /force deadlines for a fleet.

    Shared by every Poller: the time facts are the fleet's, not the
    interpreter's.
    """

    def __init__(self, spec: FleetSpec) -> None:
        self.spec = spec
        start = spec.start
        self.start_second_of_day = start.hour * 3600 + start.minute * 60 + start.second
        self.offsets = [g.tz_offset_minutes * 60 for g in spec.groups]
        self.clock = [g.has_clock for g in spec.groups]

    def local_seconds(self, group: int, t: int) -> int:
        """Seconds since the start day's local midnight (grows past a day)."""
        return self.start_second_of_day + t + self.offsets[group]

    def hour(self, group: int, t: int) -> int | None:
        if not self.clock[group]:
            return None
        return (self.local_seconds(group, t) // 3600) % 24

    def key(self, group: int, facts: ScriptFacts, scfg_at: int | None, new: bool, window: int, t: int, boot: int) -> tuple:
        uptime = t - boot
        bucket = bisect_right(facts.initial, uptime)
        hour = self.hour(group, t) if facts.uses_allow else None
        due = tuple(scfg_at is None or t - scfg_at >= h for h in facts.force)
        return (hour, bucket, new and uptime < window, due)

    def next_change(self, group: int, facts: ScriptFacts, scfg_at: int | None, new: bool, window: int, t: int, boot: int,
                    hours: bool = True) -> int:
        """When the key can change next (``hours=False``: ignoring the hour)."""
        candidates = [NEVER]
        if hours and self.clock[group] and facts.uses_allow:
            local = self.local_seconds(group, t)
            candidates.append(t + 3600 - local % 3600)
        uptime = t - boot
        for limit in facts.initial:
            if limit > uptime:
                candidates.append(boot + limit)
                break
        if new and uptime < window:
            candidates.append(boot + window)
        if scfg_at is not None:
            for hours in facts.force:
                if scfg_at + hours > t:
                    candidates.append(scfg_at + hours)
        return min(candidates)
