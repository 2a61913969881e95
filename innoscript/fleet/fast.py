"""The fast path: devices stepped in cohorts, poll outcomes memoised.

A cohort is a set of devices of one group that are in the same state and
poll at the same moments: same state, same next poll time, and either the
same boot time (while young: `/initial` and the new-device window still
matter) or the same boot phase (boot time modulo the poll interval) once
every uptime threshold is behind them.  Each device's boot time is kept
too: a poll that changes the interval regroups the devices by their phase
of the new one.

At each step one representative's poll is looked up in the memo, keyed by
(group, script, state without time stamps, time key, idle), or run through
the Poller.  A poll that changes nothing (no transfer, no restart, same
state) is memoised as its status, and the cohort jumps straight to the first
poll at which the time key can change (next uptime threshold, next `/force`
deadline, and for scripts with `/allow` the next local hour whose polls are
not no-ops: an hour not known yet is found out by running the first poll of
the cohort in it).  Polls that only download and leave the state (failed
downloads, retried at every poll) are memoised as a Repeat and recorded
without being run.  Any other poll becomes an Effect (Poller.effect): the
outcome with the device's MAC, hardware id and IP in its URLs as
placeholders and the SCFG stamp as "kept" or "the poll's clock".  It is
applied to the whole cohort at once when its URLs do not name the device,
else only once a second device's poll confirmed it; once polls of another
device and at another moment gave exactly what it says, later cohorts get
their outcome from it without a run.  A disagreement marks the key: its
polls are always run (one device at a time when they name it).  Busy draws
are made only when the idle and busy outcomes differ.

Every poll of every device is thus either run or equal to a run one, and
the recording equals that of the one-by-one loop (tests check the reports
byte for byte).
"""

from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass

from .devices import busy_bases, first_boots, split_busy
from .poller import Effect, Outcome
from .sim import Progress, SimResult, Simulation


@dataclass(frozen=True, slots=True)
class Repeat:
    """A memoised poll that only made downloads and left the state as it was."""

    status: str
    transfers: tuple


@dataclass(slots=True)
class Pending:
    """An Effect made from one run poll, not yet confirmed by others."""

    effect: Effect
    device: int  # the device whose poll made it
    t: int
    before: object  # the state that poll started from
    other_device: bool = False  # another device's poll gave what the effect says
    other_time: bool = False  # a poll at another moment did


class _Unshared:
    """Memo mark: polls with this key are run (one device at a time when they name it)."""


UNSHARED = _Unshared()


@dataclass(slots=True)
class Cohort:
    group: int
    script: object  # the Poller's script key (None unless the update URL names the device)
    state: object
    sid: int  # small number standing for the state in dictionary keys (hashing a state is slow)
    msid: int  # the same for the state as far as a poll's outcome depends on it (Poller.memo_state)
    boot: int  # a member's boot time (all equal while young; same phase once mature)
    t: int  # next poll
    devices: list[int]
    # Statuses of the members' last polls, not yet written to the recorder:
    # [end, status] runs over ``devices`` (None: not polled yet).
    statuses: list[list]


class FastPath:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.poller = sim.poller
        self.rec = sim.recorder
        self.end = sim.end
        self.groups = sim.spec.groups
        self.memo: dict[tuple, str | Repeat] = {}  # no-op polls: key -> status
        self.cohorts: dict[tuple, Cohort] = {}
        self.parked: list[Cohort] = []  # next poll after the end
        self.heap: list[tuple[int, int, tuple]] = []
        self.seq = 0
        self._mature: dict[tuple[int, object], int] = {}
        self._busy: dict[int, tuple[array, int]] = {}  # busy_bases()
        # Each device's boot time: a cohort keeps one member's, which once
        # every uptime threshold is behind them shares only its phase.
        self.boots = array("q", bytes(8 * sim.spec.device_count))
        self._hours: dict[tuple, list] = {}  # known_hours(): per key, the status of each no-op hour
        self._personal: dict[int, bool] = {}
        self._msids: dict[int, int] = {}
        self._ids: dict[int, int] = {}
        self._by_state: dict[object, int] = {}
        self._keep: list[object] = []
        self.steps = 0
        self.runs = 0

    # -- cohorts

    def sid(self, state) -> int:
        """A number per distinct state.  The Poller interns its states, so the
        object's identity is enough and the state is hashed once."""
        ids = self._ids
        found = ids.get(id(state))
        if found is None:
            found = self._by_state.get(state)
            if found is None:
                found = self._by_state[state] = len(self._by_state)
                self._keep.append(state)  # keeps id(state) from being reused
            ids[id(state)] = found
        return found

    def msid(self, sid: int, state) -> int:
        found = self._msids.get(sid)
        if found is None:
            found = self._msids[sid] = self.sid(self.poller.memo_state(state))
        return found

    def mature_after(self, script: object, sid: int, state, rep: int) -> int:
        """Uptime from which a device's boot time no longer matters (only its phase)."""
        key = (script, sid)
        limit = self._mature.get(key)
        if limit is None:
            facts = self.poller.facts(self.sim.who(rep), state)
            limit = max(facts.initial[-1] if facts.initial else 0, self.poller.schedule.new_window)
            self._mature[key] = limit
        return limit

    def schedule(self, g: int, state, boot: int, t: int, devices: list[int], status: str | None) -> None:
        sid = self.sid(state)
        personal = self._personal.get(sid)
        if personal is None:
            personal = self._personal[sid] = self.poller.personal(state)
        if personal:
            # The update URL names the device: its script is its own.
            if len(devices) > 1:
                for d in devices:
                    self.schedule(g, state, boot, t, [d], status)
                return
            script = devices[0]
        else:
            script = None
        if t > self.end:
            self.parked.append(Cohort(g, script, state, sid, self.msid(sid, state), boot, t, devices,
                                      [[len(devices), status]]))
            return
        interval = self.poller.interval(state)
        if t - boot >= self.mature_after(script, sid, state, devices[0]):
            anchor = (False, (boot % interval))
        else:
            anchor = (True, boot)
        key = (g, script, sid, t, anchor)
        cohort = self.cohorts.get(key)
        if cohort is None:
            self.cohorts[key] = Cohort(g, script, state, sid, self.msid(sid, state), boot, t, devices,
                                       [[len(devices), status]])
            self.seq += 1
            heapq.heappush(self.heap, (t, self.seq, key))
            return
        cohort.devices.extend(devices)
        last = cohort.statuses[-1]
        if last[1] == status:
            last[0] = len(cohort.devices)
        else:
            cohort.statuses.append([len(cohort.devices), status])

    def start(self, g: int, state, devices: range, boots: list[int]) -> None:
        """Schedule the first polls of ``devices``, all in ``state``, booted at ``boots``.

        Devices that fall into one cohort are gathered first (in device
        order, as one by one), so the cohorts are made once, not grown by
        one device at a time.
        """
        interval = self.poller.interval(state)
        new = self.poller.is_new(state)
        following = self.poller.schedule.next
        sid = self.sid(state)
        self.boots[devices.start:devices.stop] = array("q", boots)
        if self.poller.personal(state):
            for d, boot in zip(devices, boots):
                self.schedule(g, state, boot, following(boot, -1, interval, new), [d], None)
            return
        mature = self.mature_after(None, sid, state, devices[0])
        gathered: dict[tuple[int, bool, int], tuple[int, list[int]]] = {}
        for d, boot in zip(devices, boots):
            t = following(boot, -1, interval, new)
            key = (t, False, boot % interval) if t - boot >= mature else (t, True, boot)  # as schedule() keys
            found = gathered.get(key)
            if found is None:
                gathered[key] = (boot, [d])
            else:
                found[1].append(d)
        for (t, _, _), (boot, members) in gathered.items():
            self.schedule(g, state, boot, t, members, None)

    # -- stepping

    def outcome(self, c: Cohort, rep: int, who, time_key, idle: bool, t: int | None = None):
        """The outcome of ``rep``'s poll at ``t`` (default: the cohort's next
        poll): its status when it is a no-op, a Repeat, an Effect once that
        is confirmed, else the Outcome of running it."""
        t = c.t if t is None else t
        key = (c.group, c.script, c.msid, time_key, idle)
        found = self.memo.get(key)
        kind = type(found)
        if kind is str or kind is Repeat or kind is Effect:
            return found
        outcome = self.poll(c, rep, who, idle, t)
        if found is not None:
            if kind is Pending:
                self.confirm(key, found, c, rep, outcome, t)
                if type(self.memo[key]) is Effect:
                    return self.memo[key]
            return outcome
        if outcome.is_noop(c.state):
            self.memo[key] = outcome.status
            return outcome.status
        if (not outcome.restart and (outcome.state is c.state or outcome.state == c.state)
                and all(t.method == "GET" for t in outcome.transfers)
                and not self.poller.names_device(outcome, who)):
            # Downloads that leave the state as it was (they failed): the same
            # at every poll with this key.  Download URLs hold no meta sequences.
            repeat = self.memo[key] = Repeat(outcome.status, outcome.transfers)
            return repeat
        effect = self.poller.effect(c.group, c.state, outcome, who, t)
        self.memo[key] = Pending(effect, rep, t, c.state) if effect is not None else UNSHARED
        return outcome

    def poll(self, c: Cohort, device: int, who, idle: bool, t: int) -> Outcome:
        self.runs += 1
        return self.poller.poll(c.group, who, c.state, t, c.boot, idle)

    def confirm(self, key: tuple, pending: "Pending", c: Cohort, device: int, outcome: Outcome, t: int) -> None:
        """Check a pending Effect against a run poll with the same key: it
        becomes the memo once polls of another device and at another moment
        agree with it; the first disagreement makes the key run for ever."""
        if self.poller.realize(pending.effect, c.group, c.state, device, t) != outcome:
            self.memo[key] = UNSHARED
            return
        pending.other_device = pending.other_device or device != pending.device
        pending.other_time = pending.other_time or t != pending.t
        if pending.other_device and pending.other_time:
            self.memo[key] = pending.effect

    def step(self, c: Cohort) -> None:
        self.steps += 1
        sim, poller = self.sim, self.poller
        g, state, t, boot = c.group, c.state, c.t, c.boot
        rep = c.devices[0]
        who = sim.who(rep)
        time_key = poller.time_key(g, who, state, t, boot)
        idle = self.outcome(c, rep, who, time_key, True)
        busy = self.outcome(c, rep, who, time_key, False) if self.groups[g].busy_share > 0 else idle
        if idle is busy or idle == busy:
            if isinstance(idle, str):
                self.jump(c, who, idle, time_key)
            elif isinstance(idle, Repeat):
                self.repeat(c, who, idle)
            else:
                self.apply(c, c.devices, idle, (c.group, c.script, c.msid, time_key, True), who)
            return
        bases, first = self.busy_bases(g)
        idle_devices, busy_devices = split_busy(bases, first, c.devices, self.groups[g].busy_share, t)
        if idle_devices:
            self.apply(c, idle_devices, idle, (c.group, c.script, c.msid, time_key, True), who)
        if busy_devices:
            self.apply(c, busy_devices, busy, (c.group, c.script, c.msid, time_key, False), who)

    def busy_bases(self, g: int) -> tuple[array, int]:
        """The group's busy_bases (made when first needed) and its first device."""
        found = self._busy.get(g)
        if found is None:
            first = sum(group.count for group in self.groups[:g])
            found = self._busy[g] = (busy_bases(self.sim.seed, range(first, first + self.groups[g].count)), first)
        return found

    def jump(self, c: Cohort, who, status: str, time_key) -> None:
        """Skip the polls whose time key equals this one's: all do nothing."""
        g, state, t, boot = c.group, c.state, c.t, c.boot
        interval = self.poller.interval(state)
        new = self.poller.is_new(state)
        schedule = self.poller.schedule
        regular = (t - boot) % interval == 0 and not (new and t - boot < schedule.new_window)
        if regular and time_key[0] is not None:
            # Regular polls keyed by the hour: skip the following hours whose
            # polls are no-ops too (known, or found by running the first poll
            # of that hour), up to a change of the rest of the key.
            known = self.known_hours(c, time_key)
            known[time_key[0]] = status
            limit = min(self.poller.next_change(g, who, state, t, boot, hours=False), self.end + 1)
            limit = self.quiet_until(c, who, time_key, known, limit)
            polls = (limit - 1 - t) // interval + 1
            last = t + (polls - 1) * interval
            self.finish_jump(c, polls, last + interval, known[self.poller.rules.hour(g, last)])
            return
        limit = min(self.poller.next_change(g, who, state, t, boot), self.end + 1)
        polls = 1
        following = schedule.next(boot, t, interval, new)
        while following < limit:
            if (following - boot) % interval == 0 and (not new or following - boot >= schedule.new_window):
                # Regular polls only from here: count them without visiting.
                extra = (limit - 1 - following) // interval + 1
                polls += extra
                following += extra * interval
                break
            polls += 1
            following = schedule.next(boot, following, interval, new)
        self.finish_jump(c, polls, following, status)

    def repeat(self, c: Cohort, who, repeat: "Repeat") -> None:
        """Record the polls up to the next change of the time key without
        running them: each makes the same transfers and leaves the state."""
        g, state, boot = c.group, c.state, c.boot
        limit = min(self.poller.next_change(g, who, state, c.t, boot), self.end + 1)
        outcome = Outcome(repeat.status, repeat.transfers, state, False)
        t = c.t
        while True:
            _, _, following = self.sim.apply(c.devices, g, state, t, boot, outcome, write_status=False)
            if following >= limit:
                break
            t = following
        self.schedule(g, state, boot, following, c.devices, repeat.status)

    def finish_jump(self, c: Cohort, polls: int, following: int, status: str) -> None:
        self.rec.polls_seen(c.group, len(c.devices), polls)
        self.schedule(c.group, c.state, c.boot, following, c.devices, status)

    def _key(self, c: Cohort, time_key, idle: bool) -> tuple:
        return (c.group, c.script, c.msid, time_key, idle)

    def known_hours(self, c: Cohort, time_key) -> list:
        """Per local hour, the status of the polls with this key but that hour
        when they are known no-ops (busy or not, with the same status), else None.

        Memo entries are never changed once made, so an hour once known stays
        known; the list is kept per key and unknown hours are looked up again.
        """
        key = (c.group, c.script, c.msid, time_key[1:])
        known = self._hours.get(key)
        if known is None:
            known = self._hours[key] = [None] * 24
        return known

    def quiet_until(self, c: Cohort, who, time_key, known: list, limit: int) -> int:
        """The first poll after ``c.t`` and before ``limit`` that is not a
        no-op (else ``limit``), for regular polls whose key changes only
        with the hour.  Polls in an hour not yet known are run: the first of
        them is the cohort's own next poll if all before it are no-ops."""
        g, t = c.group, c.t
        rules = self.poller.rules
        interval = self.poller.interval(c.state)
        boundary = t + 3600 - rules.local_seconds(g, t) % 3600  # the next local hour
        busy = self.groups[g].busy_share > 0
        while boundary < limit:
            if None not in known:
                return limit  # every hour of the day is a known no-op
            first = t + -(-(boundary - t) // interval) * interval  # the first poll from there
            if first >= limit:
                break
            boundary = first - rules.local_seconds(g, first) % 3600
            hour = rules.hour(g, first)
            if known[hour] is None:
                time_key = self.poller.time_key(g, who, c.state, first, c.boot)
                idle = self.outcome(c, who.number, who, time_key, True, first)
                if type(idle) is not str or (busy and self.outcome(c, who.number, who, time_key, False, first) != idle):
                    return first
                known[hour] = idle
            boundary += 3600
        return limit

    def apply(self, c: Cohort, devices: list[int], outcome, key: tuple, who) -> None:
        """Record the poll ``outcome`` (of the representative ``who``, key ``key``) for ``devices``."""
        sim, poller = self.sim, self.poller
        if isinstance(outcome, Effect):
            effect = outcome
            outcome = poller.realize(effect, c.group, c.state, who.number, c.t)
            self.record(c, devices, outcome, effect if effect.personal else None)
            return
        if isinstance(outcome, str):
            outcome = Outcome(outcome, (), c.state, False)
        elif isinstance(outcome, Repeat):
            outcome = Outcome(outcome.status, outcome.transfers, c.state, False)
        if poller.names_device(outcome, who):
            # The URLs name the device: the outcome holds for the others only
            # as an Effect that another device's poll confirmed.
            idle = key[-1]
            pending = self.memo.get(key)
            if type(pending) is Pending and not self.usable(pending, c) and len(devices) > 2:
                second = devices[1] if devices[1] != pending.device else devices[2]
                self.confirm(key, pending, c, second, self.poll(c, second, sim.who(second), idle, c.t), c.t)
                pending = self.memo.get(key)
            if type(pending) is Effect or (type(pending) is Pending and self.usable(pending, c)):
                self.record(c, devices, outcome, pending.effect if type(pending) is Pending else pending)
                return
            for d in devices:
                own = outcome if d == who.number else self.poll(c, d, sim.who(d), idle, c.t)
                self.record(c, [d], own)
            return
        self.record(c, devices, outcome)

    def record(self, c: Cohort, devices: list[int], outcome: Outcome, named=None) -> None:
        """Record the poll ``outcome`` that ``devices`` of ``c`` made, and schedule their next one."""
        state, boot, following = self.sim.apply(devices, c.group, c.state, c.t, c.boot, outcome, named,
                                                write_status=False)
        boots = self.boots
        if outcome.restart:
            for d in devices:
                boots[d] = boot
        elif self.poller.interval(state) != self.poller.interval(c.state):
            # The devices of a cohort share the boot phase of the old interval,
            # not necessarily that of the new one: each goes by its own boot.
            interval = self.poller.interval(state)
            new = self.poller.is_new(state)
            gathered: dict[tuple[int, int], tuple[int, list[int]]] = {}
            for d in devices:
                own = boots[d]
                key = (self.poller.schedule.next(own, c.t, interval, new), own % interval)
                found = gathered.get(key)
                if found is None:
                    gathered[key] = (own, [d])
                else:
                    found[1].append(d)
            for (following, _), (own, members) in gathered.items():
                self.schedule(c.group, state, own, following, members, outcome.status)
            return
        self.schedule(c.group, state, boot, following, devices, outcome.status)

    @staticmethod
    def usable(pending: "Pending", c: Cohort) -> bool:
        """Whether a pending Effect may be applied to the cohort's devices:
        another device's poll confirmed it, at another moment or at the very
        poll (same moment, same state) it was made from."""
        return pending.other_device and (pending.other_time or (pending.t == c.t and pending.before is c.state))

    def run(self, progress: Progress | None) -> None:
        reported = 0
        heap, cohorts = self.heap, self.cohorts
        while heap:
            t, _, key = heapq.heappop(heap)
            cohort = cohorts.pop(key)
            if progress is not None and t - reported >= 3600:
                progress(t - reported)
                reported = t
            self.step(cohort)
        if progress is not None:
            progress(self.end - reported)
        # Every device ends in one parked cohort, which knows its last status.
        for cohort in self.parked:
            start = 0
            for end, status in cohort.statuses:
                if status is not None:
                    self.rec.set_status(cohort.devices[start:end], status)
                start = end


def simulate_fast(sim: Simulation, progress: Progress | None = None) -> SimResult:
    fast = FastPath(sim)
    rec = sim.recorder
    poller = sim.poller
    device = 0
    for g, group in enumerate(sim.spec.groups):
        # The first round(new_share * count) devices of a group are new.
        new_ones = range(device, device + group.new_count)
        old_ones = range(device + group.new_count, device + group.count)
        device += group.count
        for new, devices in ((True, new_ones), (False, old_ones)):
            if not devices:
                continue
            state = poller.initial_state(g, new)
            if sim.in_goal(g, state):
                rec.converge(g, devices, 0, True)
            fast.start(g, state, devices, first_boots(sim.seed, devices, group, new))
    fast.run(progress)
    result = SimResult(sim.spec, rec, sim.goals, False, sim.goal_states)
    memo = fast.memo.values()
    result.stats = {  # type: ignore[attr-defined]
        "cohort_steps": fast.steps, "interpreter_runs": fast.runs,
        "shared_effects": sum(1 for m in memo if type(m) is Effect),
        "unshared_polls": sum(1 for m in memo if m is UNSHARED),
    }
    return result
