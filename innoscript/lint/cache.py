"""Linting files through a content cache.

A file's findings depend on its bytes, its name (the device model is read
from `update-<model>.htm`, payloads are found next to it), the resolved
settings, and the linter itself (version, rules and output formats).  All of
these make the key; a hit returns the findings without parsing.  A script
whose `cfg` lines load local files also records those files' hashes: when one
changes, the script is linted again (its UPD-068 note counts their findings).

The cache is one file per linter build in the cache folder (default
`.innolint_cache/` next to the nearest configuration file, else in the
current folder), written once per run, atomically.  It holds plain values in
``marshal`` format: one C call loads a whole part, where JSON cost a parse
per file.  Not pickle: the folder may sit in a shared checkout, and loading
pickle can run code; marshal only builds values, a CRC-32 per part turns a
cut or damaged file into a miss, and every value is checked before use, so a
foreign file is a miss, never an error.

The file is in parts, each read only when needed (``ResultCache``):

- the index: per file its key, payloads, and counts per severity and of
  fixes (summary lines and exit status need no more);
- per format printed file by file (``full`` plain and in colour,
  ``concise``, ``gcc``, ``github``, ``json``, ``json-lines``, ``sarif``,
  ``junit``: see report.BLOCK_FORMATS) the file's findings printed in it, for the
  formats runs have asked for (SARIF's results compressed, with the rule
  indexes and URIs a run puts in left out);
- the findings as plain tuples, read when a diagnostic is asked for (other
  formats, baselines, statistics).

A warm run in such a format so builds no Diagnostic at all: 2,000 files with
70,000 findings print from 2,000 stored strings.

The pipeline that reads, lints and fixes files through this cache is
pipeline.py.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zlib
from functools import lru_cache, partial

from .. import __version__
from ..source import Source, Span
from .diagnostic import Diagnostic, Edit, Fix, Related, Severity
from .result import FileResult, tally
from .settings import Settings

CACHE_DIR_NAME = ".innolint_cache"
FORMAT = 4
MAGIC = b"innolint results %d\n" % FORMAT

# The linter's own files: any change to them empties the cache (see linter_fingerprint).
LINTER_FOLDERS = ("lint", "lint/rules", "lint/report", "syntax", "device", "fleet")
LINTER_FILES = ("catalog.py", "values.py", "source.py", "gcpause.py", "jsontext.py", "lazyregex.py", "records.py",
                "urlmap.py", "grammar/innoscript.lark")


# -- what the linter is -----------------------------------------------------------


@lru_cache(maxsize=1)
def linter_fingerprint() -> str:
    """Version and the linter's own files (rules and output formats included).

    File sizes and times, not the registered rules: a cache hit then needs
    no rule module imported at all.
    """
    digest = hashlib.sha256(f"innoscript {__version__} cache {FORMAT}\n".encode())
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for folder in LINTER_FOLDERS:
        try:
            names = sorted(name for name in os.listdir(os.path.join(package, folder)) if name.endswith(".py"))
        except OSError:
            continue
        for name in names:
            stat = os.stat(os.path.join(package, folder, name))
            digest.update(f"{folder}/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    for name in LINTER_FILES:
        try:
            stat = os.stat(os.path.join(package, name))
        except OSError:
            continue
        digest.update(f"{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


# Settings text per Settings object: the resolver hands the same object to every
# file under one configuration, and building the text costs more than hashing a file.
_fingerprints: dict[int, tuple[Settings, bytes]] = {}


def _settings_text(settings: Settings) -> bytes:
    known = _fingerprints.get(id(settings))
    if known is None or known[0] is not settings:
        from .config import settings_fingerprint

        text = settings_fingerprint(settings).encode() + b"\0"
        if settings.simulate and settings.fleet:
            # The fleet's findings depend on the fleet file's content, not just its name.
            text += (file_hash(settings.fleet) or "-").encode() + b"\0"
        if len(_fingerprints) > 64:  # a long `--watch`: each run resolves new settings
            _fingerprints.clear()
        known = _fingerprints[id(settings)] = (settings, text)  # the object is kept: its id stays unique
    return known[1]


def content_key(path: str, data: bytes, settings: Settings, absolute: str | None = None) -> str:
    """The key of a file's findings; ``absolute`` is ``os.path.abspath(path)`` when known."""
    # The name as shown too: messages quote paths relative to the working folder.
    names = (absolute or os.path.abspath(path)) + "\0" + path + "\0"
    digest = hashlib.sha256(names.encode("utf-8", "surrogateescape"))
    digest.update(_settings_text(settings))
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
_new_diagnostic = partial(tuple.__new__, Diagnostic)


def diagnostic_to_data(d: Diagnostic) -> tuple:
    """A diagnostic as a tuple of plain values (its path and rule name are stored once, elsewhere)."""
    return data_rows((d,))[0]


def data_rows(diagnostics, texts: dict[str, str] | None = None) -> tuple:
    """``diagnostic_to_data`` of each diagnostic, in one loop: a large run stores tens of thousands.

    ``texts`` keeps each code and message once: the same message in many
    files is then stored (and loaded) once, as marshal writes a reference
    for an object it has written already.
    """
    keep = texts.setdefault if texts is not None else None
    stored = []
    add = stored.append
    for d in diagnostics:
        code, _, severity, message, _, span, fix, related, unnecessary = d
        if keep is not None:
            code, message = keep(code, code), keep(message, message)
        if fix is not None:
            edits = fix.edits
            if len(edits) == 1:
                edit_span, text = edits[0]
                edits = ((tuple(edit_span), text),)
            else:
                edits = tuple([(tuple(e.span), e.text) for e in edits])
            fix = (fix.message, fix.safe, edits)
        if related:
            related = tuple([(tuple(r.span), r.message, r.path) for r in related])
        add((code, int(severity), message, tuple(span), fix, related, unnecessary))
    return tuple(stored)


def diagnostic_from_data(data, path: str, names: dict[str, str]) -> Diagnostic:
    """The diagnostic back from ``diagnostic_to_data``; raises on anything else."""
    code, severity, message, span, fix, related, unnecessary = data
    if fix is not None:
        fix = Fix(fix[0], tuple([Edit(_span(e[0]), e[1]) for e in fix[2]]), fix[1])
    if related:
        related = tuple([Related(_span(r[0]), r[1], r[2]) for r in related])
    if not (type(code) is str and type(message) is str and type(unnecessary) is bool and type(related) is tuple):
        raise ValueError("not a cached diagnostic")
    return _new_diagnostic((code, names.get(code, ""), _SEVERITIES[severity], message, path, _span(span), fix,
                            related, unnecessary))


def _span(data) -> Span:
    if type(data) is not tuple or len(data) != 6:
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


class CachedResult(FileResult):
    """A cache hit: counts and printed text from the cache, diagnostics built when asked for.

    Findings that cannot be read back (a damaged part, or the file replaced
    by another run meanwhile) are linted again from the file's bytes: a bad
    entry costs time, never a wrong answer.
    """

    __slots__ = ("_cache", "_absolute", "_entry", "_data", "_settings")

    def __init__(self, cache: ResultCache, path: str, absolute: str, entry: tuple, data: bytes, settings: Settings) -> None:
        super().__init__(path, CachedSource(data, path), None, from_cache=True)  # type: ignore[arg-type]
        self._cache = cache
        self._absolute = absolute
        self._entry = entry  # as ResultCache.get returns it
        self._data = data
        self._settings = settings

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self._diagnostics is None:
            names = self._cache.names
            try:
                rows = self._cache.rows(self._absolute, self._entry)
                self._diagnostics = tuple([diagnostic_from_data(row, self.path, names) for row in rows])
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                from ..syntax import parse
                from .engine import lint_script

                source = Source.from_bytes(self._data, self.path)
                self._diagnostics = tuple(lint_script(parse(source), self._settings))
                # Same key, same payloads: the entry as it should have been (saved if the run saves).
                self._cache.put(self.path, self._entry[0], self._diagnostics, self._entry[1], absolute=self._absolute)
        return self._diagnostics

    def tally(self) -> tuple[int, ...]:
        return self._entry[2]

    def printed(self, format_name: str) -> str | bytes | None:
        return self._cache.printed(self._absolute, self._entry, format_name)

    @property
    def deps(self) -> list[str]:
        """The payload files the script loads (their paths)."""
        return [dep[0] for dep in self._entry[1]]


# -- the store --------------------------------------------------------------------


def default_cache_dir(cwd: str | None = None) -> str:
    """`.innolint_cache/` next to the nearest configuration file, else in ``cwd``."""
    from .config import find_config

    cwd = cwd or os.getcwd()
    config = find_config(cwd)
    return os.path.join(config.root if config else cwd, CACHE_DIR_NAME)


def _entry(value) -> bool:
    """An index entry of the right shape: (key, deps, tally); deps are checked where they are used."""
    if type(value) is not tuple or len(value) != 3 or type(value[0]) is not str or type(value[1]) is not tuple:
        return False
    counts = value[2]
    return type(counts) is tuple and len(counts) == 6 and not [n for n in counts if type(n) is not int or n < 0]


INDEX = "index"
ROWS = "findings"
PRINTED = "printed "  # + format name
# Formats whose kept text is bytes: SARIF's is compressed (see report/sarif.py).
KEPT_AS_BYTES = frozenset({"sarif"})


# The longest text a file's findings are kept printed in (characters, or bytes
# for KEPT_AS_BYTES).  A generated script's 100,000 findings are 50 MB of JSON:
# kept, its run would hold the text twice more while the cache is written,
# and read it back whole.  Such a file is printed from its findings instead.
MOST_KEPT_TEXT = 16 << 20


def _kept(text: str | bytes | None) -> bool:
    """Is a file's printed text kept?  (None: the format prints the file from its findings.)"""
    return text is not None and len(text) <= MOST_KEPT_TEXT


class ResultCache:
    """Findings per file, keyed by content; one marshal file per linter build.

    The file is ``MAGIC``, the CRC-32 and length of the table of parts, the
    table (part name -> offset after the table, length, CRC-32), and the
    parts:

    - ``index``: ``(names, entries)``, ``names`` rule code -> rule name,
      ``entries`` a file's absolute path -> ``(key, deps, tally)``: ``deps``
      the payload files as ``(path, hash)`` pairs, ``tally``
      FileResult.tally;
    - ``findings``: absolute path -> the file's ``diagnostic_to_data`` tuples;
    - ``printed FORMAT``: absolute path -> ``(key, text)``, the file's
      findings printed in that format (bytes for ``KEPT_AS_BYTES``).

    Only the index is read when the cache is opened; a part is read when
    first used, from the same file (a run that replaced it meanwhile makes
    it unreadable: a miss).  Saving writes every part: the index, the
    findings and the printed text in use this run anew, the others copied.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, f"results-{linter_fingerprint()}.bin")
        self.entries: dict[str, tuple] = {}
        self.names: dict[str, str] = {}  # rule code -> name
        self.dirty = False
        self.hits = 0
        self.misses = 0
        self._table: dict = {}  # part name -> (offset from the table's end, length, CRC-32), as read
        self._base = 0  # where the parts start
        self._stamp: tuple | None = None  # the file read: (inode, size, mtime)
        self._rows: dict[str, tuple] | None = None  # read on first use
        self._printed: dict[str, dict[str, tuple]] = {}  # format name -> part, read on first use
        self._texts: dict[str, str] = {}  # codes and messages of new findings, each kept once
        self._hashes: dict[str, str | None] = {}  # payload file -> content hash, this run
        try:
            with open(self.path, "rb") as handle:
                stamp = os.fstat(handle.fileno())
                head = handle.read(len(MAGIC) + 8)
                if not head.startswith(MAGIC):
                    return
                check, length = int.from_bytes(head[-8:-4], "big"), int.from_bytes(head[-4:], "big")
                table_data = handle.read(length)
                # The checks turn a cut or damaged file into a miss before any value of it is used.
                if len(table_data) != length or zlib.crc32(table_data) != check:
                    return
                table = marshal.loads(table_data)
                if type(table) is not dict:
                    return
                self._table, self._base = table, len(MAGIC) + 8 + length
                self._stamp = (stamp.st_ino, stamp.st_size, stamp.st_mtime_ns)
                index = self._read(handle, INDEX)
            if type(index) is tuple and len(index) == 2 and type(index[0]) is dict and type(index[1]) is dict:
                self.names, self.entries = index
        except (OSError, ValueError, EOFError, TypeError):
            pass  # no cache yet, or a damaged one: start over

    def _read(self, handle, name: str, raw: bool = False):
        """A part's value (its checked bytes when ``raw``), or None when it is missing or damaged."""
        try:
            offset, length, check = self._table[name]
            handle.seek(self._base + offset)
            data = handle.read(length)
            if len(data) != length or zlib.crc32(data) != check:
                return None
            return data if raw else marshal.loads(data)
        except (KeyError, TypeError, ValueError, EOFError, OSError):
            return None

    def _part(self, name: str, raw: bool = False):
        """A part read later than the index: from the same file, or None."""
        if name not in self._table:
            return None
        try:
            with open(self.path, "rb") as handle:
                stamp = os.fstat(handle.fileno())
                if (stamp.st_ino, stamp.st_size, stamp.st_mtime_ns) != self._stamp:
                    return None  # replaced by another run: its parts go with another index
                return self._read(handle, name, raw)
        except OSError:
            return None

    # -- per file

    def get(self, path: str, key: str, absolute: str | None = None) -> tuple | None:
        """The entry for ``path`` when it holds findings for ``key`` and its payloads are unchanged."""
        entry = self.entries.get(absolute or os.path.abspath(path))
        if not _entry(entry) or entry[0] != key:
            self.misses += 1
            return None
        try:
            for dep_path, dep_hash in entry[1]:
                if self._hash(dep_path) != dep_hash:
                    self.misses += 1
                    return None
        except (TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def _hash(self, path: str) -> str | None:
        # Many scripts load the same payload: read it once per run.
        if path not in self._hashes:
            self._hashes[path] = file_hash(path)
        return self._hashes[path]

    def result(self, path: str, data: bytes, settings: Settings, entry: tuple, absolute: str | None = None) -> CachedResult:
        """The FileResult of a hit (``entry`` from ``get``)."""
        return CachedResult(self, path, absolute or os.path.abspath(path), entry, data, settings)

    def rows(self, absolute: str, entry: tuple) -> tuple:
        """The stored findings of a hit (``diagnostic_to_data`` tuples); KeyError when there are none."""
        if self.entries.get(absolute) is not entry:
            raise KeyError(absolute)  # replaced since: its findings are others
        return self._all_rows()[absolute]

    def printed(self, absolute: str, entry: tuple, format_name: str) -> str | bytes | None:
        """A hit's findings printed in ``format_name``, when the cache has them."""
        stored = self._printed_part(format_name).get(absolute)
        kind = bytes if format_name in KEPT_AS_BYTES else str
        if type(stored) is tuple and len(stored) == 2 and stored[0] == entry[0] and type(stored[1]) is kind:
            return stored[1]
        return None

    def put(self, path: str, key: str, diagnostics, deps: list[tuple[str, str | None]],
            printed: dict | None = None, absolute: str | None = None) -> None:
        """Keep a file's findings (and their text in the formats of ``printed``, as report.block gives it)."""
        names = self.names
        for d in diagnostics:
            if d.code not in names:
                names[d.code] = d.name
        self._keep(path, key, data_rows(diagnostics, self._texts), deps, tally(diagnostics), printed, absolute)

    def put_rows(self, path: str, key: str, rows: tuple, deps: list[tuple[str, str | None]], counts: tuple,
                 printed: dict[str, str] | None = None, names: dict[str, str] | None = None) -> None:
        """``put`` for findings given as ``data_rows`` already (a worker process made them), with
        their ``tally`` and the rule names of their codes."""
        for code, name in (names or {}).items():
            self.names.setdefault(code, name)
        keep = self._texts.setdefault  # each code and message kept once, as ``put`` keeps them
        rows = tuple([(keep(code, code), severity, keep(message, message), span, fix, related, unnecessary)
                      for code, severity, message, span, fix, related, unnecessary in rows])
        self._keep(path, key, rows, deps, counts, printed, None)

    def _keep(self, path: str, key: str, rows: tuple, deps: list, counts: tuple, printed: dict[str, str] | None,
              absolute: str | None) -> None:
        absolute = absolute or os.path.abspath(path)
        self._all_rows()[absolute] = rows
        self.entries[absolute] = (key, tuple([tuple(d) for d in deps]), counts)
        for format_name, text in (printed or {}).items():
            if _kept(text):
                self._printed_part(format_name)[absolute] = (key, text)
        self.dirty = True

    def add_printed(self, path: str, format_name: str, text: str | bytes | None, absolute: str | None = None) -> None:
        """Keep a hit's findings printed in one more format (None: printed from its findings, nothing kept)."""
        if not _kept(text):
            return
        absolute = absolute or os.path.abspath(path)
        self._printed_part(format_name)[absolute] = (self.entries[absolute][0], text)
        self.dirty = True

    def _all_rows(self) -> dict[str, tuple]:
        if self._rows is None:
            rows = self._part(ROWS)
            self._rows = rows if type(rows) is dict else {}
        return self._rows

    def _printed_part(self, format_name: str) -> dict[str, tuple]:
        part = self._printed.get(format_name)
        if part is None:
            part = self._part(PRINTED + format_name)
            part = self._printed[format_name] = part if type(part) is dict else {}
        return part

    # -- the file

    def save(self) -> None:
        """Write the cache (atomically); a read-only place is not an error."""
        if not self.dirty:
            return
        import tempfile

        rows = self._all_rows()
        # An entry whose findings were lost (a damaged part) is dropped: a miss next time.
        entries = {path: entry for path, entry in self.entries.items() if path in rows}
        parts = {INDEX: (self.names, entries), ROWS: {path: rows[path] for path in entries}}
        for format_name, part in self._printed.items():
            # Text printed for an older version of a file is left out.
            kept = {path: stored for path, stored in part.items()
                    if path in entries and type(stored) is tuple and stored and stored[0] == entries[path][0]}
            if kept:
                parts[PRINTED + format_name] = kept
        for name in self._table:
            if type(name) is str and name.startswith(PRINTED) and name[len(PRINTED) :] not in self._printed:
                # A format this run did not print in: its part is copied as it is (text for
                # an older version of a file is never printed: its key differs).
                data = self._part(name, raw=True)
                if data is not None:
                    parts[name] = data
        temporary = None
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
            blobs = {name: value if type(value) is bytes else marshal.dumps(value) for name, value in parts.items()}
            table: dict[str, tuple[int, int, int]] = {}
            offset = 0  # from the end of the table
            for name, blob in blobs.items():
                table[name] = (offset, len(blob), zlib.crc32(blob))
                offset += len(blob)
            table_data = marshal.dumps(table)
            handle, temporary = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=self.folder)
            with os.fdopen(handle, "wb") as stream:
                stream.write(MAGIC)
                stream.write(zlib.crc32(table_data).to_bytes(4, "big") + len(table_data).to_bytes(4, "big"))
                stream.write(table_data)
                for blob in blobs.values():
                    stream.write(blob)
            os.replace(temporary, self.path)
            temporary = None
            self.dirty = False
        except (OSError, ValueError):
            pass
        finally:
            if temporary is not None:
                try:
                    os.remove(temporary)
                except OSError:
                    pass
