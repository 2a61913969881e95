"""A lint session: what `innolint PATH...` does, as a library.

One session lints many files the way the command line does: the paths are
discovered (folders walked for update scripts), each file gets the settings
of the configuration that applies to it (`.innolint.toml` or
`[tool.innolint]` in pyproject.toml, found by walking up from the file,
merged with the overrides given), results come from the cache when they can,
fixes are applied when asked, and the files `cfg` lines load are linted as
payloads.  The outcome knows each file's fail level and can be filtered by a
baseline or recorded in one.

The faces stay thin: the command line turns options into a session and
prints its outcome; the update server's lint gate and the language server
lint single texts through ``Session.lint_file`` and ``lint_document``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from . import config as config_module
from .diagnostic import Diagnostic, Severity
from .discover import STDIN, Target, discover
from .pipeline import Job, Linter
from .result import FileResult
from .settings import Settings, payload_settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:  # a cache hit must not load the parser
    from typing import Any
    from ..syntax import ast
    from .engine import IncrementalLinter


def display_path(path: str, cwd: str | None = None) -> str:
    """Relative to the current folder (``cwd``, default os.getcwd()) when below it (stable, short output)."""
    if path.startswith("<") or not os.path.isabs(path):
        return path
    cwd = cwd or os.getcwd()
    if os.path.normcase(cwd) == cwd and os.sep == "/":
        # What os.path.relpath gives, without its per-call work (a path outside the folder stays as it is).
        normal = os.path.normpath(path)
        inside = cwd if cwd.endswith(os.sep) else cwd + os.sep
        if normal == cwd:
            return "."
        return normal[len(inside) :] if normal.startswith(inside) else path
    try:
        relative = os.path.relpath(path, cwd)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative


class Outcome:
    """What a session produced: results in output order, each with its fail level."""

    def __init__(self, results: list[FileResult], fail_levels: list[Severity], errors: list[str] | None = None,
                 jobs: list[Job] | None = None) -> None:
        self.results = results
        self.fail_levels = fail_levels  # per result: each file may have its own
        self.errors = [] if errors is None else errors  # files that could not be read or written
        self.jobs = [] if jobs is None else jobs  # the files as linted: name, settings, bytes

    @property
    def failing(self) -> bool:
        """Some result has a finding at or above its own fail level."""
        return any(result.failing_count(level) for result, level in zip(self.results, self.fail_levels))

    @property
    def exit_status(self) -> int:
        """0 clean, 1 findings at or above the fail level, 2 a file could not be read or written."""
        return 2 if self.errors else (1 if self.failing else 0)

    def apply_baseline(self, path: str) -> int:
        """Keep only findings the baseline at ``path`` does not accept; how many it accepted.

        Raises baseline.BaselineError for a baseline that cannot be read.
        """
        from . import baseline

        self.results, accepted = baseline.filter_new(self.results, path)  # same order
        return accepted

    def write_baseline(self, path: str) -> int:
        """Record every finding in the baseline at ``path``; how many were recorded."""
        from . import baseline

        return baseline.write(path, self.results)


class Session:
    """Lints files as `innolint` does (see the module docstring).

    ``overrides`` is a partial configuration (keys as in the configuration
    file) that wins over the files, as the command line does.  Raises
    config.ConfigError for overrides or configuration files that cannot be
    used.
    """

    def __init__(
        self,
        overrides: dict[str, Any] | None = None,
        *,
        cache: bool = True,
        cache_dir: str | None = None,
        fix: bool = False,
        unsafe_fixes: bool = False,
        write: bool = True,
        jobs: int | None = None,
        stdin_name: str | None = None,
        read_stdin: Callable[[], bytes] | None = None,
    ) -> None:
        self.resolver = config_module.Resolver(overrides)
        self.use_cache = cache and not fix
        self.cache_dir = cache_dir
        self.fix = fix
        self.unsafe_fixes = unsafe_fixes
        self.write = write
        self.jobs = jobs
        self.stdin_name = stdin_name
        self.read_stdin = read_stdin or (lambda: sys.stdin.buffer.read())

    # -- settings

    def resolved(self, path: str) -> config_module.Resolved:
        """Everything the configuration says for ``path`` (a file, a folder, or `-`)."""
        return self.resolver(path if path and not path.startswith("<") else "-")

    def settings_for(self, path: str) -> Settings:
        return self.resolved(path).settings

    def stdin_display_name(self) -> str:
        return self.stdin_name or "<stdin>"

    # -- many files

    def targets(self, paths: list[str] | tuple[str, ...], errors: list[str]) -> list[Target]:
        """The files ``paths`` name, folders walked; missing paths go to ``errors``."""
        return discover(paths, resolver=self.resolver, errors=errors)

    def run(self, paths: list[str] | tuple[str, ...], *, lint_many: Callable | None = None,
            formats: tuple[str, ...] = ()) -> Outcome:
        """Lint every file ``paths`` name, and the payloads their `cfg` lines load.

        ``lint_many(linter, jobs)`` runs the linter over the jobs (default
        ``linter.lint_many(jobs)``); the command line wraps it in a progress bar.
        ``formats`` names the formats the results will be printed in, of
        those printed file by file (report.BLOCK_FORMATS): the cache keeps
        each file's findings printed in them, and a warm run prints from
        that text.
        """
        errors: list[str] = []
        jobs = self._jobs(self.targets(paths, errors), errors)
        cache = None
        if self.use_cache:
            from .cache import ResultCache, default_cache_dir

            folder = self.cache_dir or self.resolver(os.getcwd()).cache_dir or default_cache_dir()
            cache = ResultCache(os.path.abspath(folder))
        linter = Linter(cache, fix=self.fix, unsafe=self.unsafe_fixes, write=self.write, jobs=self.jobs,
                        formats=formats)
        results: list[FileResult] = []
        fail_levels: list[Severity] = []
        done_payloads = {os.path.abspath(job.path) for job in jobs if not job.path.startswith("<")}
        linted = lint_many(linter, jobs) if lint_many is not None else linter.lint_many(jobs)
        for job, (result, deps) in zip(jobs, linted):
            results.append(result)
            fail_levels.append(job.settings.fail_level)
            payload_jobs = []
            for dep in deps:
                absolute = os.path.abspath(dep)
                if absolute in done_payloads:
                    continue
                done_payloads.add(absolute)
                try:
                    with open(dep, "rb") as handle:
                        data = handle.read()
                except OSError as exc:
                    errors.append(f"{dep}: cannot read ({exc.strerror or exc})")
                    continue
                payload_jobs.append(Job(display_path(absolute), payload_settings(job.settings), data))
            if payload_jobs:
                # Payloads are reported, never fixed: the script that loads them is the target.
                linted_payloads = Linter(cache, jobs=1, formats=formats).lint_many(payload_jobs)
                for payload_job, (payload_result, _) in zip(payload_jobs, linted_payloads):
                    results.append(payload_result)
                    fail_levels.append(payload_job.settings.fail_level)
        if cache is not None:
            cache.save()
        return Outcome(results, fail_levels, errors + linter.errors, jobs)

    def _jobs(self, targets: list[Target], errors: list[str]) -> list[Job]:
        jobs: list[Job] = []
        cwd = os.getcwd()
        by_folder: dict[str, Settings] = {}  # for folders whose configuration has no per-path overrides
        for target in targets:
            if target.path == STDIN:
                name = self.stdin_display_name()
                jobs.append(Job(name, self.settings_for(name), self.read_stdin(), writable=False))
                continue
            name = display_path(target.path, cwd)
            try:
                with open(target.path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                errors.append(f"{target.path}: cannot read ({exc.strerror or exc})")
                continue
            folder = os.path.dirname(name)
            settings = by_folder.get(folder)
            if settings is None:
                resolved = self.resolved(name)
                settings = resolved.settings
                if resolved.config is None or not resolved.config.overrides:
                    by_folder[folder] = settings  # the same for every file of the folder
            jobs.append(Job(name, settings, data))
        return jobs

    # -- one text

    def lint_file(self, data: bytes, path: str, settings: Settings | None = None) -> FileResult:
        """One file's bytes, linted with ``settings`` or else the settings for ``path``.

        No cache, no fixes, nothing written; the payloads its `cfg` lines
        load are found next to ``path`` (their count is UPD-068's note).
        """
        job = Job(path, settings or self.settings_for(path), data, writable=False)
        result, _ = Linter(None, jobs=1).lint_one(job)
        return result


def lint_document(script: "ast.Script", settings: Settings, linter: "IncrementalLinter | None" = None,
                  check=None) -> list[Diagnostic]:
    """The diagnostics of one open document (the language server's call).

    Give the document's own ``engine.IncrementalLinter`` to re-run the line
    rules on changed lines only; the result is the same either way.
    ``check`` is called between rules and every few thousand lines, and may
    raise to abandon a lint that a newer edit made stale.
    """
    if linter is not None:
        return linter.lint(script, settings, check)
    from .engine import lint_script

    return lint_script(script, settings)
