"""The lint gate: a script with error-level findings is not handed out.

A script is re-linted only when it changes on disk (size and modification
time first, then a content hash, so touching a file costs one read and no
lint).  When the current version has errors the last good version is served
instead; it is kept in memory and in the state folder, so a restart does not
forget it.  With no good version at all the gate answers "unavailable" and
the server replies 503: a device keeps running what it has, which is always
better than executing a broken script.

Scripts are linted as `innolint` lints them: with the configuration that
applies to the file (`.innolint.toml` or `[tool.innolint]` in pyproject.toml,
found by walking up from it), so rules the project ignores or re-grades do
not block, and the files its `cfg` lines load are found next to it.  The
gate blocks at error level, or at the configuration's `fail-level` when the
configuration sets one.  A configuration that cannot be read is logged and
the defaults are used.

Linting runs on the gate's own worker thread, one script at a time, never on
the threads that serve requests, and within limits: a script larger than
``max_size`` is withheld without being linted, and a request waits at most
``timeout`` seconds for a verdict.  Past that it gets what the gate would
serve while the script is being checked (the last good version, else 503);
the lint goes on and its verdict is used as soon as it is known.  Other
scripts, whose verdict is known, are served meanwhile without waiting.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from ..lint.config import ORIGIN_DEFAULT, ConfigError
from ..lint.diagnostic import Severity
from ..lint.session import Session
from ..lint.settings import Settings
from .storage import write_atomically

log = logging.getLogger("innoscript.server")

# file names that are update scripts (case-insensitive): the default names
# devices derive from their model, the `.upd` convention, and anything
# named like `update-<something>`
SCRIPT_PATTERNS = ("update-*.htm", "update-*.html", "update-*.txt", "*.upd", "update-*", "update.htm", "update.txt")


RACY_SECONDS = 2.0
MAX_SIZE = 256 * 1024  # bytes: real scripts are a few kilobytes
TIMEOUT = 10.0  # seconds a request waits for a verdict
MAX_QUEUE = 32  # contents waiting for the worker; beyond, a script is not queued (and asked again later)


def is_script(name: str, patterns: tuple[str, ...] = SCRIPT_PATTERNS) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return any(fnmatch.fnmatchcase(base, pattern) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class GateDecision:
    """What to answer for a script."""

    body: bytes | None  # None: nothing good to serve (503)
    stale: bool  # True: the file on disk is bad, this is the last good version
    reason: str  # the findings that blocked the current version, or ""
    digest: str  # sha256 of the body served ("" when none)


@dataclass(slots=True)
class _Entry:
    stat_key: tuple[int, int, int]  # (size, mtime_ns, inode)
    digest: str  # of the file on disk
    good: bytes | None
    good_digest: str
    reason: str


class LintGate:
    """Decides, per script path, which bytes may be served."""

    def __init__(self, state_dir: Path | None, settings: Settings | None = None, *,
                 max_size: int = MAX_SIZE, timeout: float = TIMEOUT) -> None:
        # Fixed settings for every script, or None: each script's configuration.
        self.settings = settings
        self._session = Session(cache=False)
        self.folder = state_dir / "gate" if state_dir else None
        self.max_size = max_size
        self.timeout = timeout
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        # (path, sha256) -> the verdict being computed: one lint per content
        self._pending: dict[tuple[str, str], Future[GateDecision]] = {}
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="lint-gate")

    def close(self) -> None:
        """Stop the worker (a lint in progress is not waited for)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def cached(self, relative: str, path: Path) -> GateDecision | None:
        """The decision without reading or linting, when the file has not
        changed since the last look (None: call ``decide``).  Cheap: one stat."""
        stat = path.stat()
        entry = self._entries.get(relative)
        if entry is None or entry.stat_key != (stat.st_size, stat.st_mtime_ns, stat.st_ino):
            return None
        if time.time() - stat.st_mtime < RACY_SECONDS:
            return None
        return self._decision(entry)

    @staticmethod
    def _decision(entry: _Entry) -> GateDecision:
        if entry.good is None:
            return GateDecision(None, False, entry.reason, "")
        return GateDecision(entry.good, entry.digest != entry.good_digest, entry.reason, entry.good_digest)

    def decide(self, relative: str, path: Path) -> GateDecision:
        """Blocking (reads, waits up to ``timeout`` for a lint): call it off the event loop."""
        verdict = self.check(relative, path)
        if isinstance(verdict, GateDecision):
            return verdict
        try:
            return verdict.result(self.timeout)
        except FutureTimeout:
            return self.while_linting(relative)

    def check(self, relative: str, path: Path) -> "GateDecision | Future[GateDecision]":
        """The decision when it is known, else a future of it (the new content
        is queued for the worker).  Blocking but short: a stat, a read of at
        most ``max_size`` bytes and a hash."""
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        # a file modified within the clock's granularity may change again
        # without its size or time changing: trust the stat only once it is old
        racy = time.time() - stat.st_mtime < RACY_SECONDS
        with self._lock:
            entry = self._entries.get(relative)
            if entry is not None and entry.stat_key == key and not racy:
                return self._decision(entry)
        with path.open("rb") as handle:
            data = handle.read(self.max_size + 1)
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            old = self._entries.get(relative)
            if old is None:
                good, good_digest = self._load_good(relative)
            else:
                good, good_digest = old.good, old.good_digest
            if old is not None and digest == old.digest:
                entry = _Entry(key, digest, good, good_digest, old.reason)  # same bytes, same verdict
            elif digest == good_digest:
                entry = _Entry(key, digest, good, good_digest, "")
            elif len(data) > self.max_size:
                reason = f"larger than {self.max_size} bytes, not linted (--gate-max-size)"
                if old is None or old.reason != reason:
                    log.warning("lint gate: %s is %s", relative, reason)
                entry = _Entry(key, digest, good, good_digest, reason)
            else:
                pending = self._pending.get((relative, digest))
                if pending is None and len(self._pending) >= MAX_QUEUE:
                    # many new scripts at once (or one rewritten again and
                    # again): the worker's backlog stays bounded
                    log.warning("lint gate: %d scripts waiting to be linted, %s not queued", MAX_QUEUE, relative)
                    if good is None:
                        return GateDecision(None, False, "being linted", "")
                    return GateDecision(good, True, "new version being linted", good_digest)
                if pending is None:
                    pending = self._worker.submit(self._lint, relative, path, data, digest, key)
                    self._pending[(relative, digest)] = pending
                if old is None:
                    # a first look: what to serve while the verdict is not known
                    self._entries[relative] = _Entry((-1, -1, -1), "", good, good_digest, "")
                return pending
            self._entries[relative] = entry
            return self._decision(entry)

    def while_linting(self, relative: str) -> GateDecision:
        """What is served while a new version is still being linted: the last
        good version, else nothing."""
        with self._lock:
            entry = self._entries.get(relative)
        good = entry.good if entry is not None else None
        if good is None:
            return GateDecision(None, False, "being linted", "")
        return GateDecision(good, True, "new version being linted", entry.good_digest)  # type: ignore[union-attr]

    def _lint(self, relative: str, path: Path, data: bytes, digest: str, key: tuple[int, int, int]) -> GateDecision:
        """On the worker: lint one content and record the verdict."""
        try:
            reason = self._errors(relative, path, data)
        except Exception as exc:  # a bug in a rule must not leave the path pending for ever
            log.error("lint gate: linting %s failed: %s", relative, exc)
            reason = f"lint failed: {exc}"
        with self._lock:
            self._pending.pop((relative, digest), None)
            old = self._entries.get(relative)
            good, good_digest = (old.good, old.good_digest) if old is not None else self._load_good(relative)
            if reason:
                served = "last good version" if good is not None else "nothing (503)"
                log.warning("lint gate: %s has errors, serving %s: %s", relative, served, reason)
                entry = _Entry(key, digest, good, good_digest, reason)
            else:
                if old is not None and old.reason:
                    log.info("lint gate: %s is clean again", relative)
                self._save_good(relative, data, digest)
                entry = _Entry(key, digest, data, digest, "")
            self._entries[relative] = entry
            return self._decision(entry)

    def policy(self, path: Path) -> tuple[Settings, Severity]:
        """The settings a script is linted with, and the lowest severity that blocks it."""
        if self.settings is not None:
            return self.settings, Severity.ERROR
        try:
            resolved = self._session.resolved(str(path))
        except ConfigError as exc:
            log.warning("lint gate: %s; linting %s with the default settings", exc, path)
            return Settings(), Severity.ERROR
        configured = resolved.provenance.get("fail-level", ORIGIN_DEFAULT) != ORIGIN_DEFAULT
        return resolved.settings, resolved.settings.fail_level if configured else Severity.ERROR

    def _errors(self, relative: str, path: Path, data: bytes) -> str:
        settings, level = self.policy(path)
        result = self._session.lint_file(data, str(path), settings)
        errors = result.failing(level)
        if not errors:
            return ""
        first = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{first.code} line {first.span.line}: {first.message}{more}"

    # The last good version survives restarts: a file per script, named by a
    # hash of its path so that any path maps to one flat, safe file name.
    def _state_file(self, relative: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / hashlib.sha256(relative.encode("utf-8")).hexdigest()

    def _load_good(self, relative: str) -> tuple[bytes | None, str]:
        base = self._state_file(relative)
        if base is None:
            return None, ""
        try:
            meta = json.loads(base.with_suffix(".json").read_text("utf-8"))
            data = base.with_suffix(".good").read_bytes()
        except (OSError, ValueError):
            return None, ""
        digest = hashlib.sha256(data).hexdigest()
        if meta.get("path") != relative or meta.get("sha256") != digest:
            return None, ""  # half-written state: better none than a wrong one
        return data, digest

    def _save_good(self, relative: str, data: bytes, digest: str) -> None:
        base = self._state_file(relative)
        if base is None:
            return
        try:
            write_atomically(base.with_suffix(".good"), data)
            meta = {"path": relative, "sha256": digest}
            write_atomically(base.with_suffix(".json"), json.dumps(meta).encode("utf-8"))
        except OSError as exc:
            log.error("lint gate: cannot keep the good version of %s: %s", relative, exc)

    def status(self) -> list[dict]:
        """Per-script gate state, for the status page."""
        with self._lock:
            return [
                {"path": rel, "blocked": bool(e.reason), "reason": e.reason, "serving": e.good_digest or None}
                for rel, e in sorted(self._entries.items())
            ]
