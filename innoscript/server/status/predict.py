"""What a device's next polls will do: the served script, dry-run by the
reference interpreter from the state the device reported.

A poll tells the server the device's model and running builds (``ver``),
its UPDATE/* serials (``PROT``, ``BOOT``, ``BMC``, ``CHECK``, ``SCFG``,
``CFG``, ``CFG-BACKUP-NUM``) and when each was written (the ``...date``
companions, spec 2.2).  That is all a script reads, apart from the clock and
the uptime: ``reported_state`` rebuilds the virtual device from it, and
``run_poll`` runs the script on it at the time of the expected next poll.

The server cannot see a device's uptime; it counts it from the first poll
with the current firmware (a firmware change means a restart), or from the
first time the device was seen.

Downloads are answered from ROOT by the URL's path, as the server would
answer them (missing file: 404); uploads are answered 201 below a writable
folder and 403 elsewhere, and never written.
"""

from __future__ import annotations

import hashlib
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from ...device import DEFAULT_OPTIONS, DeviceError, InterpreterOptions, Response, advance, make_state, run_poll
from ...device.interpreter import PollResult
from ...syntax import ast, parse
from ..paths import PathRefused, is_inside, resolve, under_folder

SERIALS = ("PROT", "BOOT", "BMC", "CHECK", "SCFG", "CFG", "CFG-BACKUP-NUM")
STAMP_FORMAT = "%Y%m%d-%H%M%S"
DEFAULT_INTERVAL_MIN = 15  # the device default poll interval (spec 2.1)
BODY_LIMIT = 4 * 1024 * 1024  # a cfg payload is read; firmware only needs to exist
CACHE_SECONDS = 60.0  # payloads on disk may change: predictions are recomputed after this
CACHE_SIZE = 20000


def local_time(epoch: float) -> datetime:
    """Device clocks are local time; the server assumes its own time zone."""
    return datetime.fromtimestamp(epoch).replace(microsecond=0)


_STAMPS: dict[str, datetime | None] = {}


def parse_stamp(text: str) -> datetime | None:
    """`20261201-080000` (STAMP_FORMAT) as a datetime; None when malformed.

    Cached: many devices report the same stamps, and strptime is slow."""
    found = _STAMPS.get(text, False)
    if found is not False:
        return found
    try:
        found = datetime.strptime(text, STAMP_FORMAT) if len(text) == 15 else None
    except ValueError:
        found = None
    if len(_STAMPS) > 100_000:
        _STAMPS.clear()
    _STAMPS[text] = found
    return found


def reported_state(device: dict, clock: datetime, *, uptime_min: int = 24 * 60,
                   poll_minutes: int = DEFAULT_INTERVAL_MIN):
    """The virtual device an inventory row describes, at ``clock``.

    Raises DeviceError when the model is unknown (no ``ver``, no hint).
    """
    model = device.get("model")
    if not model:
        raise DeviceError("model unknown (the polls carried no version line)")
    serials = device.get("serials") or {}
    values = {name: serials[name] for name in SERIALS if serials.get(name)}
    stamps = []
    for name in SERIALS:
        text = serials.get(name + "date")
        when = parse_stamp(text) if text else None
        if when is not None:
            stamps.append((name, when))
    fields = {
        "firmware": device.get("firmware") or "",
        "boot": device.get("bootcode") or "",
        "radio": device.get("bmc") or serials.get("BMC") or "",
        "ip": device.get("address") or "",
        "update_url": "http://update-server/" + (device.get("last_poll_path") or ""),
        "poll_minutes": max(1, int(poll_minutes)),
        "clock": clock,
        "uptime_min": max(0, int(uptime_min)),
        "stamps": tuple(sorted(stamps)),
    }
    if device.get("mac"):
        fields["mac"] = device["mac"]
    if device.get("hwid"):
        fields["hardware_id"] = device["hwid"]
    return make_state(model, vars=values, **fields)


class RootFetcher:
    """The dry run's view of this server: files under ROOT, uploads not written."""

    def __init__(self, root: Path, writable: tuple[str, ...], state: Path) -> None:
        self.root = root
        self.writable = writable
        self.state = state

    def _resolve(self, url: str):
        try:
            raw = urlsplit(url).path or "/"
        except ValueError:
            return None, 502
        try:
            resolved = resolve(self.root, raw)
        except PathRefused as refused:
            return None, refused.status
        if is_inside(self.state, resolved.path):
            return None, 403
        return resolved, 0

    def get(self, url: str) -> Response:
        resolved, status = self._resolve(url)
        if resolved is None:
            return Response(status)
        try:
            size = resolved.path.stat().st_size
            if not resolved.path.is_file():
                return Response(404)
            return Response(200, resolved.path.read_bytes() if size <= BODY_LIMIT else b"")
        except OSError:
            return Response(404)

    def put(self, url: str, body: bytes) -> int:
        resolved, status = self._resolve(url)
        if resolved is None:
            return status
        return 201 if under_folder(resolved.relative, self.writable) is not None else 403


@dataclass(frozen=True)
class ScriptFacts:
    """What about a script decides how time enters a poll."""

    script: ast.Script
    digest: str
    initial: tuple[int, ...]  # /initial minutes
    force: tuple[int, ...]  # /force hours
    allow: frozenset[int] | None  # hours of the first `times /allow`; None: any hour

    @staticmethod
    def of(body: bytes) -> "ScriptFacts":
        script = parse(body)
        initial, force, allow = set(), set(), None
        for line in script.lines:
            if isinstance(line, ast.Times):
                if line.initial is not None and line.initial.invalid is None:
                    initial.add(line.initial.parsed)
                if allow is None and line.allow is not None and line.allow.invalid is None:
                    allow = frozenset(hour.value for hour in line.allow.parsed)
            elif isinstance(line, ast.Scfg) and line.force is not None and line.force.invalid is None:
                force.add(line.force.parsed)
        return ScriptFacts(script, hashlib.sha256(body).hexdigest(), tuple(sorted(initial)),
                           tuple(sorted(force)), allow)

    def allowed_time(self, clock: datetime) -> datetime:
        """The first time at or after ``clock`` inside the /allow hours."""
        if not self.allow or clock.hour in self.allow:
            return clock
        step = min((hour - clock.hour) % 24 for hour in self.allow)
        return (clock + timedelta(hours=step)).replace(minute=0, second=0)


def describe(result: PollResult, *, detail: bool) -> dict:
    """A poll's result as the status pages show it."""
    summary = result.summary
    downloads = [{"kind": d.kind, "serial": d.serial, "status": d.status} for d in summary.downloads]
    # the size is not predictable: a backup holds the configuration, which polls do not report
    uploads = [{"status": u.status} for u in summary.uploads]
    if detail:
        for entry, d in zip(downloads, summary.downloads):
            entry.update(line=d.line, url=d.url)
        for entry, u in zip(uploads, summary.uploads):
            entry.update(line=u.line, url=u.url)
    restart = summary.restarts[-1].command if summary.restarts else None
    check = result.state.var("CHECK") if summary.check_committed else None
    # transfers in the order of the script's lines
    moves = []
    for d, info in zip(downloads, summary.downloads):
        failed = "" if 200 <= d["status"] < 300 else f" (fails: {d['status']})"
        moves.append((info.line, f"download {d['kind']} {d['serial']}{failed}"))
    for u, info in zip(uploads, summary.uploads):
        failed = "" if 200 <= u["status"] < 300 else f" (fails: {u['status']})"
        moves.append((info.line, f"backup{failed}"))
    parts = [text for _, text in sorted(moves, key=lambda move: move[0])]
    if restart:
        parts.append(f"restart ({restart})")
    if check:
        parts.append(f"commit check {check}")
    stopped = summary.stopped_by
    if stopped == "times":
        parts.append("waits for the /allow hours")
    elif stopped == "initial":
        parts.append("waits for /initial after boot")
    elif stopped == "fetch":
        parts.append(f"script not fetched ({summary.status})")
    elif stopped == "check" and not parts:
        parts.append(f"nothing: check {result.state.var('CHECK')} already applied")
    data = {
        "stopped_by": stopped,
        "stop_line": summary.stop_line,
        "downloads": downloads,
        "uploads": uploads,
        "restart": restart,
        "check": check,
        "changes": summary.changed or bool(summary.uploads),
        "errors": summary.errors,
        "text": "; ".join(parts) if parts else "nothing to do",
    }
    if detail:
        data["events"] = [event.to_dict() for event in result.events]
    return data


class Predictor:
    """Dry runs of served scripts, cached per (script version, reported state).

    Devices in the same situation share one cache entry: the key holds what
    a poll's course depends on (model, builds, serials, and of the clock only
    the hour when the script has /allow, the /initial bucket and whether each
    /force is due), not the device's identity, so cached entries carry no
    URLs.  Thread-safe.
    """

    def __init__(self, fetcher, options: InterpreterOptions = DEFAULT_OPTIONS) -> None:
        self.fetcher = fetcher
        self.options = options
        self._facts: dict[str, ScriptFacts] = {}
        self._cache: dict[tuple, dict] = {}
        self._born = time.monotonic()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def facts(self, body: bytes) -> ScriptFacts:
        digest = hashlib.sha256(body).hexdigest()
        facts = self._facts.get(digest)
        if facts is None:
            facts = ScriptFacts.of(body)
            with self._lock:
                if len(self._facts) > 256:
                    self._facts.clear()
                self._facts[digest] = facts
        return facts

    @staticmethod
    def _base(facts: ScriptFacts, state) -> tuple:
        """What a poll depends on apart from time (no identity: devices share it)."""
        values = tuple(pair for pair in state.vars if not pair[0].endswith("CFG-BACKUP-NUM"))
        return (facts.digest, state.model, state.firmware, state.boot, state.radio, values)

    @staticmethod
    def _timing(facts: ScriptFacts, state, clock: datetime, uptime_min: int) -> tuple:
        """What a poll depends on of the time: the hour (with /allow), the
        /initial bucket, whether each /force is due."""
        due = ()
        if facts.force:
            backup = next((when for name, when in state.stamps if name == "SCFG"), None)
            due = tuple(backup is None or (clock - backup).total_seconds() >= h * 3600 for h in facts.force)
        hour = clock.hour if facts.allow is not None else None
        return (hour, bisect_right(facts.initial, uptime_min) if facts.initial else 0, due)

    def _cached(self, key: tuple, compute) -> dict:
        with self._lock:
            if time.monotonic() - self._born > CACHE_SECONDS or len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
                self._born = time.monotonic()
            found = self._cache.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value

    def next_poll(self, facts: ScriptFacts, state, base: tuple | None = None) -> dict:
        """The next poll in short (no URLs, no events): for the devices list."""
        base = base or self._base(facts, state)
        key = ("next", base, self._timing(facts, state, state.clock, state.uptime_min))
        return self._cached(key, lambda: describe(self._run(facts, state, trace=False), detail=False))

    def in_goal(self, facts: ScriptFacts, state, base: tuple | None = None) -> bool:
        """Whether the script, run in full (inside its /allow hours, after
        /initial), would change nothing on the device: no download, no
        restart, no serial or configuration change."""
        clock = facts.allowed_time(state.clock)
        uptime = max(state.uptime_min, facts.initial[-1] + 1) if facts.initial else state.uptime_min
        base = base or self._base(facts, state)
        key = ("goal", base, self._timing(facts, state, clock, uptime))

        def compute() -> dict:
            goal_state = state.replace(clock=clock, uptime_min=uptime)
            summary = self._run(facts, goal_state, trace=False).summary
            return {"goal": summary.stopped_by not in ("fetch", "error") and not summary.changed}

        return self._cached(key, compute)["goal"]

    def predict(self, facts: ScriptFacts, state) -> tuple[dict, bool]:
        """(next poll, in goal) of one device of the list."""
        base = self._base(facts, state)
        return self.next_poll(facts, state, base), self.in_goal(facts, state, base)

    def next_polls(self, facts: ScriptFacts, state, count: int = 3) -> list[dict]:
        """The next ``count`` polls in full, for one device (not cached)."""
        found = []
        for number in range(count):
            result = self._run(facts, state, trace=True)
            entry = describe(result, detail=True)
            entry["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.clock.timestamp()))
            found.append(entry)
            state = advance(result.state, result.state.poll_minutes)
        return found

    def _run(self, facts: ScriptFacts, state, *, trace: bool) -> PollResult:
        return run_poll(state, self.fetcher, self.options, script=facts.script, trace=trace)


__all__ = ["DeviceError", "Predictor", "RootFetcher", "ScriptFacts", "describe", "local_time", "reported_state"]
