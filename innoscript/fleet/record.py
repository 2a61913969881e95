"""What a simulation remembers: per group counters, per device what the
report asks of each device (when it converged, its last status, loops,
failed downloads), backup files and server load.

Both simulation paths (one device at a time in sim.py, cohorts in fast.py)
feed the same Recorder through the same methods; the report is built from
it alone, so equal recordings give byte-identical reports.  Work that
depends on the number of devices is done per cohort where it can be: a
million devices pass through these methods at every step of the fast path.
"""

from __future__ import annotations

from array import array
from collections import Counter

from .devices import TAIL_LENGTH, tail, tails_between
from .poller import Outcome, Transfer
from .spec import FleetSpec

NOT_CONVERGED = -1
# Transfers longer than this are cut for the load statistics (a stuck transfer
# is not what the peak should measure).
MAX_TRANSFER = 6 * 3600


class Recorder:
    def __init__(self, spec: FleetSpec, goals: list[object | None]) -> None:
        n = spec.device_count
        self.spec = spec
        self.goals = goals
        self.seconds = spec.seconds
        self.hours = (self.seconds + 3599) // 3600 + 1
        self.devices = n
        self.converged_at = array("q", [NOT_CONVERGED]) * n
        self.last_status: list[str] = ["not-polled"] * n
        self.loops: set[int] = set()
        self.failed_downloads: set[int] = set()  # devices with a download that failed
        self._seen: dict[tuple[str, str], bytearray] = {}  # (kind, URL) -> 1 for each device that fetched it
        self._seen_own: set[tuple[str, str, int]] = set()  # (kind, URL, device) for URLs named by the device
        groups = len(spec.groups)
        self.polls = [0] * groups
        # Transfers and restarts per group: the report needs no more, and a
        # cohort's are then counted at once, not device by device.
        self.downloads = [0] * groups
        self.uploads = [0] * groups
        self.restarts = [0] * groups
        # converged devices per group: (time, change) steps, folded into hours by the report
        self.converged_steps: list[Counter] = [Counter() for _ in range(groups)]
        self.hour_downloads = [0] * self.hours
        self.hour_uploads = [0] * self.hours
        self.bytes_down = 0
        self.bytes_up = 0
        # +n at a transfer's start second, -n at its end: the peak of the
        # running sum is the peak of concurrent transfers.
        self._load = array("l", bytes(8 * (self.seconds + MAX_TRANSFER + 2)))
        self.backups: dict[str, int] = {}  # URL -> writer device, -1 when several devices wrote it
        # Files `before + tail(device) + after` (see _tailed_backups): (before, after) -> 1 per writer.
        self._tailed: dict[tuple[str, str], bytearray] = {}
        self._tails_unique = n <= 1 << 24  # tail() holds three bytes of the device number
        self.backup_writes = 0

    # -- polls without effect (counted, possibly for many devices at once)

    def polls_seen(self, group: int, devices: int, polls_each: int = 1) -> None:
        self.polls[group] += devices * polls_each

    # -- state

    def converge(self, group: int, devices: list[int] | range, when: int, entered: bool) -> None:
        """Devices entered (or left) the group's goal state at ``when``."""
        mark = when if entered else NOT_CONVERGED
        for d in devices:
            self.converged_at[d] = mark
        self.converged_steps[group][when] += len(devices) if entered else -len(devices)

    def set_status(self, devices: list[int] | range, status: str) -> None:
        last = self.last_status
        for d in devices:
            last[d] = status

    # -- transfers

    def transfers(self, group: int, devices: list[int], when: int, outcome: Outcome, named=None) -> int:
        """Record an outcome's transfers for ``devices`` (all different); returns the seconds they took.

        ``named`` (an Effect) gives each device's own URLs when they name the
        device (meta sequences in an upload URL): ``named.urls(index,
        devices)``, None when transfer ``index`` has the same URL for all, and
        ``named.tailed(index)``, (before, after) when each device's URL is
        ``before + tail(device) + after``.
        """
        n = len(devices)
        offset = 0
        for index, transfer in enumerate(outcome.transfers):
            duration = self.spec.transfer_seconds(transfer.size) if transfer.ok else 1
            self._transfer(when + offset, duration, n, transfer)
            if transfer.method == "PUT":
                self.uploads[group] += n
                frame = named.tailed(index) if named is not None and self._tails_unique else None
                if frame is not None:
                    self._tailed_backups(frame, devices)
                else:
                    self._backups(transfer.url, devices, named.urls(index, devices) if named is not None else None)
            else:
                self.downloads[group] += n
                if not transfer.ok:
                    self.failed_downloads.update(devices)
                else:
                    self._fetched(transfer.kind, transfer.url, devices,
                                  named.urls(index, devices) if named is not None else None)
            offset += duration
        return offset

    def _fetched(self, kind: str, url: str, devices: list[int], urls: list[str] | None) -> None:
        """The same file fetched twice by one device: it goes round in a loop.

        Files fetched by many devices get one byte per device (``_seen``);
        files named by the device (rare) a (kind, URL, device) entry.
        """
        loops = self.loops
        if urls is None:
            key = (kind, url)
            seen = self._seen.get(key)
            if seen is None:
                seen = self._seen[key] = bytearray(self.devices)
            own = self._seen_own
            for d in devices:
                if seen[d] or (own and (kind, url, d) in own):
                    loops.add(d)
                seen[d] = 1
            return
        shared = self._seen
        own = self._seen_own
        for d, url in zip(devices, urls):
            seen = shared.get((kind, url))
            mark = (kind, url, d)
            if (seen is not None and seen[d]) or mark in own:
                loops.add(d)
            own.add(mark)

    def _backups(self, url: str, devices: list[int], urls: list[str] | None) -> None:
        """Who wrote each backup file: the device, or -1 once a second one did."""
        self.backup_writes += len(devices)
        backups = self.backups
        if urls is None:
            writer = backups.get(url)
            backups[url] = devices[0] if len(devices) == 1 and writer in (None, devices[0]) else -1
            return
        mark = backups.setdefault
        for d, url in zip(devices, urls):
            if mark(url, d) != d:
                backups[url] = -1

    def _tailed_backups(self, frame: tuple[str, str], devices: list[int]) -> None:
        """Backups to ``before + tail(device) + after``: one byte per device.

        The tails of different devices differ, so such a file has one writer,
        unless another frame or a URL of ``backups`` makes the same text
        (``backup_files`` and ``backup_summary`` see to that).
        """
        self.backup_writes += len(devices)
        marks = self._tailed.get(frame)
        if marks is None:
            marks = self._tailed[frame] = bytearray(self.devices)
        for d in devices:
            marks[d] = 1

    def backup_files(self) -> dict[str, int]:
        """Every backup file: URL -> the device that wrote it, -1 when several did."""
        files = dict(self.backups)
        mark = files.setdefault
        for (before, after), marks in self._tailed.items():
            devices = [d for d, written in enumerate(marks) if written]
            for d, url in zip(devices, tails_between(before, after, devices)):
                if mark(url, d) != d:
                    files[url] = -1
        return files

    def backup_summary(self) -> tuple[int, list[str]]:
        """(number of backup files, sorted URLs of the files several devices wrote)."""
        if not self._tailed:
            return len(self.backups), sorted(url for url, writer in self.backups.items() if writer == -1)
        if not self._frames_apart():
            files = self.backup_files()
            return len(files), sorted(url for url, writer in files.items() if writer == -1)
        count = len(self.backups) + sum(marks.count(1) for marks in self._tailed.values())
        shared = []
        for url, writer in self.backups.items():
            device = self._framed_writer(url)
            if device is not None:
                count -= 1  # the same file as a frame's: counted there
                if writer != device:
                    writer = -1
            if writer == -1:
                shared.append(url)
        return count, sorted(shared)

    def _frames_apart(self) -> bool:
        """Whether no two frames make the same text.

        Frames whose texts have one length and the tail at one place give
        different texts (the text fixes before, after and tail); this asks
        that of every two frames of one length.
        """
        place: dict[int, int] = {}
        for before, after in self._tailed:
            length = len(before) + TAIL_LENGTH + len(after)
            if place.setdefault(length, len(before)) != len(before):
                return False
        return True

    def _framed_writer(self, url: str) -> int | None:
        """The device whose frame file ``url`` is (frames apart: at most one), if any."""
        for (before, after), marks in self._tailed.items():
            if len(url) == len(before) + TAIL_LENGTH + len(after) and url.startswith(before) and url.endswith(after):
                middle = url[len(before):len(before) + TAIL_LENGTH]
                digits = middle.replace("-", "")
                if len(digits) == 6 and all(c in "0123456789abcdef" for c in digits):
                    device = int(digits, 16)
                    if device < len(marks) and marks[device] and tail(device) == middle:
                        return device
        return None

    def _transfer(self, start: int, duration: int, n: int, transfer: Transfer) -> None:
        hour = start // 3600
        if 0 <= hour < self.hours:
            if transfer.method == "PUT":
                self.hour_uploads[hour] += n
                self.bytes_up += n * transfer.size
            else:
                self.hour_downloads[hour] += n
                self.bytes_down += n * transfer.size
        if 0 <= start <= self.seconds:
            end = start + min(duration, MAX_TRANSFER)
            self._load[start] += n
            self._load[end] -= n

    def restarted(self, group: int, devices: list[int]) -> None:
        self.restarts[group] += len(devices)

    # -- results

    def peak_transfers(self) -> tuple[int, int]:
        """(peak concurrent transfers, second of the simulation when first reached)."""
        running = peak = 0
        at = 0
        for second, change in enumerate(self._load):
            if change:
                running += change
                if running > peak:
                    peak, at = running, second
        return peak, at
