"""The data behind the status pages and their JSON API (docs/server.md).

``Dashboard`` reads the inventory, the served scripts and the backups, and
answers in plain dicts: the HTML pages and ``/_status*.json`` are two faces
of the same data.  Blocking (reads files, may lint): the routes call it off
the event loop.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ... import __version__
from ...device import DeviceError
from ..storage import version_path, versions
from .predict import DEFAULT_INTERVAL_MIN, Predictor, RootFetcher, ScriptFacts, local_time, reported_state

# A device is late when no poll came for LATE_INTERVALS poll intervals.
LATE_INTERVALS = 2
# A backup is overdue when older than its /force hours plus this many intervals.
BACKUP_SLACK_INTERVALS = 2
HISTORY_SHOWN = 50
CHART_POINTS = 48
SORT_KEYS = ("key", "model", "firmware", "last_poll", "last_backup", "script", "goal", "flags", "next")
TEXT_LIMIT = 256 * 1024  # larger backups are not diffed
TIMES = ("first_seen", "last_seen", "last_poll", "last_backup", "firmware_since")


def iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


@dataclass
class Script:
    """One served script as a poll would get it now."""

    path: str
    exists: bool
    body: bytes | None  # what the gate hands out (None: withheld or missing)
    gate: str  # "ok", "stale" (last good version served), "withheld", "off", "missing"
    reason: str
    facts: ScriptFacts | None


class Dashboard:
    def __init__(self, server) -> None:
        self.server = server
        self.predictor = Predictor(RootFetcher(server.root, server.writable, server.state))
        self._findings: dict[tuple[str, str], list[dict]] = {}
        self._lock = threading.Lock()

    # -- scripts

    def script(self, relative: str | None) -> Script | None:
        if not relative:
            return None
        path = self.server.root / relative
        if not path.is_file():
            return Script(relative, False, None, "missing", "not found", None)
        gate = self.server.gate
        if gate is None:
            body = path.read_bytes()
            state, reason = "off", ""
        else:
            decision = gate.cached(relative, path) or gate.decide(relative, path)
            body = decision.body
            state = "withheld" if body is None else "stale" if decision.stale else "ok"
            reason = decision.reason
        facts = self.predictor.facts(body) if body is not None else None
        return Script(relative, True, body, state, reason, facts)

    def findings(self, relative: str) -> list[dict]:
        """The linter's findings on the script as it is on disk (cached per content)."""
        from ...lint import Settings, lint_source
        from ...source import Source

        path = self.server.root / relative
        try:
            data = path.read_bytes()
        except OSError:
            return []
        key = (relative, hashlib.sha256(data).hexdigest())
        found = self._findings.get(key)
        if found is None:
            settings = self.server.gate.settings if self.server.gate is not None else Settings()
            diagnostics = lint_source(Source.from_bytes(data, relative), settings)
            found = [
                {"code": d.code, "name": d.name, "severity": d.severity.name.lower(), "line": d.span.line,
                 "col": d.span.col, "message": d.message}
                for d in sorted(diagnostics, key=lambda d: d.sort_key)
            ]
            with self._lock:
                if len(self._findings) > 256:
                    self._findings.clear()
                self._findings[key] = found
        return found

    # -- devices

    def now(self) -> float:
        return self.server.inventory.clock()

    def _row(self, device: dict, now: float, scripts: dict[str, Script | None]) -> dict:
        gaps = device.get("poll_gaps") or []
        interval = statistics.median(gaps) if gaps else DEFAULT_INTERVAL_MIN * 60.0
        interval = max(interval, 60.0)
        last_poll, last_backup = device.get("last_poll"), device.get("last_backup")
        path = device.get("last_poll_path")
        if path not in scripts:
            scripts[path] = self.script(path)
        script = scripts[path]
        flags: list[str] = []
        if last_poll is not None and now - last_poll > LATE_INTERVALS * interval + 60:
            flags.append(f"late: no poll for {age(now - last_poll)} (polls every {age(interval)})")
        row = {
            "interval": round(interval),
            "last_poll_age": None if last_poll is None else round(now - last_poll),
            "last_backup_age": None if last_backup is None else round(now - last_backup),
            "script": path,
            "in_goal": None,
            "next_poll": None,
        }
        if script is not None and script.facts is not None:
            facts = script.facts
            if facts.force:
                limit = min(facts.force) * 3600 + BACKUP_SLACK_INTERVALS * interval
                since = last_backup if last_backup is not None else device.get("first_seen") or now
                if now - since > limit:
                    what = f"last backup {age(now - last_backup)} ago" if last_backup is not None else "no backup yet"
                    flags.append(f"backup overdue: {what} (/force {min(facts.force)} h)")
            if last_poll is not None:
                at = expected_poll(last_poll, interval, now)
                started = device.get("firmware_since") or device.get("first_seen") or at
                try:
                    state = reported_state(device, local_time(at), uptime_min=(at - started) // 60,
                                           poll_minutes=round(interval / 60))
                except DeviceError as exc:
                    row["next_poll"] = {"at": iso(at), "text": f"unknown: {exc}", "error": str(exc)}
                else:
                    prediction, row["in_goal"] = self.predictor.predict(facts, state)
                    row["next_poll"] = {"at": iso(at), **prediction}
        elif script is not None:
            text = "script not served (404)" if not script.exists else "script withheld by the lint gate (503)"
            row["next_poll"] = {"at": None, "text": text, "error": text}
            flags.append(text)
        row["flags"] = flags
        return row

    def devices(self, *, query: str = "", flagged: bool = False, sort: str = "key", page: int = 1,
                per_page: int = 0) -> dict:
        """Every device with its next poll, filtered, sorted and paginated
        (``per_page`` 0: all); the summary counts cover all devices."""
        now = self.now()
        scripts: dict[str, Script | None] = {}
        rows = []
        for device in self.server.inventory.devices():
            device.update(self._row(device, now, scripts))
            rows.append(device)
        summary = {
            "devices": len(rows),
            "in_goal": sum(1 for r in rows if r["in_goal"]),
            "flagged": sum(1 for r in rows if r["flags"]),
            "scripts": len([s for s in scripts.values() if s is not None]),
        }
        if query:
            needle = query.lower()
            rows = [r for r in rows if needle in _haystack(r)]
        if flagged:
            rows = [r for r in rows if r["flags"]]
        descending = sort.startswith("-")
        name = sort.lstrip("-")
        if name in SORT_KEYS and name != "key":
            rows.sort(key=lambda r: _sort_value(r, name), reverse=descending)
        elif descending:
            rows.reverse()
        total = len(rows)
        pages = max(1, math.ceil(total / per_page)) if per_page else 1
        page = min(max(1, page), pages)
        if per_page:
            rows = rows[(page - 1) * per_page : page * per_page]
        for row in rows:  # only the rows shown: 10,000 conversions cost a tenth of a second
            for name in TIMES:
                row[name] = iso(row.get(name))
        return {
            "server": self.server_info(),
            "now": iso(now),
            "summary": summary,
            "page": {"number": page, "pages": pages, "per_page": per_page, "matching": total},
            "devices": rows,
            "gate": self.server.gate.status() if self.server.gate is not None else [],
        }

    def server_info(self) -> dict:
        server = self.server
        return {"name": "innoscript", "version": __version__, "lint_gate": server.gate is not None,
                "writable": list(server.writable)}

    def device(self, key: str, polls: int = 3) -> dict | None:
        device = self.server.inventory.device(key)
        if device is None:
            return None
        now = self.now()
        scripts: dict[str, Script | None] = {}
        device.update(self._row(device, now, scripts))
        script = scripts.get(device.get("last_poll_path"))
        next_polls: list[dict] = []
        last_poll = device.get("last_poll")
        if script is not None and script.facts is not None and last_poll is not None:
            interval = device["interval"]
            at = expected_poll(last_poll, interval, now)
            started = device.get("firmware_since") or device.get("first_seen") or at
            try:
                state = reported_state(device, local_time(at), uptime_min=(at - started) // 60,
                                       poll_minutes=round(interval / 60))
                next_polls = self.predictor.next_polls(script.facts, state, polls)
            except DeviceError as exc:
                next_polls = [{"at": iso(at), "text": f"unknown: {exc}", "error": str(exc)}]
        history = self.server.inventory.history(key, HISTORY_SHOWN)
        for entry in history:
            entry["at"] = iso(entry["at"])
        for name in TIMES:
            device[name] = iso(device.get(name))
        return {
            "server": self.server_info(),
            "now": iso(now),
            "device": device,
            "next_polls": next_polls,
            "history": history,
            "backups": self.backups(key, device),
            "script": None if script is None else {
                "path": script.path, "gate": script.gate, "reason": script.reason,
                "findings": self.findings(script.path) if script.exists else [],
            },
        }

    # -- backups

    def backup_paths(self, key: str, device: dict | None = None) -> list[str]:
        """Every backup path this device uploaded to (newest first)."""
        device = device or self.server.inventory.device(key) or {}
        paths = []
        if device.get("last_backup_path"):
            paths.append(device["last_backup_path"])
        for entry in self.server.inventory.history(key):
            if entry["kind"] == "backup" and entry["path"] not in paths:
                paths.append(entry["path"])
        return paths

    def backups(self, key: str, device: dict | None = None) -> list[dict]:
        found = []
        for relative in self.backup_paths(key, device):
            current = self.server.root / relative
            files = [(0, current)] if current.is_file() else []
            files += [(number, path) for number, path in enumerate(versions(current), 1)]
            entries = []
            for number, path in files:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                entries.append({"version": number, "size": stat.st_size, "modified": iso(stat.st_mtime)})
            found.append({"path": relative, "versions": entries})
        return found

    def backup_file(self, key: str, relative: str, version: int) -> Path | None:
        """A backup version of this device (0: current), or None.

        Only paths the device itself uploaded to are handed out."""
        if relative not in self.backup_paths(key) or version < 0:
            return None
        current = self.server.root / relative
        path = current if version == 0 else version_path(current, version)
        try:
            path.resolve().relative_to(self.server.root)
        except (OSError, ValueError):
            return None
        return path if path.is_file() else None

    def diff(self, key: str, relative: str, old: int, new: int) -> dict | None:
        """A unified diff between two versions of a text backup."""
        a, b = self.backup_file(key, relative, old), self.backup_file(key, relative, new)
        if a is None or b is None:
            return None
        texts = []
        for path in (a, b):
            data = path.read_bytes()[: TEXT_LIMIT + 1]
            if len(data) > TEXT_LIMIT or b"\x00" in data:
                return {"path": relative, "old": old, "new": new, "binary": True, "lines": []}
            texts.append(data.decode("utf-8", "replace").splitlines())
        lines = list(difflib.unified_diff(texts[0], texts[1], f"{relative} (version {old})",
                                          f"{relative} (version {new})", lineterm=""))
        return {"path": relative, "old": old, "new": new, "binary": False, "lines": lines}

    # -- scripts page

    def scripts(self) -> dict:
        listing = self.devices()
        by_script: dict[str, list[dict]] = {}
        for row in listing["devices"]:
            if row["script"]:
                by_script.setdefault(row["script"], []).append(row)
        paths = set(by_script)
        if self.server.gate is not None:
            paths |= {entry["path"] for entry in self.server.gate.status()}
        changes = self.server.inventory.firmware_changes()
        now = self.now()
        found = []
        for path in sorted(paths):
            script = self.script(path)
            rows = by_script.get(path, [])
            keys = {row["key"] for row in rows}
            found.append({
                "path": path,
                "gate": script.gate if script else "missing",
                "reason": script.reason if script else "",
                "findings": self.findings(path) if script is not None and script.exists else [],
                "devices": len(rows),
                "in_goal": sum(1 for row in rows if row["in_goal"]),
                "flagged": sum(1 for row in rows if row["flags"]),
                "firmware": _count(row.get("firmware") or "unknown" for row in rows),
                "rollout": rollout([c for c in changes if c[0] in keys], now),
            })
        return {"server": listing["server"], "now": listing["now"], "summary": listing["summary"], "scripts": found}


def rollout(changes: list[tuple[str, float, str]], now: float, points: int = CHART_POINTS) -> dict:
    """Devices by firmware over time: counts at ``points`` evenly spaced times
    from the first recorded change to ``now`` (``changes`` sorted by time)."""
    if not changes:
        return {"times": [], "series": {}}
    # each point counts the devices at the end of its slice of the time span
    start = changes[0][1]
    end = max(now, changes[-1][1])
    step = (end - start) / points
    times = [start + (i + 1) * step for i in range(points)]
    current: dict[str, str] = {}
    counts: dict[str, int] = {}
    series: dict[str, list[int]] = {}
    index = 0
    for i, moment in enumerate(times):
        while index < len(changes) and changes[index][1] <= moment + 1e-6:
            key, _, firmware = changes[index]
            old = current.get(key)
            if old is not None:
                counts[old] -= 1
            current[key] = firmware
            counts[firmware] = counts.get(firmware, 0) + 1
            if firmware not in series:
                series[firmware] = [0] * points
            index += 1
        for firmware, count in counts.items():
            series[firmware][i] = count
    return {"start": iso(start), "times": [iso(t) for t in times], "series": dict(sorted(series.items()))}


def expected_poll(last_poll: float, interval: float, now: float) -> float:
    """The first poll the schedule expects at or after ``now``."""
    return last_poll + interval * max(1, math.ceil((now - last_poll) / interval - 1e-9))


def age(seconds: float) -> str:
    """`45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _haystack(row: dict) -> str:
    parts = [row.get(name) or "" for name in ("key", "model", "firmware", "mac", "hwid", "address", "script")]
    parts += row["flags"]
    if row.get("next_poll"):
        parts.append(row["next_poll"].get("text", ""))
    return " ".join(parts).lower()


def _sort_value(row: dict, name: str):
    if name == "goal":
        return (row["in_goal"] is None, not row["in_goal"])
    if name == "flags":
        return (-len(row["flags"]), row["key"])
    if name == "next":
        return (row["next_poll"] or {}).get("text") or ""
    value = row.get(name)
    return (value is None, value or "")
