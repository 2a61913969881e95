"""The Poller backed by the reference interpreter (innoscript.device).

The fleet keeps each device's ``DeviceState`` with its identity and clock
blanked out (``canonical``), so that devices in the same situation share one
state object and the fast path can group them.  A poll fills in the
device's MAC, hardware id, IP, local clock, uptime and idle flag, runs the
interpreter untraced, and turns its summary into an ``Outcome``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Hashable

from .. import catalog
from ..syntax import parse
from ..device.expand import default_name, expand_meta
from ..device.fetch import ok
from ..device.interpreter import run_poll
from ..device.options import InterpreterOptions, OptionError, options_from
from ..device.state import make_state
from .devices import MAC_PREFIX, Identity, Schedule
from .fetch import FleetFetcher
from .poller import (
    CHECKED, DONE, ERROR, FAILED, INITIAL, IP, NO_CLOCK, OUTSIDE_ALLOW, RESTART, TAIL,
    Effect, Outcome, ScriptFacts, TimeRules, Transfer,
)
from .spec import FleetSpec, FleetSpecError

_EPOCH = datetime(2000, 1, 1)
_BLANK = {"mac": "", "hardware_id": "", "ip": "", "uptime_min": 0, "idle": True, "clock": _EPOCH}
_STOPS = {"end": DONE, "check": CHECKED, "initial": INITIAL, "restart": RESTART, "fetch": FAILED, "error": ERROR}


def interpreter_options(spec: FleetSpec, extra=()) -> InterpreterOptions:
    """The fleet file's [fleet.options], then ``extra`` (name, value) pairs.

    Raises FleetSpecError naming fleet.options, or OptionError for ``extra``.
    """
    try:
        base = options_from(spec.options)
    except OptionError as exc:
        raise FleetSpecError(spec.path, "fleet.options", str(exc)) from None
    return options_from(extra, base) if extra else base


class InterpreterPoller:
    def __init__(self, spec: FleetSpec, fetcher, options: InterpreterOptions | None = None) -> None:
        self.spec = spec
        self.fetcher = fetcher if isinstance(fetcher, FleetFetcher) else FleetFetcher(fetcher)
        self.options = options if options is not None else interpreter_options(spec)
        self.rules = TimeRules(spec)
        self.schedule = Schedule(
            new_poll=self.options.new_poll_minutes * 60,
            new_window=self.options.new_poll_window * 60,
            immediate=self.options.first_poll == "immediate",
        )
        self._facts: dict[str, ScriptFacts] = {}
        self._states: dict[object, object] = {}  # canonical states, interned
        self._initial: dict[tuple[int, bool], object] = {}
        self._stamped: dict[tuple, object] = {}  # realize(): (after, stamps) -> state
        self._unstamped: dict[int, tuple] = {}  # memo_state(): id -> (state, state without stamps)
        self._goals: dict[int, tuple] = {}  # goal_key(): id -> (state without stamps, key)
        self._keep: list[object] = []

    def for_spec(self, spec: FleetSpec) -> "InterpreterPoller":
        return InterpreterPoller(spec, self.fetcher, self.options)

    # -- states

    def intern(self, state):
        return self._states.setdefault(state, state)

    def canonical(self, state):
        """The state without who and when.  Of the `...date` stamps only SCFG's is
        kept (`/force` reads it); the others only reach the server in the
        query, which the fleet's fetcher does not key on."""
        stamps = state.stamps
        if stamps and any(name != "SCFG" for name, _ in stamps):
            stamps = tuple(pair for pair in stamps if pair[0] == "SCFG")
        return self.intern(state.replace(stamps=stamps, **_BLANK))

    def memo_state(self, state):
        """The state as far as a poll's outcome depends on it, given the time
        key: the `/force` deadline is in the time key, so no stamps."""
        if not state.stamps:
            return state
        found = self._unstamped.get(id(state))
        if found is None:
            # (state, its unstamped form): holding the state keeps its id its own.
            found = self._unstamped[id(state)] = (state, self.intern(state.replace(stamps=())))
        return found[1]

    def initial_state(self, group: int, new: bool):
        key = (group, new)
        state = self._initial.get(key)
        if state is None:
            g = self.spec.groups[group]
            state = make_state(
                g.model, vars=dict(g.vars), firmware=g.firmware, boot=g.boot, radio=g.radio,
                update_url=g.update_url, poll_minutes=g.poll_minutes, has_time=g.has_clock, is_new=new,
            )
            state = self._initial[key] = self.canonical(state)
        return state

    def is_new(self, state) -> bool:
        return state.is_new

    def goal_key(self, state) -> Hashable:
        base = self.memo_state(state)  # key() leaves the stamps out
        found = self._goals.get(id(base))
        if found is None:
            found = self._goals[id(base)] = (base, base.replace(has_time=True, clock=_EPOCH, status="").key())
        return found[1]

    def describe(self, group: int, state) -> dict:
        return {"firmware": state.firmware, "boot": state.boot, "radio": state.radio, "vars": state.update_vars()}

    # -- scripts

    def interval(self, state) -> int:
        """Seconds between polls (`config ... UP1 /poll` can change it)."""
        return state.poll_minutes * 60

    def personal(self, state) -> bool:
        """Whether the update URL has meta sequences: then each device fetches its own URL."""
        return "#" in state.update_url and catalog.META_PATTERN.search(state.update_url) is not None

    def facts(self, who: Identity, state) -> ScriptFacts:
        url = state.update_url
        if self.personal(state):
            url, _ = expand_meta(url, state.replace(mac=who.mac, hardware_id=who.hwid, ip=who.ip), self.options)
        url = default_name(url.split("?", 1)[0], "script", state.catalog_model)
        facts = self._facts.get(url)
        if facts is None:
            answer = self.fetcher.get(url)
            facts = self._facts[url] = ScriptFacts.of(parse(answer.body) if answer.ok else None)
        return facts

    # -- time

    def clock(self, group: int, t: int):
        return self.spec.start + timedelta(seconds=t + self.rules.offsets[group])

    def time_key(self, group: int, who: Identity, state, t: int, boot: int) -> Hashable:
        return self.rules.key(group, self.facts(who, state), self._scfg_at(group, state), state.is_new,
                              self.schedule.new_window, t, boot)

    def next_change(self, group: int, who: Identity, state, t: int, boot: int, hours: bool = True) -> int:
        return self.rules.next_change(group, self.facts(who, state), self._scfg_at(group, state), state.is_new,
                                      self.schedule.new_window, t, boot, hours)

    def _scfg_at(self, group: int, state) -> int | None:
        for name, when in state.stamps:
            if name == "SCFG":
                delta = when - self.clock(group, 0)
                return int(delta.total_seconds())
        return None

    # -- polls

    def poll(self, group: int, who: Identity, state, t: int, boot: int, idle: bool) -> Outcome:
        device = state.replace(
            mac=who.mac, hardware_id=who.hwid, ip=who.ip, clock=self.clock(group, t),
            uptime_min=max(0, (t - boot) // 60), idle=idle,
        )
        result = run_poll(device, self.fetcher, self.options, trace=False)
        summary = result.summary
        if summary.stopped_by == "times":
            status = OUTSIDE_ALLOW if device.has_time else NO_CLOCK
        else:
            status = _STOPS.get(summary.stopped_by, DONE)
        transfers: tuple[Transfer, ...] = ()
        if summary.downloads or summary.uploads:
            moves = [(d.line, 0, i, Transfer(d.kind, "GET", d.url, self.fetcher.size(d.url) if ok(d.status) else 0, ok(d.status)))
                     for i, d in enumerate(summary.downloads)]
            moves += [(u.line, 1, i, Transfer("scfg", "PUT", u.url, u.size, ok(u.status)))
                      for i, u in enumerate(summary.uploads)]
            transfers = tuple(m[3] for m in sorted(moves, key=lambda m: m[:3]))
        return Outcome(status, transfers, self.canonical(result.state), bool(summary.restarts))

    def effect(self, group: int, before, outcome: Outcome, who: Identity, t: int) -> Effect | None:
        """``outcome`` (``who``'s poll at ``t`` from ``before``) as a rule for the
        same poll of any device of the group, in any state with the same
        ``memo_state`` and time key; None when it cannot be written as one (a
        URL holds a NUL, or the SCFG stamp is neither kept nor the poll's clock).

        The device's MAC, hardware id and IP in the URLs become placeholders;
        the SCFG stamp is the only state field that differs between devices
        in such states.  The fast path uses a rule only once polls of other
        devices at other moments gave exactly what it says.
        """
        model = self.spec.groups[group].model
        transfers = []
        personal = False
        for transfer in outcome.transfers:
            url = transfer.url
            if "\x00" in url:
                return None
            template = url.replace(who.mac, MAC_PREFIX + TAIL).replace(who.hwid, f"{model}-{TAIL}")
            template = _swap_ip(template, who.ip, IP)
            if template != url:
                personal = True
                transfer = Transfer(transfer.kind, transfer.method, template, transfer.size, transfer.ok)
            transfers.append(transfer)
        old, new, now = _scfg_stamp(before), _scfg_stamp(outcome.state), self.clock(group, t)
        if new == old and new != now:
            stamped = False
        elif new == now and old != now:
            stamped = True
        else:
            return None
        after = outcome.state if not outcome.state.stamps else self.intern(outcome.state.replace(stamps=()))
        return Effect(outcome.status, tuple(transfers), after, stamped, outcome.restart, personal)

    def realize(self, effect: Effect, group: int, before, device: int, t: int) -> Outcome:
        """The outcome ``effect`` gives ``device`` polling at ``t`` from ``before``."""
        stamps = (("SCFG", self.clock(group, t)),) if effect.stamped else before.stamps
        key = (id(effect.after), stamps)
        state = self._stamped.get(key)
        if state is None:
            state = self._stamped[key] = effect.after if not stamps else self.intern(effect.after.replace(stamps=stamps))
            self._keep.append(effect.after)  # keeps id(effect.after) from being reused
            if state is not effect.after:
                self._unstamped.setdefault(id(state), (state, effect.after))
        transfers = effect.transfers
        if effect.personal:
            transfers = tuple(Transfer(x.kind, x.method, effect.url(i, device), x.size, x.ok) for i, x in enumerate(transfers))
        return Outcome(effect.status, transfers, state, effect.restart)

    def names_device(self, outcome: Outcome, who: Identity) -> bool:
        """Whether an outcome's transfers carry the device's identity (then it cannot be shared as it is)."""
        for transfer in outcome.transfers:
            url = transfer.url
            if who.mac in url or who.hwid in url or _swap_ip(url, who.ip, "") != url:
                return True
        return False


def _scfg_stamp(state):
    for name, when in state.stamps:
        if name == "SCFG":
            return when
    return None


def _swap_ip(url: str, ip: str, placeholder: str) -> str:
    """``url`` with ``ip`` replaced where it stands as a whole address (not inside a longer number)."""
    at = url.find(ip)
    if at < 0:
        return url
    parts = []
    done = 0
    while at >= 0:
        end = at + len(ip)
        before = url[at - 1] if at else ""
        after = url[end] if end < len(url) else ""
        if not (before.isdigit() or before == ".") and not after.isdigit():
            parts.append(url[done:at])
            parts.append(placeholder)
            done = end
        at = url.find(ip, at + 1)
    parts.append(url[done:])
    return "".join(parts)
