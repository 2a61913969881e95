"""The fast path: devices stepped in cohorts, poll outcomes memoised.

A cohort is a set of devices of one group that are in the same state and
poll at the same moments: same state, same next poll time, and either the
same boot time (while young: `/initial` and the new-device window still
matter) or the same boot phase (boot time modulo the poll interval) once
every uptime threshold is behind them.

At each step one representative's poll is run through the Poller.  A poll
that changes nothing (no transfer, no restart, same state) is memoised by
(group, script, state without time stamps, time key, idle), and the cohort
jumps straight to the first poll at which the time key can change (next
local hour for scripts with `/allow`, next uptime threshold, next `/force`
deadline); once all 24 hours are known no-ops, past every hour boundary.
Polls that only download and leave the state (failed downloads, retried at
every poll) are memoised the same way and recorded without being run.  A
poll that does something else is applied to the whole cohort at once; when
its URLs name the device (meta sequences in an upload URL), the device's own
URLs are made from the representative's after a second device confirmed
that this gives its outcome, else each device is run on its own.  Busy
draws are made only when the idle and busy outcomes differ.

Every poll of every device is thus either run or provably equal to a run
one, and the recording equals that of the one-by-one loop (tests check the
reports byte for byte).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from .poller import Outcome
from .sim import Progress, SimResult, Simulation


@dataclass(frozen=True, slots=True)
class Repeat:
    """A memoised poll that only made downloads and left the state as it was."""

    status: str
    transfers: tuple


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
    status: str | None  # status of the last poll, not yet written to the devices


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
        self._cycles: dict[tuple, int] = {}  # cyclic(): the first hour not known to be a no-op
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
            self.parked.append(Cohort(g, script, state, sid, self.msid(sid, state), boot, t, devices, status))
            return
        interval = self.poller.interval(state)
        if t - boot >= self.mature_after(script, sid, state, devices[0]):
            anchor = (False, (boot % interval))
        else:
            anchor = (True, boot)
        key = (g, script, sid, t, anchor)
        cohort = self.cohorts.get(key)
        if cohort is None:
            self.cohorts[key] = Cohort(g, script, state, sid, self.msid(sid, state), boot, t, devices, status)
            self.seq += 1
            heapq.heappush(self.heap, (t, self.seq, key))
            return
        if cohort.status != status:
            # Statuses of the last polls differ: write both down before mixing.
            if cohort.status is not None:
                self.rec.set_status(cohort.devices, cohort.status)
            if status is not None:
                self.rec.set_status(devices, status)
            cohort.status = None
        cohort.devices.extend(devices)

    # -- stepping

    def outcome(self, c: Cohort, rep: int, time_key, idle: bool) -> Outcome | str:
        """The poll's outcome, or just its status when it is a no-op (memoised)."""
        key = self._key(c, time_key, idle)
        found = self.memo.get(key)
        if found is not None:
            return found
        self.runs += 1
        outcome = self.sim.poll_with(rep, c.group, c.state, c.t, c.boot, idle)
        if outcome.is_noop(c.state):
            self.memo[key] = outcome.status
            return outcome.status
        if (not outcome.restart and (outcome.state is c.state or outcome.state == c.state)
                and all(t.method == "GET" for t in outcome.transfers)
                and not self.poller.names_device(outcome, self.sim.who(rep))):
            # Downloads that leave the state as it was (they failed): the same
            # at every poll with this key.  Download URLs hold no meta sequences.
            repeat = self.memo[key] = Repeat(outcome.status, outcome.transfers)
            return repeat
        return outcome

    def step(self, c: Cohort) -> None:
        self.steps += 1
        sim, poller = self.sim, self.poller
        g, state, t, boot = c.group, c.state, c.t, c.boot
        rep = c.devices[0]
        who = sim.who(rep)
        time_key = poller.time_key(g, who, state, t, boot)
        idle = self.outcome(c, rep, time_key, True)
        busy = self.outcome(c, rep, time_key, False) if self.groups[g].busy_share > 0 else idle
        if idle is busy or idle == busy:
            if isinstance(idle, str):
                self.jump(c, who, idle, time_key)
            elif isinstance(idle, Repeat):
                self.repeat(c, who, idle)
            else:
                self.apply(c, c.devices, idle, True, who)
            return
        idle_devices, busy_devices = [], []
        for d in c.devices:
            (busy_devices if sim.busy(d, g, t) else idle_devices).append(d)
        if idle_devices:
            self.apply(c, idle_devices, idle, True, who)
        if busy_devices:
            self.apply(c, busy_devices, busy, False, who)

    def jump(self, c: Cohort, who, status: str, time_key) -> None:
        """Skip the polls whose time key equals this one's: all do nothing."""
        g, state, t, boot = c.group, c.state, c.t, c.boot
        interval = self.poller.interval(state)
        new = self.poller.is_new(state)
        schedule = self.poller.schedule
        regular = (t - boot) % interval == 0 and not (new and t - boot < schedule.new_window)
        if regular and time_key[0] is not None and self.cyclic(c, time_key):
            # Every hour of the day is a known no-op: only the other parts of
            # the key can end this, so count the polls up to that moment.
            limit = min(self.poller.next_change(g, who, state, t, boot, hours=False), self.end + 1)
            polls = (limit - 1 - t) // interval + 1
            last = t + (polls - 1) * interval
            status = self.memo[self._key(c, (self.poller.rules.hour(g, last),) + time_key[1:], True)]
            self.finish_jump(c, polls, last + interval, status)
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
            _, _, following = self.sim.apply(c.devices, g, state, t, boot, outcome)
            if following >= limit:
                break
            t = following
        c.status = repeat.status
        self.schedule(g, state, boot, following, c.devices, repeat.status)

    def finish_jump(self, c: Cohort, polls: int, following: int, status: str) -> None:
        self.rec.polls_seen(c.group, len(c.devices), polls)
        c.status = status
        self.schedule(c.group, c.state, c.boot, following, c.devices, status)

    def _key(self, c: Cohort, time_key, idle: bool) -> tuple:
        return (c.group, c.script, c.msid, time_key, idle)

    def cyclic(self, c: Cohort, time_key) -> bool:
        """Whether the polls at every hour of the day, with the rest of the key
        as it is, are memoised no-ops (busy or not, with the same status).

        Memo entries are never changed once made, so the hours already found
        to be no-ops stay so: each key remembers the first hour not known to
        be one (24: all are) and later calls start there.  Asked once per
        cohort step, this used to walk the 24 hours again every time.
        """
        key = (c.group, c.script, c.msid, time_key[1:])
        start = self._cycles.get(key, 0)
        if start == 24:
            return True
        busy = self.groups[c.group].busy_share > 0
        memo = self.memo
        head = (c.group, c.script, c.msid)
        rest = time_key[1:]
        for hour in range(start, 24):
            tk = (hour,) + rest
            idle = memo.get((*head, tk, True))
            if idle is None or not isinstance(idle, str):
                self._cycles[key] = hour  # not known yet (maybe at a later step), or not a no-op
                return False
            if busy:
                other = memo.get((*head, tk, False))
                if other is None or other != idle:
                    self._cycles[key] = hour
                    return False
        self._cycles[key] = 24
        return True

    def apply(self, c: Cohort, devices: list[int], outcome, idle: bool, who) -> None:
        sim = self.sim
        if isinstance(outcome, str):
            outcome = Outcome(outcome, (), c.state, False)
        elif isinstance(outcome, Repeat):
            outcome = Outcome(outcome.status, outcome.transfers, c.state, False)
        if self.poller.names_device(outcome, who):
            if len(devices) > 2:
                # One more device run tells whether putting each device's MAC,
                # hardware id and IP into the representative's URLs gives that
                # device's own outcome; if so, no further runs are needed.
                second = devices[1]
                self.runs += 1
                own = sim.poll_with(second, c.group, c.state, c.t, c.boot, idle)
                url_of = self.poller.url_maker(outcome, who)
                if url_of is not None and self.poller.personalized(outcome, url_of, sim.who(second)) == own:
                    state, boot, following = sim.apply(devices, c.group, c.state, c.t, c.boot, outcome,
                                                       lambda transfer, d: url_of(transfer, sim.who(d)))
                    self.schedule(c.group, state, boot, following, devices, outcome.status)
                    return
            for d in devices:
                self.runs += 1
                own = sim.poll_with(d, c.group, c.state, c.t, c.boot, idle)
                state, boot, following = sim.apply([d], c.group, c.state, c.t, c.boot, own)
                self.schedule(c.group, state, boot, following, [d], own.status)
            return
        state, boot, following = sim.apply(devices, c.group, c.state, c.t, c.boot, outcome)
        self.schedule(c.group, state, boot, following, devices, outcome.status)

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
        for cohort in self.parked:
            if cohort.status is not None:
                self.rec.set_status(cohort.devices, cohort.status)


def simulate_fast(sim: Simulation, progress: Progress | None = None) -> SimResult:
    fast = FastPath(sim)
    device = 0
    rec = sim.recorder
    for g, group in enumerate(sim.spec.groups):
        for index in range(group.count):
            state, boot, first = sim.start(device, g, index)
            if sim.in_goal(g, state):
                rec.converge(g, [device], 0, True)
            fast.schedule(g, state, boot, first, [device], None)
            device += 1
    fast.run(progress)
    result = SimResult(sim.spec, rec, sim.goals, False, sim.goal_states)
    result.stats = {"cohort_steps": fast.steps, "interpreter_runs": fast.runs}  # type: ignore[attr-defined]
    return result
