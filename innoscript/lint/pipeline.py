"""The per-file pipeline: read, lint through the cache, fix, find payloads.

``Linter`` lints many ``Job``s (a file's name, settings and bytes): cache
hits are answered without parsing, misses are linted in this process or,
when there are many, in a process pool; with fixes each file is fixed and
linted again.  The session (session.py) drives it for whole runs.
"""

from __future__ import annotations

import os

from ..gcpause import paused_gc
from ..records import NamedTuple
from ..source import Source
from .diagnostic import Diagnostic
from .result import FileResult
from .settings import Settings

# A process pool pays only with many misses and a second core: below a few
# hundred files the workers' start-up eats the gain.  On two cores, with the
# workers sending back plain rows and printed text, 2,000 files x 50 lines
# took 1.5-1.7 s in a pool of two against 2.2-2.3 s in one process (400
# files: 0.42 s against 0.50 s).  `--jobs N` overrides.
PARALLEL_MIN_FILES = 400
PARALLEL_MIN_CPUS = 2

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from .cache import ResultCache

# cache.py (hashlib, tempfile, pathlib) is imported only when a cache is used:
# `innolint --no-cache FILE` must not pay for it.


def lint_data(data: bytes, path: str, settings: Settings) -> tuple[Source, list[Diagnostic], list[str]]:
    """Lint file bytes: the source, its findings and the payload files it loads."""
    from ..syntax import parse
    from .crossfile import payloads_of_lint
    from .engine import lint_script

    source = Source.from_bytes(data, path)
    script = parse(source)
    diagnostics = lint_script(script, settings)
    return source, diagnostics, [p.path for p in payloads_of_lint(script, settings)]


def _worker(job: tuple[bytes, str, Settings, tuple[str, ...]]) -> tuple:
    """Lint one file in a worker process, and send back only plain values.

    The findings go back as the cache's plain rows with their counts, the
    rule names of their codes and their text in the formats the run prints:
    unpickling tens of thousands of Diagnostic records cost the main process
    more than the workers saved, and printing is done where the findings are.
    """
    data, path, settings, formats = job
    source, diagnostics, deps = lint_data(data, path, settings)
    from .cache import data_rows
    from .report import block
    from .result import tally

    printed = {name: block(name, diagnostics, source) for name in formats}
    names = {d.code: d.name for d in diagnostics}
    return data_rows(diagnostics), names, tally(diagnostics), printed, deps


class PooledResult(FileResult):
    """A result linted in a worker process: its findings as plain rows, made into diagnostics
    only when something asks (a report printed from the workers' text never does)."""

    __slots__ = ("_rows", "_names", "_counts", "_printed")

    def __init__(self, path: str, source: Source, rows: tuple, names: dict[str, str], counts: tuple,
                 printed: dict[str, str]) -> None:
        super().__init__(path, source, None)  # type: ignore[arg-type]
        self._rows, self._names, self._counts, self._printed = rows, names, counts, printed

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        if self._diagnostics is None:
            from .cache import diagnostic_from_data

            self._diagnostics = tuple([diagnostic_from_data(row, self.path, self._names) for row in self._rows])
        return self._diagnostics

    def tally(self) -> tuple:
        return self._counts

    def printed(self, format_name: str) -> str | None:
        return self._printed.get(format_name)


class PrintedResult(FileResult):
    """A fresh result whose findings were printed for the cache already: the report prints that text."""

    __slots__ = ("_printed",)

    def __init__(self, path: str, source: Source, diagnostics: tuple, printed: dict[str, str]) -> None:
        super().__init__(path, source, diagnostics)
        self._printed = printed

    def printed(self, format_name: str) -> str | None:
        return self._printed.get(format_name)


def _result(path: str, source: Source, diagnostics: list[Diagnostic], printed: dict[str, str] | None) -> FileResult:
    if printed:
        return PrintedResult(path, source, tuple(diagnostics), printed)
    return FileResult(path, source, tuple(diagnostics))


class Job(NamedTuple):
    """One file to lint: what to call it, where it is, how, and its bytes."""

    path: str  # shown in output
    settings: Settings
    data: bytes
    # False for text read from standard input: its `path` is only a name
    # (`--stdin-filename`), and the file of that name is never written.
    writable: bool = True


class Linter:
    """Read-lint-fix for many files, through the cache when one is given.

    ``formats`` names the formats the results will be printed in, of those
    printed file by file (report.BLOCK_FORMATS): the cache keeps each file's
    findings printed in them, and a hit then carries its printed text
    (FileResult.printed).
    """

    def __init__(self, cache: ResultCache | None = None, fix: bool = False, unsafe: bool = False, write: bool = True,
                 jobs: int | None = None, formats: tuple[str, ...] = ()) -> None:
        self.cache = cache
        self.fix = fix
        self.unsafe = unsafe
        self.write = write  # write fixed files back (False for --diff)
        self.jobs = jobs  # process pool size; None: decide by file count
        self.formats = formats
        self.errors: list[str] = []  # files that could not be written

    def lint_many(self, jobs: list[Job]) -> list[tuple[FileResult, list[str]]]:
        """FileResult and loaded payload paths per job, in order."""
        # One pause for the whole run: re-enabling the collector after each
        # file makes it walk every tree and result kept so far, again and again.
        with paused_gc():
            return self._lint_many(jobs)

    def _lint_many(self, jobs: list[Job]) -> list[tuple[FileResult, list[str]]]:
        results: list[tuple[FileResult, list[str]] | None] = [None] * len(jobs)
        misses: list[int] = []
        keys: list[str | None] = [None] * len(jobs)
        cache = self.cache
        if cache is not None:
            from .cache import content_key
        for index, job in enumerate(jobs):
            if self.fix:
                results[index] = self.lint_one(job)
                continue
            if cache is None:
                misses.append(index)
                continue
            absolute = os.path.abspath(job.path)
            keys[index] = content_key(job.path, job.data, job.settings, absolute)
            entry = cache.get(job.path, keys[index], absolute)
            if entry is None:
                misses.append(index)
                continue
            result = cache.result(job.path, job.data, job.settings, entry, absolute)
            if not self.formats:
                # Printed from diagnostics: build them now, so that findings the cache cannot
                # give back are linted again (and stored) before the cache is saved.
                result.diagnostics  # noqa: B018
            for name in self.formats:
                if result.printed(name) is None:  # first printed in this format: keep it
                    from .report import block

                    cache.add_printed(job.path, name, block(name, result.diagnostics, result.source), absolute)
            results[index] = (result, result.deps)
        workers = self._workers(len(misses))
        if workers > 1:
            import gc
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures.process import BrokenProcessPool

            from .cache import CachedSource, file_hash

            # Not fork: forking a process that has threads (an editor, a test runner) can deadlock.
            # The fork server imports the linter once and each worker starts from it; workers
            # run with the collector off, as `innolint` itself does.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["innoscript.lint.pipeline", "innoscript.lint.engine",
                                                "innoscript.lint.cache", "innoscript.syntax.parser"])
            formats = self.formats
            try:
                with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.disable) as pool:
                    chunk = max(1, len(misses) // (workers * 8))
                    done = pool.map(_worker, [(jobs[i].data, jobs[i].path, jobs[i].settings, formats) for i in misses],
                                    chunksize=chunk)
                    for index, (rows, names, counts, printed, deps) in zip(misses, done):
                        job = jobs[index]
                        if self._stores(job, keys[index]):
                            self.cache.put_rows(job.path, keys[index], rows,
                                                [(os.path.abspath(p), file_hash(p)) for p in deps], counts, printed, names)
                        source = CachedSource(job.data, job.path)
                        results[index] = (PooledResult(job.path, source, rows, names, counts, printed), deps)
            except (OSError, BrokenProcessPool, ImportError, NotImplementedError):
                # No pool to be had (a worker killed, no processes left, a main module the
                # workers cannot import, a platform without process semaphores): the files
                # it did not answer are linted here.
                pass
            misses = [index for index in misses if results[index] is None]
        for index in misses:
            job = jobs[index]
            source, diagnostics, deps = lint_data(job.data, job.path, job.settings)
            printed = self._store(job, keys[index], source, diagnostics, deps)
            results[index] = (_result(job.path, source, diagnostics, printed), deps)
        return results  # type: ignore[return-value]

    def _workers(self, misses: int) -> int:
        if self.jobs is not None:
            return self.jobs if misses > 1 else 1
        # The cores this process may run on (a container or `taskset` may allow fewer than the machine has).
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        if misses < PARALLEL_MIN_FILES or cpus < PARALLEL_MIN_CPUS:
            return 1
        return min(cpus, 8)

    def _stores(self, job: Job, key: str | None) -> bool:
        """Does the cache keep this miss?  (Not standard input: its name is no file's.)"""
        return self.cache is not None and key is not None and not job.path.startswith("<")

    def _store(self, job: Job, key: str | None, source: Source, diagnostics: list[Diagnostic],
               deps: list[str]) -> dict[str, str] | None:
        """Keep a miss in the cache; the findings as printed for it (format name -> text), if any."""
        if self._stores(job, key):
            from .cache import file_hash

            printed = {}
            if self.formats:
                from .report import block

                printed = {name: block(name, diagnostics, source) for name in self.formats}
            self.cache.put(job.path, key, diagnostics, [(os.path.abspath(p), file_hash(p)) for p in deps], printed)
            return printed
        return None

    def lint_one(self, job: Job) -> tuple[FileResult, list[str]]:
        """Lint one file, applying fixes when asked (no cache: fixing re-lints anyway)."""
        source, diagnostics, deps = lint_data(job.data, job.path, job.settings)
        if not self.fix:
            return FileResult(job.path, source, tuple(diagnostics)), deps
        from ..syntax import parse
        from .engine import lint_script
        from .fixes import apply_fixes, write_atomically

        def lint(candidate: Source) -> list[Diagnostic]:
            return lint_script(parse(candidate), job.settings)

        outcome = apply_fixes(source, lint, unsafe=self.unsafe)
        if not outcome.changed(source):
            return FileResult(job.path, source, tuple(diagnostics)), deps
        target = source  # how the file is written: as it came, or converted (UTF-16 to UTF-8)
        if outcome.encoding is not None:
            target = Source(source.text, source.path, encoding=outcome.encoding)  # outcome.data(source)
        if self.write and job.writable and not job.path.startswith("<"):
            try:
                write_atomically(job.path, target, outcome.text)
            except OSError as exc:
                self.errors.append(f"{job.path}: cannot write the fixes ({exc.strerror or exc})")
                return FileResult(job.path, source, tuple(diagnostics)), deps
        # Read back as the bytes on disk now are, so encoding findings stay right.
        fixed, remaining, deps = lint_data(target.encode(outcome.text), job.path, job.settings)
        result = FileResult(job.path, fixed, tuple(remaining), fixed=True, fixes_applied=len(outcome.applied), original=source)
        return result, deps
