"""Linting files through a content cache.

A file's findings depend on its bytes, its name (the device model is read
from `update-<model>.htm`, payloads are found next to it), the resolved
settings, and the linter itself (version and rule set).  All of these make
the key; a hit returns the findings without parsing.  A script whose `cfg`
lines load local files also records those files' hashes: when one changes,
the script is linted again (its UPD-068 note counts their findings).

The cache is one file per linter build in the cache folder (default
`.innolint_cache/` next to the nearest configuration file, else in the
current folder), read once and written once per run, atomically.  It holds
plain tuples of strings and numbers in ``marshal`` format: one C call loads
all entries, where JSON cost a parse per file.  Not pickle: the folder may sit
in a shared checkout, and loading pickle can run code; marshal only builds
values, and every value read is checked before use, so a damaged or foreign
file is a miss, never an error.

The pipeline that reads, lints and fixes files through this cache is
pipeline.py.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import lru_cache, partial
from pathlib import Path

from .. import __version__
from ..source import Source, Span
from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .settings import Settings

CACHE_DIR_NAME = ".innolint_cache"
FORMAT = 3
MAGIC = b"innolint results %d\n" % FORMAT
DIGEST = 16  # bytes of BLAKE2b over the rest of the file


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


# -- diagnostics as plain tuples ------------------------------------------------------


_SEVERITIES = {int(level): level for level in Severity}
_new_span = partial(tuple.__new__, Span)  # a Span from a tuple, without NamedTuple's argument parsing


def diagnostic_to_data(d: Diagnostic) -> tuple:
    """A diagnostic as a tuple of plain values (its path and rule name are stored once, elsewhere)."""
    fix = None
    if d.fix is not None:
        fix = (d.fix.message, d.fix.safe, tuple([(tuple(e.span), e.text) for e in d.fix.edits]))
    related = tuple([(tuple(r.span), r.message, r.path) for r in d.related])
    return (d.code, int(d.severity), d.message, tuple(d.span), fix, related, d.unnecessary)


def diagnostic_from_data(data, path: str, names: dict[str, str]) -> Diagnostic:
    """The diagnostic back from ``diagnostic_to_data``; raises on anything else."""
    code, severity, message, span, fix, related, unnecessary = data
    if fix is not None:
        fix = Fix(fix[0], tuple([Edit(_span(e[0]), e[1]) for e in fix[2]]), fix[1])
    if related:
        related = tuple([Related(_span(r[0]), r[1], r[2]) for r in related])
    if not (type(code) is str and type(message) is str and type(unnecessary) is bool):
        raise ValueError("not a cached diagnostic")
    return Diagnostic(code, names.get(code, ""), _SEVERITIES[severity], message, path, _span(span), fix,
                      related, unnecessary)


def _span(data) -> Span:
    if len(data) != 6:
        raise ValueError("not a span")
    return _new_span(data)


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
    """Findings per file, keyed by content; one marshal file per linter build.

    ``entries`` maps a file's absolute path to ``(key, diagnostics, deps)``,
    all plain tuples (``diagnostic_to_data``).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, f"results-{linter_fingerprint()}.bin")
        self.entries: dict[str, tuple] = {}
        self.names: dict[str, str] = {}  # rule code -> name
        self.dirty = False
        self.hits = 0
        self.misses = 0
        self._shared: dict[str, str] = {}
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
            digest, body = data[len(MAGIC) : len(MAGIC) + DIGEST], memoryview(data)[len(MAGIC) + DIGEST :]
            # The digest turns a cut or damaged file into a miss before any value of it is used.
            if data.startswith(MAGIC) and hashlib.blake2b(body, digest_size=DIGEST).digest() == digest:
                names, entries = marshal.loads(body)
                if type(names) is dict and type(entries) is dict:
                    self.entries, self.names = entries, names
        except (OSError, ValueError, EOFError, TypeError):
            pass  # no cache yet, or a damaged one: start over

    def get(self, path: str, key: str) -> dict | None:
        entry = self.entries.get(os.path.abspath(path))
        if type(entry) is not tuple or len(entry) != 3 or entry[0] != key or type(entry[1]) is not tuple:
            self.misses += 1
            return None
        deps = entry[2]
        try:
            for dep_path, dep_hash in deps:
                if file_hash(dep_path) != dep_hash:
                    self.misses += 1
                    return None
        except (TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return {"key": key, "diagnostics": entry[1], "deps": deps}

    def put(self, path: str, key: str, diagnostics: list, deps: list[tuple[str, str | None]]) -> None:
        for d in diagnostics:
            self.names.setdefault(d.code, d.name)
        shared = self._shared
        rows = []
        for d in diagnostics:
            row = diagnostic_to_data(d)
            # The same message in many files is stored (and loaded) once: marshal writes
            # a reference for an object it has already written.
            rows.append((shared.setdefault(row[0], row[0]), row[1], shared.setdefault(row[2], row[2]), *row[3:]))
        rows = tuple(rows)
        self.entries[os.path.abspath(path)] = (key, rows, tuple([tuple(d) for d in deps]))
        self.dirty = True

    def diagnostics(self, entry: dict, path: str) -> tuple[Diagnostic, ...] | None:
        """The entry's diagnostics, or None when they cannot be read (treat it as a miss)."""
        names = self.names if type(self.names) is dict else {}
        try:
            return tuple([diagnostic_from_data(d, path, names) for d in entry["diagnostics"]])
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            self.hits -= 1
            self.misses += 1
            return None

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
            for old in os.listdir(self.folder):  # caches of other linter builds and formats
                if old.startswith("results-") and os.path.join(self.folder, old) != self.path:
                    try:
                        os.remove(os.path.join(self.folder, old))
                    except OSError:
                        pass
            handle, temporary = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=self.folder)
            body = marshal.dumps((self.names, self.entries))
            with os.fdopen(handle, "wb") as stream:
                stream.write(MAGIC)
                stream.write(hashlib.blake2b(body, digest_size=DIGEST).digest())
                stream.write(body)
            os.replace(temporary, self.path)
            self.dirty = False
        except (OSError, ValueError):
            pass
