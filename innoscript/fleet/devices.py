"""The devices of a fleet: identities, start states, and the poll schedule.

Everything random here comes from a counter-based hash of (seed, device,
purpose, time), not from a random stream.  A draw therefore does not depend
on the order in which devices are visited, which is what lets the cohort
stepping of fast.py give exactly the results of the one-by-one loop of sim.py.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from .spec import NEW_POLL_MINUTES, NEW_WINDOW_MINUTES, GroupSpec

_MASK = (1 << 64) - 1
NEW_POLL = NEW_POLL_MINUTES * 60
NEW_WINDOW = NEW_WINDOW_MINUTES * 60

# Purposes of the draws, so two draws of one device never coincide.
DRAW_UPTIME = 1
DRAW_BUSY = 2


def _mix(value: int) -> int:
    # splitmix64 finaliser: a well-spread 64-bit hash of an integer.
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


_KEYS: dict[tuple[int, int], int] = {}


def _key(seed: int, purpose: int) -> int:
    key = _KEYS.get((seed, purpose))
    if key is None:
        key = _KEYS[(seed, purpose)] = _mix(_mix(seed & _MASK) ^ purpose)
    return key


def draw(seed: int, device: int, purpose: int, when: int = 0) -> float:
    """A number in [0, 1) fixed by its arguments."""
    value = _key(seed, purpose) ^ ((device * 0xD1B54A32D192ED03) & _MASK)
    if when:
        value = _mix(value) ^ (when & _MASK)
    return (_mix(value) >> 11) / float(1 << 53)


@dataclass(frozen=True, slots=True)
class Identity:
    """What makes one device different from its neighbours (meta sequences #m #h #i)."""

    number: int
    mac: str
    hwid: str
    ip: str


_HEX = tuple(f"{i:02x}" for i in range(256))
MAC_PREFIX = "00-90-33-"


def tail(number: int) -> str:
    """The device's three bytes as MAC and hardware id end in: `xx-xx-xx`."""
    return f"{_HEX[(number >> 16) & 0xFF]}-{_HEX[(number >> 8) & 0xFF]}-{_HEX[number & 0xFF]}"


TAIL_LENGTH = len("xx-xx-xx")
_HEADS: list[str] = []  # "xx-xx-" for each value of the upper two bytes, made on first use


def tails_between(before: str, after: str, devices: list[int]) -> list[str]:
    """``before + tail(d) + after`` for each device: the URLs of many devices at once."""
    if not _HEADS:
        _HEADS.extend(f"{_HEX[i >> 8]}-{_HEX[i & 0xFF]}-" for i in range(1 << 16))
    heads, low = _HEADS, _HEX
    return [before + heads[(d >> 8) & 0xFFFF] + low[d & 0xFF] + after for d in devices]


def ip(number: int) -> str:
    return f"10.{(number >> 16) & 0xFF}.{(number >> 8) & 0xFF}.{number & 0xFF}"


def identity(number: int, model: str) -> Identity:
    end = tail(number)
    return Identity(number, MAC_PREFIX + end, f"{model}-{end}", ip(number))


def is_busy(seed: int, device: int, group: GroupSpec, when: int) -> bool:
    """Whether the device is in active use at a poll (only asked when it matters)."""
    if group.busy_share <= 0:
        return False
    return draw(seed, device, DRAW_BUSY, when) < group.busy_share


def busy_bases(seed: int, devices: range) -> array:
    """The part of each device's busy draws that does not depend on the time (see split_busy)."""
    key, mask = _key(seed, DRAW_BUSY), _MASK
    bases = array("Q")
    for d in devices:
        value = key ^ ((d * 0xD1B54A32D192ED03) & mask)
        value = (value + 0x9E3779B97F4A7C15) & mask
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
        bases.append(value ^ (value >> 31))
    return bases


def split_busy(bases: array, first: int, devices: list[int], share: float, when: int) -> tuple[list[int], list[int]]:
    """(idle, busy) of ``devices`` at a poll at ``when``: ``is_busy`` for many
    devices at once, with ``bases[d - first]`` from busy_bases."""
    if share <= 0:
        return list(devices), []
    idle: list[int] = []
    busy: list[int] = []
    stir, mask, scale = when & _MASK, _MASK, float(1 << 53)
    for d in devices:
        # draw(seed, d, DRAW_BUSY, when), written out: this runs for every device of a splitting cohort.
        value = bases[d - first]
        if when:
            value = ((value ^ stir) + 0x9E3779B97F4A7C15) & mask
            value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
            value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
            value ^= value >> 31
        (busy if (value >> 11) / scale < share else idle).append(d)
    return idle, busy


def first_boots(seed: int, devices: range, group: GroupSpec, new: bool) -> list[int]:
    """Boot times of ``devices`` (all new or all not): ``first_boot`` for many devices at once."""
    spread = int(group.boot_spread_hours * 3600)
    if not spread:
        return [0] * len(devices)
    key, mask, scale = _key(seed, DRAW_UPTIME), _MASK, float(1 << 53)
    sign = 1 if new else -1
    boots = []
    for d in devices:
        value = key ^ ((d * 0xD1B54A32D192ED03) & mask)
        value = (value + 0x9E3779B97F4A7C15) & mask
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & mask
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & mask
        value ^= value >> 31
        boots.append(sign * int((value >> 11) / scale * spread))
    return boots


def first_boot(seed: int, device: int, index_in_group: int, group: GroupSpec) -> tuple[int, bool]:
    """(boot time in seconds from the start, whether the device is new).

    Devices in use booted some time before the start (uptime spread over
    boot_spread_hours).  New devices are unpacked during the run: they boot
    at a time spread over the first boot_spread_hours.
    """
    spread = int(group.boot_spread_hours * 3600)
    offset = int(draw(seed, device, DRAW_UPTIME) * spread) if spread else 0
    new = index_in_group < group.new_count
    return (offset if new else -offset), new


@dataclass(frozen=True, slots=True)
class Schedule:
    """When devices poll (interpreter options first_poll, new_poll_minutes, new_poll_window).

    Regular polls come every interval after boot, the first one right at
    boot ("immediate") or once an interval has passed ("interval", spec
    13.3); a device still in factory state also polls every ``new_poll``
    seconds during its first ``new_window`` seconds (spec 2.3).
    """

    new_poll: int = NEW_POLL
    new_window: int = NEW_WINDOW
    immediate: bool = True

    def next(self, boot: int, after: int, interval: int, new: bool) -> int:
        """The first poll strictly after ``after`` for a device booted at ``boot``."""
        if after < boot:
            first = boot if self.immediate else boot + (self.new_poll if new else interval)
            return first
        regular = boot + ((after - boot) // interval + 1) * interval
        if new and after + self.new_poll - boot <= self.new_window:
            return min(after + self.new_poll, regular)
        return regular
