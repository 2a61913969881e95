"""Discrete-event simulation of a fleet, one device poll at a time.

This is the exact path: a heap of (next poll time, device), every poll run
through the Poller (the reference interpreter).  fast.py steps devices in
cohorts and must give the same recording; both share ``Simulation.apply``,
which is where a poll's outcome becomes counters, restarts and the next
poll time.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

from .devices import first_boot, identity, is_busy
from .poller import FAILED, Outcome, Poller
from .record import Recorder
from .spec import FleetSpec

Progress = Callable[[int], None]  # called with simulated seconds done


@dataclass
class SimResult:
    spec: FleetSpec
    recorder: Recorder
    goals: list[object | None]  # goal keys
    exact: bool
    goal_states: list[object | None] | None = None  # a state in each goal, for describing it


def quiet(poller: Poller, before, outcome: Outcome) -> bool:
    """A poll that changes nothing a convergence check looks at (backups allowed)."""
    if outcome.restart:
        return False
    if any(t.method != "PUT" for t in outcome.transfers):
        return False
    return poller.goal_key(outcome.state) == poller.goal_key(before)


def find_goals(poller: Poller) -> tuple[list[object | None], list[object | None]]:
    """Per group: the state a device with a clock settles in (None: it never settles).

    A reference device of the group, idle and long booted, polls once an
    hour (so it meets every hour of the day) until a whole day passes without
    a download, a restart or a change of its serials.
    """
    spec = poller.spec
    clocked = spec.replace(groups=tuple(replace(g, has_clock=True, new_share=0.0, busy_share=0.0) for g in spec.groups))
    reference = poller.for_spec(clocked)
    goals: list[object | None] = []
    states: list[object | None] = []
    for g, group in enumerate(spec.groups):
        who = identity(0xFFFFFF, group.model)
        state = reference.initial_state(g, False)
        boot = -30 * 86400
        calm = 0
        goal = goal_state = None
        for hour in range(24 * 30):
            t = hour * 3600
            outcome = reference.poll(g, who, state, t, boot, True)
            # A poll that could not fetch the script says nothing about where it leads.
            calm = calm + 1 if outcome.status != FAILED and quiet(reference, state, outcome) else 0
            state = outcome.state
            if outcome.restart:
                boot = t + 60
            if calm >= 24:
                goal, goal_state = reference.goal_key(state), state
                break
        goals.append(goal)
        states.append(goal_state)
    return goals, states


class Simulation:
    """Shared state of both paths: spec, poller, recorder and the poll rules."""

    def __init__(self, spec: FleetSpec, poller: Poller, goals: list[object | None] | None = None) -> None:
        self.spec = spec
        self.poller = poller
        self.seed = spec.seed
        self.end = spec.seconds
        if goals is None:
            goals, self.goal_states = find_goals(poller)
        else:
            self.goal_states = [None] * len(goals)
        self.goals = goals
        self.recorder = Recorder(spec, self.goals)
        self._in_goal: dict[tuple[int, int], bool] = {}
        self._keep: list[object] = []
        self.group_of: list[int] = []
        for g, group in enumerate(spec.groups):
            self.group_of.extend([g] * group.count)
        # Cohort representatives are asked for again and again: their identities
        # (MAC, names, addresses) are kept, a bounded number of them.
        self.who = lru_cache(maxsize=1 << 16)(self.who)  # type: ignore[method-assign]

    def who(self, device: int):
        return identity(device, self.spec.groups[self.group_of[device]].model)

    def start(self, device: int, g: int, index: int) -> tuple[object, int, int]:
        """(state, boot time, first poll time) of a device at the start."""
        group = self.spec.groups[g]
        boot, new = first_boot(self.seed, device, index, group)
        state = self.poller.initial_state(g, new)
        return state, boot, self.poller.schedule.next(boot, -1, self.poller.interval(state), new)

    def busy(self, device: int, g: int, t: int) -> bool:
        return is_busy(self.seed, device, self.spec.groups[g], t)

    def poll_one(self, device: int, g: int, state, t: int, boot: int) -> Outcome:
        """One device's poll, busy or not as its draw says."""
        return self.poll_with(device, g, state, t, boot, not self.busy(device, g, t))

    def poll_with(self, device: int, g: int, state, t: int, boot: int, idle: bool) -> Outcome:
        return self.poller.poll(g, self.who(device), state, t, boot, idle)

    def in_goal(self, g: int, state) -> bool:
        goal = self.goals[g]
        if goal is None:
            return False
        key = (g, id(state))
        found = self._in_goal.get(key)
        if found is None:
            found = self.poller.goal_key(state) == goal
            self._in_goal[key] = found
            self._keep.append(state)  # keeps id(state) from being reused
        return found

    def apply(self, devices: list[int], g: int, state, t: int, boot: int, outcome: Outcome, named=None,
              write_status: bool = True) -> tuple[object, int, int]:
        """Record a poll that ``devices`` (all in ``state``) made at ``t``.

        Returns (state, boot time, next poll time) after it.  The fast path
        writes the status of the devices' last polls only at the end
        (``write_status`` False).
        """
        rec = self.recorder
        rec.polls_seen(g, len(devices))
        if write_status:
            rec.set_status(devices, outcome.status)
        new_state = outcome.state
        busy_for = rec.transfers(g, devices, t, outcome, named) if outcome.transfers else 0
        changed_at = t
        if outcome.restart:
            rec.restarted(g, devices)
            # At least a second away, so a script that restarts at every poll
            # cannot make a device poll again at the same moment for ever.
            boot = t + busy_for + max(1, self.spec.restart_seconds)
            changed_at = boot
            after = boot - 1
        else:
            after = t
        if new_state is not state:
            was, now = self.in_goal(g, state), self.in_goal(g, new_state)
            if was != now:
                rec.converge(g, devices, min(changed_at, self.end), now)
        interval = self.poller.interval(new_state)
        return new_state, boot, self.poller.schedule.next(boot, after, interval, self.poller.is_new(new_state))


def simulate_exact(sim: Simulation, progress: Progress | None = None) -> SimResult:
    """Every poll of every device, in time order."""
    spec = sim.spec
    states: list[object] = []
    boots: list[int] = []
    heap: list[tuple[int, int]] = []
    device = 0
    for g, group in enumerate(spec.groups):
        for index in range(group.count):
            state, boot, first = sim.start(device, g, index)
            states.append(state)
            boots.append(boot)
            if sim.in_goal(g, state):
                sim.recorder.converge(g, [device], 0, True)
            heap.append((first, device))
            device += 1
    heapq.heapify(heap)
    end = sim.end
    group_of = sim.group_of
    reported = 0
    while heap and heap[0][0] <= end:
        t, d = heapq.heappop(heap)
        g = group_of[d]
        outcome = sim.poll_one(d, g, states[d], t, boots[d])
        states[d], boots[d], following = sim.apply([d], g, states[d], t, boots[d], outcome)
        heapq.heappush(heap, (following, d))
        if progress is not None and t - reported >= 3600:
            progress(t - reported)
            reported = t
    if progress is not None:
        progress(end - reported)
    return SimResult(spec, sim.recorder, sim.goals, True, sim.goal_states)


def simulate(spec: FleetSpec, poller: Poller, *, exact: bool = False, progress: Progress | None = None) -> SimResult:
    """Run the fleet; the fast path unless ``exact`` (both give the same result)."""
    sim = Simulation(spec, poller)
    if exact:
        return simulate_exact(sim, progress)
    from .fast import simulate_fast

    return simulate_fast(sim, progress)
