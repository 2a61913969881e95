"""The Poller backed by the reference interpreter (innoscript.device).

The fleet keeps each device's ``DeviceState`` with its identity and clock
blanked out (``canonical``), so that devices in the same situation share one
state object and the fast path can group them.  A poll fills in the
device's MAC, hardware id, IP, local clock, uptime and idle flag, runs the
interpreter untraced, and turns its summary into an ``Outcome``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Hashable

from .. import catalog
from ..device.expand import default_name
from ..device.fetch import ok
from ..device.interpreter import run_poll
from ..device.options import InterpreterOptions
from ..device.state import make_state
from .devices import Identity, Schedule
from .fetch import FleetFetcher
from .poller import (
    CHECKED, DONE, ERROR, FAILED, INITIAL, NO_CLOCK, OUTSIDE_ALLOW, RESTART,
    Outcome, ScriptFacts, TimeRules, Transfer,
)
from .spec import FleetSpec

_EPOCH = datetime(2000, 1, 1)
_BLANK = {"mac": "", "hardware_id": "", "ip": "", "uptime_min": 0, "idle": True, "clock": _EPOCH}
_STOPS = {"end": DONE, "check": CHECKED, "initial": INITIAL, "restart": RESTART, "fetch": FAILED, "error": ERROR}
# Meta sequences in an update URL that depend only on the device's state, not on who it is.
_STATE_METAS = ("#F", "#B", "#H", "#t")


class InterpreterPoller:
    def __init__(self, spec: FleetSpec, fetcher, options: InterpreterOptions | None = None) -> None:
        self.spec = spec
        self.fetcher = fetcher if isinstance(fetcher, FleetFetcher) else FleetFetcher(fetcher)
        self.options = options or InterpreterOptions()
        self.rules = TimeRules(spec)
        self.schedule = Schedule(
            new_poll=self.options.new_poll_minutes * 60,
            new_window=self.options.new_poll_window * 60,
            immediate=self.options.first_poll == "immediate",
        )
        self._facts: dict[str, ScriptFacts] = {}
        self._states: dict[object, object] = {}  # canonical states, interned
        self._initial: dict[tuple[int, bool], object] = {}
        self._personal = [self._names_device(g.update_url) for g in spec.groups]

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

    @staticmethod
    def _names_device(url: str) -> bool:
        if "#" not in url:
            return False
        for match in catalog.META_PATTERN.finditer(url):
            if catalog.meta_code(match.group(0)) not in _STATE_METAS:
                return True
        return False

    def script_key(self, group: int, who: Identity | None) -> Hashable:
        """None when every device of the group fetches the same script."""
        if not self._personal[group] or who is None:
            return None
        return who.number

    def personal(self, group: int) -> bool:
        return self._personal[group]

    def facts(self, group: int, who: Identity) -> ScriptFacts:
        url = default_name(self.spec.groups[group].update_url.split("?", 1)[0], "script", catalog.MODELS[self.spec.groups[group].model])
        if self._personal[group]:
            url = url.replace("#m", who.mac).replace("#h", who.hwid).replace("#i", who.ip)
        facts = self._facts.get(url)
        if facts is None:
            answer = self.fetcher.get(url)
            text = answer.body.decode("utf-8", "replace") if answer.ok else None
            facts = self._facts[url] = ScriptFacts.of_text(text)
        return facts

    # -- time

    def clock(self, group: int, t: int):
        return self.spec.start + timedelta(seconds=t + self.rules.offsets[group])

    def time_key(self, group: int, who: Identity, state, t: int, boot: int) -> Hashable:
        return self.rules.key(group, self.facts(group, who), self._scfg_at(group, state), state.is_new,
                              self.schedule.new_window, t, boot)

    def next_change(self, group: int, who: Identity, state, t: int, boot: int, hours: bool = True) -> int:
        return self.rules.next_change(group, self.facts(group, who), self._scfg_at(group, state), state.is_new,
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
