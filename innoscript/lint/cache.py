"""Linting files through a content cache.

A file's findings depend on its bytes, its name (the device model is read
from `update-<model>.htm`, payloads are found next to it), the resolved
settings, and the linter itself (version and rule set).  All of these make
the key; a hit returns the findings without parsing.  A script whose `cfg`
lines load local files also records those files' hashes: when one changes,
the script is linted again (its UPD-068 note counts their findings).

The cache is one JSON file per linter build in the cache folder (default
`.innolint_cache/` next to the nearest configuration file, else in the
current folder), read once and written once per run, atomically.  JSON, not
pickle: the folder may sit in a shared checkout, and reading it must never
run code.

The pipeline that reads, lints and fixes files through this cache is
pipeline.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache, partial
from pathlib import Path

from .. import __version__
from ..source import Source, Span
from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .settings import Settings

CACHE_DIR_NAME = ".innolint_cache"
FORMAT = 2


# -- what the linter is -----------------------------------------------------------


@lru_cache(maxsize=1)
def linter_fingerprint() -> str:
    """Version and the linter's own files (rules included): any change empties the cache.

    File sizes and times, not the registered rules: a cache hit then needs
    no rule module imported at all.
    """
    digest = hashlib.sha256(f"innoscript {__version__} cache {FORMAT}\n".encode())
    package = Path(__file__).resolve().parent.parent
    for folder in ("lint", "lint/rules", "syntax", "device", "fleet"):
        base = package / folder
        if base.is_dir():
            for path in sorted(base.glob("*.py")):
                stat = path.stat()
                digest.update(f"{folder}/{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    for name in ("catalog.py", "values.py", "source.py", "gcpause.py", "grammar/innoscript.lark"):
        path = package / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def content_key(path: str, data: bytes, settings: Settings) -> str:
    from .config import settings_fingerprint

    digest = hashlib.sha256()
    # The name as shown too: messages quote paths relative to the working folder.
    for name in (os.path.abspath(path), path):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(settings_fingerprint(settings).encode() + b"\0")
    if settings.simulate and settings.fleet:
        # The fleet's findings depend on the fleet file's content, not just its name.
        digest.update((file_hash(settings.fleet) or "-").encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


# -- diagnostics as JSON ------------------------------------------------------------


_SEVERITIES = {int(level): level for level in Severity}
_new_span = partial(tuple.__new__, Span)  # a Span from a list, without NamedTuple's argument parsing


def diagnostic_to_data(d: Diagnostic) -> list:
    """A diagnostic as JSON lists (its path and rule name are stored once, elsewhere)."""
    fix = None
    if d.fix is not None:
        fix = [d.fix.message, d.fix.safe, [[list(e.span), e.text] for e in d.fix.edits]]
    data = [d.code, int(d.severity), d.message, list(d.span), fix]
    if d.related or d.unnecessary:
        data += [[[list(r.span), r.message, r.path] for r in d.related], d.unnecessary]
    return data


def diagnostic_from_data(data: list, path: str, names: dict[str, str]) -> Diagnostic:
    code, severity, message, span, fix = data[:5]
    if fix is not None:
        fix = Fix(fix[0], tuple([Edit(_new_span(e[0]), e[1]) for e in fix[2]]), fix[1])
    related: tuple = ()
    unnecessary = False
    if len(data) > 5:
        related = tuple([Related(_new_span(r[0]), r[1], r[2]) for r in data[5]])
        unnecessary = data[6]
    return Diagnostic(code, names.get(code, ""), _SEVERITIES[severity], message, path, _new_span(span), fix,
                      related, unnecessary)


class CachedSource(Source):
    """A Source whose text and line index are built on first use.

    A cache hit printed in a one-line-per-finding format never looks at the
    text; splitting two thousand files into lines would cost more than the
    rest of a warm run.
    """

    def __init__(self, data: bytes, path: str) -> None:  # noqa: D107 - no super(): that is the point
        self._data = data
        self.path = path

    def __getattr__(self, name: str):
        # Called only for attributes not yet set: build the real Source once.
        if name.startswith("__") or "_data" not in self.__dict__:
            raise AttributeError(name)
        data = self.__dict__.pop("_data")
        real = Source.from_bytes(data, self.path)
        self.__dict__.update(real.__dict__)
        return getattr(self, name)


# -- the store --------------------------------------------------------------------


def default_cache_dir(cwd: str | None = None) -> str:
    """`.innolint_cache/` next to the nearest configuration file, else in ``cwd``."""
    from .config import find_config

    cwd = cwd or os.getcwd()
    config = find_config(cwd)
    return os.path.join(config.root if config else cwd, CACHE_DIR_NAME)


class ResultCache:
    """Findings per file, keyed by content; one JSON file per linter build.

    Each file's entry is kept as a JSON string and decoded only when that
    file is linted, so a run over a few files does not pay for all others.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, f"results-{linter_fingerprint()}.json")
        self.entries: dict[str, str] = {}
        self.names: dict[str, str] = {}  # rule code -> name
        self.dirty = False
        self.hits = 0
        self.misses = 0
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.entries = data["files"]
                self.names = data["names"]
        except (OSError, ValueError, KeyError):
            self.entries, self.names = {}, {}  # no cache yet, or a damaged one: start over

    def get(self, path: str, key: str) -> dict | None:
        raw = self.entries.get(os.path.abspath(path))
        entry = None
        if raw is not None:
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
        if not isinstance(entry, dict) or entry.get("key") != key:
            self.misses += 1
            return None
        for dep_path, dep_hash in entry.get("deps", ()):
            if file_hash(dep_path) != dep_hash:
                self.misses += 1
                return None
        self.hits += 1
        return entry

    def put(self, path: str, key: str, diagnostics: list, deps: list[tuple[str, str | None]]) -> None:
        for d in diagnostics:
            self.names.setdefault(d.code, d.name)
        entry = {"key": key, "diagnostics": [diagnostic_to_data(d) for d in diagnostics], "deps": [list(d) for d in deps]}
        self.entries[os.path.abspath(path)] = json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
        self.dirty = True

    def diagnostics(self, entry: dict, path: str) -> tuple[Diagnostic, ...]:
        names = self.names
        return tuple([diagnostic_from_data(d, path, names) for d in entry["diagnostics"]])

    def save(self) -> None:
        """Write the cache (atomically); a read-only place is not an error."""
        if not self.dirty:
            return
        try:
            os.makedirs(self.folder, exist_ok=True)
            marker = os.path.join(self.folder, ".gitignore")
            if not os.path.exists(marker):
                with open(marker, "w", encoding="utf-8") as handle:
                    handle.write("# created by innolint\n*\n")
            for old in os.listdir(self.folder):  # caches of other linter builds
                if old.startswith("results-") and old.endswith(".json") and os.path.join(self.folder, old) != self.path:
                    try:
                        os.remove(os.path.join(self.folder, old))
                    except OSError:
                        pass
            handle, temporary = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=self.folder)
            # dumps, not dump: only dumps uses the C encoder (ten times faster here).
            text = json.dumps({"format": FORMAT, "names": self.names, "files": self.entries}, separators=(",", ":"))
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.path)
            self.dirty = False
        except OSError:
            pass
