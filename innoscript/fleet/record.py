"""What a simulation remembers: per device counters and server load.

Both simulation paths (one device at a time in sim.py, cohorts in fast.py)
feed the same Recorder through the same methods; the report is built from
it alone, so equal recordings give byte-identical reports.
"""

from __future__ import annotations

from array import array
from collections import Counter

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
        self.downloads = array("l", bytes(8 * n)) if n else array("l")
        self.uploads = array("l", bytes(8 * n)) if n else array("l")
        self.restarts = array("l", bytes(8 * n)) if n else array("l")
        self.converged_at = array("q", [NOT_CONVERGED]) * n
        self.last_status: list[str] = ["not-polled"] * n
        self.loops: set[int] = set()
        self.failed_downloads: set[int] = set()  # devices with a download that failed
        self._seen: dict[int, set[tuple[str, str]]] = {}
        groups = len(spec.groups)
        self.polls = [0] * groups
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

    def transfers(self, group: int, devices: list[int], when: int, outcome: Outcome, url_of=None) -> int:
        """Record an outcome's transfers for ``devices``; returns the seconds they took.

        ``url_of(index, device)`` gives each device's own URL of transfer
        ``index`` when the URLs name the device (meta sequences in an upload URL).
        """
        n = len(devices)
        offset = 0
        for index, transfer in enumerate(outcome.transfers):
            duration = self.spec.transfer_seconds(transfer.size) if transfer.ok else 1
            self._transfer(when + offset, duration, n, transfer)
            if transfer.method == "PUT":
                for d in devices:
                    self.uploads[d] += 1
                    self._backup(url_of(index, d) if url_of else transfer.url, d)
            elif not transfer.ok:
                for d in devices:
                    self.downloads[d] += 1
                self.failed_downloads.update(devices)
            else:
                # The same file fetched twice by one device: it goes round in a loop.
                key = (transfer.kind, transfer.url)
                for d in devices:
                    self.downloads[d] += 1
                    if url_of:
                        key = (transfer.kind, url_of(index, d))
                    seen = self._seen.setdefault(d, set())
                    if key in seen:
                        self.loops.add(d)
                    seen.add(key)
            offset += duration
        return offset

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

    def _backup(self, url: str, device: int) -> None:
        self.backup_writes += 1
        writer = self.backups.get(url)
        if writer is None:
            self.backups[url] = device
        elif writer != device:
            self.backups[url] = -1

    def restarted(self, devices: list[int]) -> None:
        for d in devices:
            self.restarts[d] += 1

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
