"""The Poller backed by the reference interpreter (innoscript.device).

The fleet keeps each device's ``DeviceState`` with its identity and clock
blanked out (``canonical``), so that devices in the same situation share one
state object and the fast path can group them.  A poll fills in the
device's MAC, hardware id, IP, local clock, uptime and idle flag, runs the
interpreter untraced, and turns its summary into an ``Outcome``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Hashable

from .. import catalog
from ..syntax import parse
from ..device.expand import default_name, expand_meta
from ..device.fetch import ok
from ..device.interpreter import run_poll
from ..device.options import InterpreterOptions, OptionError, options_from
from ..device.state import make_state
from .devices import Identity, Schedule
from .fetch import FleetFetcher
from .poller import (
    CHECKED, DONE, ERROR, FAILED, INITIAL, NO_CLOCK, OUTSIDE_ALLOW, RESTART,
    Outcome, ScriptFacts, TimeRules, Transfer,
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
        return self.intern(state.replace(stamps=()))

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
        return state.replace(has_time=True, clock=_EPOCH, status="").key()

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

    def url_maker(self, outcome: Outcome, rep: Identity):
        """A function (transfer, who) -> that device's URL, made from the
        representative's URLs by swapping its MAC, hardware id and IP; None
        when a URL holds one of them ambiguously."""
        templates: dict[str, str] = {}
        ip = re.compile(r"(?<![0-9.])" + re.escape(rep.ip) + r"(?![0-9])")
        for transfer in outcome.transfers:
            url = transfer.url
            if "\x00" in url:
                return None
            template = url.replace(rep.mac, "\x00m").replace(rep.hwid, "\x00h")
            templates[url] = ip.sub("\x00i", template)

        def url_of(transfer: Transfer, who: Identity) -> str:
            template = templates[transfer.url]
            if "\x00" not in template:
                return template
            return template.replace("\x00m", who.mac).replace("\x00h", who.hwid).replace("\x00i", who.ip)

        return url_of

    @staticmethod
    def personalized(outcome: Outcome, url_of, who: Identity) -> Outcome:
        """``outcome`` as ``url_of`` makes it for ``who``."""
        transfers = tuple(replace(t, url=url_of(t, who)) for t in outcome.transfers)
        return replace(outcome, transfers=transfers)

    def names_device(self, outcome: Outcome, who: Identity) -> bool:
        """Whether an outcome's transfers carry the device's identity (then it cannot be shared)."""
        if not outcome.transfers:
            return False
        for transfer in outcome.transfers:
            url = transfer.url
            if who.mac in url or who.hwid in url:
                return True
            if who.ip in url and re.search(r"(?<![0-9.])" + re.escape(who.ip) + r"(?![0-9])", url):
                return True
        return False
