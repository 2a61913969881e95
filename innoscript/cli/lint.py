"""`innolint`: the linter's command line (a thin face over innoscript.lint).

Reading options, finding files, printing: everything else is the library's
(config, discover, cache, crossfile, baseline, fixes, report).
"""

from __future__ import annotations

import os
import sys

from .lint_options import FAIL_LEVELS, FORMAT_NAMES  # noqa: F401 - part of this module's interface

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

# No click here: `innolint FILE` runs without it (lint_options.py parses the
# command line; lint_click.py is the click command for help and subcommands).



# -- the lint command ---------------------------------------------------------------


def _multi(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select A,B --select C` -> (A, B, C)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _config_value(text: str) -> Any:
    """A `--config KEY=VALUE` value: TOML when it parses, else the plain text."""
    from ..lint.config import tomllib

    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def cli_overrides(**options: Any) -> dict[str, Any]:
    """The command line as a partial configuration (keys as in the config file)."""
    result: dict[str, Any] = {}
    for pair in options["config"]:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LintError(f"--config {pair!r}: expected KEY=VALUE")
        result[key.strip().replace("_", "-").lower()] = _config_value(value.strip())
    simple = {
        "target-version": options["target_version"],
        "model": options["model"],
        "mode": options["mode"],
        "fail-level": options["fail_level"],
        "cache-dir": options["cache_dir"],
        "fleet": options["fleet"],
    }
    for key, value in simple.items():
        if value is not None:
            result[key] = value
    for key, option in (("select", "select"), ("ignore", "ignore"), ("extend-select", "extend_select"),
                        ("extend-ignore", "extend_ignore")):
        if options[option]:
            result[key] = list(_multi(options[option]))
    if options["severity"]:
        result["severity"] = {**result.get("severity", {}), **_pairs(options["severity"], "--severity", "CODE=LEVEL")}
    if options["url_map"]:
        from .checks import url_map_pairs

        try:
            pairs = url_map_pairs(options["url_map"])
        except ValueError as exc:
            raise LintError(str(exc)) from None
        result["url-map"] = {**result.get("url-map", {}), **dict(pairs)}
    if options["require_reason"]:
        result["require-reason"] = True
    if options["simulate"]:
        result["simulate"] = True
    return result


def check_fleet(path: str) -> None:
    """A fleet file that cannot be used is a usage error, found before linting."""
    from ..fleet.spec import FleetSpecError, load_fleet

    try:
        load_fleet(path)
    except (FleetSpecError, OSError) as exc:
        raise LintError(str(exc) if isinstance(exc, FleetSpecError) else f"{path}: cannot read ({exc})") from None


def _pairs(values: tuple[str, ...], option: str, shape: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            key, sep, rest = part.partition("=")
            if not sep or not key.strip() or not rest.strip():
                raise LintError(f"{option} {part!r}: expected {shape}")
            pairs[key.strip()] = rest.strip()
    return pairs


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def default_format() -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "full" if sys.stdout.isatty() else "concise"


class LintError(Exception):
    """A usage, configuration or input error: one line on stderr, exit status 2."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage  # the command line itself is wrong (click shows the usage line)


def start(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """Lint once, or watch; the exit status.  Raises LintError."""
    if options["watch"]:
        if STDIN_PATH in paths or options["fix"] or options["diff"] or options["write_baseline"]:
            raise LintError("--watch lints files again and again: no -, --fix, --diff or --write-baseline", usage=True)
        from .watch import watch

        return watch(paths, options, lint_once)
    return lint_once(paths, options)


STDIN_PATH = "-"


def lint_once(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """One run; configuration and input errors become exit status 2 with one line."""
    try:
        return run(paths, options)
    except Exception as exc:  # the error classes are imported only when one is raised
        from ..lint.baseline import BaselineError
        from ..lint.config import ConfigError
        from ..lint.discover import DiscoveryError

        if isinstance(exc, (ConfigError, BaselineError, DiscoveryError)):
            raise LintError(str(exc)) from None
        raise


def run(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """Lint ``paths`` as the options say; the exit status."""
    from ..lint.discover import STDIN
    from ..lint.session import Session

    overrides = cli_overrides(**options)
    if options["fleet"]:
        check_fleet(options["fleet"])
    fix = options["fix"] or options["diff"]
    session = Session(overrides, cache=not options["no_cache"], cache_dir=options["cache_dir"], fix=fix,
                      unsafe_fixes=options["unsafe_fixes"], write=not options["diff"], jobs=options["jobs"],
                      stdin_name=options["stdin_filename"])

    if options["show_settings"]:
        errors: list[str] = []
        for target in session.targets(paths, errors):
            name = session.stdin_name if target.path == STDIN and session.stdin_name else target.path
            echo(show_settings(name, session.resolver(name)))
        for message in errors:
            echo(f"error: {message}", err=True)
        return 2 if errors else 0

    if fix and STDIN in paths and len(paths) > 1:
        raise LintError("--fix and --diff read - on its own: give - as the only PATH", usage=True)
    here = session.resolved(os.getcwd())
    if here.output_format and not os.environ.get("GITHUB_ACTIONS") == "true":
        options = {**options, "configured_format": here.output_format}
    outcome = session.run(paths, lint_many=lint_with_progress, formats=printed_formats(options))
    note = None if options["quiet"] else model_note(outcome.jobs)
    if note:
        echo(note, err=True)
    for message in outcome.errors:
        echo(f"error: {message}", err=True)

    if options["write_baseline"]:
        count = outcome.write_baseline(options["write_baseline"])
        if not options["quiet"]:
            echo(f"{count} finding{'s' if count != 1 else ''} recorded in {options['write_baseline']}", err=True)
        return 2 if outcome.errors else 0
    if options["baseline_file"]:
        accepted = outcome.apply_baseline(options["baseline_file"])
        if accepted and not options["quiet"]:
            echo(f"{accepted} finding{'s' if accepted != 1 else ''} accepted by the baseline", err=True)

    base = here.settings  # for what a format shows about the run as a whole
    return report(outcome.results, outcome.fail_levels, outcome.errors, options, base,
                  stdin_fix=bool(options["fix"] and paths == (STDIN,)))


def printed_formats(options: dict[str, Any]) -> tuple[str, ...]:
    """The output format, when it is one printed file by file: the cache keeps them printed so."""
    from ..lint.report import BLOCK_FORMATS

    if options["statistics"] or options["diff"] or options["write_baseline"]:
        return ()
    from ..lint.report import printed_name

    name = printed_name(render_name(options), report_color(options))
    return (name,) if name in BLOCK_FORMATS else ()


# A progress bar for long runs on a terminal: from this many files or bytes.
PROGRESS_FILES = 1000
PROGRESS_BYTES = 4_000_000


def lint_with_progress(linter, jobs: list) -> list:
    """``linter.lint_many(jobs)``, with a progress bar on stderr when the run is long and stderr a terminal.

    The jobs go in chunks of at least 400 (the process pool's threshold), so
    showing progress does not change how the work is done.
    """
    size = sum(len(job.data) for job in jobs)
    if len(jobs) < PROGRESS_FILES and size < PROGRESS_BYTES:
        return linter.lint_many(jobs)
    from .checks import show_progress

    if not show_progress():
        return linter.lint_many(jobs)
    label = f"linting {len(jobs)} file{'s' if len(jobs) != 1 else ''} ({size / 1e6:.1f} MB)"
    step = max(400, len(jobs) // 20)
    done: list = []
    import click  # only for a long run on a terminal

    with click.progressbar(length=size, label=label, file=sys.stderr, show_eta=True) as bar:
        for start in range(0, len(jobs), step):
            chunk = jobs[start : start + step]
            done += linter.lint_many(chunk)
            bar.update(sum(len(job.data) for job in chunk))
    return done


# Rules that say nothing when the device model is unknown (neither set nor
# in an `update-<model>.htm` name): a run without a model must say it skipped them.
MODEL_RULES = ("UPD-018", "UPD-044", "UPD-045", "UPD-046", "UPD-048")


def model_note(jobs: list) -> str | None:
    """One line naming the files without a model and the rules skipped for them."""
    from .. import catalog

    unknown = [job for job in jobs if job.settings.mode == "script" and not job.settings.model
               and catalog.model_from_filename(job.path) is None]
    if not unknown:
        return None
    # The registry's table, not the rules: a run answered from the cache loads no rule module.
    from ..lint.registry import RULES
    from ..lint.selection import selected

    skipped: set[str] = set()
    seen: set[tuple] = set()
    for job in unknown:
        key = (job.settings.select, job.settings.ignore)
        if key not in seen:
            seen.add(key)
            skipped.update(r.code for r in selected(RULES, *key) if r.code in MODEL_RULES)
    if not skipped:
        return None
    names = ", ".join(job.path for job in unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
    return (f"note: no device model for {names} (no model in the file name update-<model>.htm): skipped "
            f"{', '.join(sorted(skipped))}; pass --model MODEL, or set `model` for those paths "
            "in an [[overrides]] table of the configuration")


def report(results: list, fail_levels: list, errors: list[str], options: dict[str, Any], base, *, stdin_fix: bool) -> int:
    """Print ``results`` as the options say; the exit status."""
    quiet = options["quiet"]
    if options["diff"]:
        from ..lint.fixes import diff

        changed = False
        with output_stream(options) as out:
            for result in results:
                if result.original is not None:
                    out.write(diff(result.path, result.original.text, result.source.text))
                    changed = True
                    if result.original.encoding != result.source.encoding:  # not a change of text
                        echo(f"{result.path}: would be saved as {result.source.encoding.upper()} "
                                   f"(now {result.original.encoding.upper()})", err=True)
        hidden = 0 if options["unsafe_fixes"] else sum(
            1 for r in results for d in r.diagnostics if d.fix is not None and not d.fix.safe)
        if hidden:
            echo(f"{hidden} unsafe fix{'es' if hidden != 1 else ''} not shown; add --unsafe-fixes", err=True)
        elif not changed and not quiet:
            echo("no fixes to show", err=True)
        if errors:
            return 2
        return 0 if options["exit_zero"] else (1 if changed else 0)

    status = 2 if errors else (1 if any(r.failing_count(level) for r, level in zip(results, fail_levels)) else 0)
    shown = {"fail_levels": fail_levels, "errors": len(errors), "summary": not quiet}
    if stdin_fix and results:
        # Fixing standard input: the fixed text goes to stdout, findings to stderr.
        result = results[0]
        sys.stdout.buffer.write(result.source.encode())
        sys.stdout.flush()
        echo(render(results, options, color=False, settings=base, **shown), nl=False, err=True)
    else:
        with output_stream(options) as out:
            color = out.color
            if options["statistics"]:
                out.write(statistics(results, as_json=render_name(options) in ("json", "json-lines")))
            else:
                from ..lint.report import write

                # In pieces: a large JSON or SARIF report is written as it is made, never held whole.
                write(render_name(options), results, out.write, color=color, settings=base, **shown)

    if options["fix"] and not quiet:
        fixed = [r for r in results if r.fixed]
        count = sum(r.fixes_applied for r in fixed)
        if count:
            echo(f"fixed {count} finding{'s' if count != 1 else ''} in {len(fixed)} file{'s' if len(fixed) != 1 else ''}",
                       err=True)
    if status == 1 and options["exit_zero"]:
        return 0
    return status


class output_stream:
    """Where the report goes: stdout, or the `--output-file` (written whole, UTF-8)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.path = options.get("output_file")
        self.parts: list[str] = []
        self.gone = False  # stdout's reader went away
        self.color = report_color(options)

    def __enter__(self) -> "output_stream":
        return self

    def write(self, text: str) -> None:
        if self.path:
            self.parts.append(text)
        elif not self.gone:
            try:
                # A megabyte at a time: the stream encodes what it is given as one
                # bytes object, and a cached report's block can be tens of megabytes.
                for start in range(0, len(text), 1 << 20):
                    echo(text[start : start + (1 << 20)], nl=False, flush=False)
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        # The reader stopped reading (`innolint ... | head`): the rest is not
        # wanted, and the exit status still tells what the lint found.  What is
        # left in the buffer goes to the null device, so no later flush fails.
        self.gone = True
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)

    def __exit__(self, kind, value, traceback) -> None:
        if not self.path:
            if not self.gone:
                try:
                    sys.stdout.flush()
                except BrokenPipeError:
                    self._reader_gone()
            return
        if kind is not None:
            return
        try:
            with open(self.path, "w", encoding="utf-8", newline="") as handle:
                handle.write("".join(self.parts))
        except OSError as exc:
            raise LintError(f"{self.path}: cannot write ({exc.strerror or exc})") from None


def report_color(options: dict[str, Any]) -> bool:
    """Whether the report is printed in colour."""
    choice = options["color"]
    if options.get("no_color"):
        choice = "never"
    # A file is no terminal: colour only when asked for outright.
    if options.get("output_file") and choice == "auto" and not os.environ.get("FORCE_COLOR"):
        return False
    return use_color(choice)


def render_name(options: dict[str, Any]) -> str:
    return options["output_format"] or options.get("configured_format") or default_format()


def render(results: list, options: dict[str, Any], *, color: bool, settings=None, **shown) -> str:
    from ..lint.report import render as render_format

    return render_format(render_name(options), results, color=color, settings=settings, **shown)


def statistics(results: list, as_json: bool = False) -> str:
    from collections import Counter

    counts: Counter = Counter()
    names: dict[str, tuple[str, str]] = {}
    for result in results:
        for d in result.diagnostics:
            counts[d.code] += 1
            names[d.code] = (d.name, d.severity.name.lower())
    lines = [
        f"{count:>6}  {code}  {names[code][1]:<7}  {names[code][0]}"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    total = sum(counts.values())
    if as_json:
        rows = [{"code": code, "name": names[code][0], "severity": names[code][1], "count": count}
                for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        import json

        return json.dumps(rows, indent=2) + "\n"
    lines.append(f"{total:>6}  finding{'s' if total != 1 else ''} in total")
    return "\n".join(lines) + "\n"


def show_settings(path: str, resolved) -> str:
    """The resolved settings of one file, TOML-shaped, each with its origin."""
    from ..lint.config import KEYS, settings_value

    lines = [f"# {path}", f"# configuration: {resolved.config.path if resolved.config else 'none found'}"]
    for key in KEYS:
        if key.startswith("extend-"):
            continue
        value = settings_value(resolved, key)
        origin = resolved.provenance.get(key, "default")
        if key == "model" and value is None:
            from .. import catalog

            inferred = catalog.model_from_filename(path)
            note = f"inferred from the file name: {inferred.name}" if inferred else "unknown"
            lines.append(f"# model: not set ({note})")
            continue
        if value is None:
            lines.append(f"# {key}: not set  ({origin})")
            continue
        lines.append(f"{key} = {_toml(value)}  # {origin}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    import json

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return json.dumps(value, ensure_ascii=False)


def echo(text: str, *, err: bool = False, nl: bool = True, flush: bool = True) -> None:
    """Print to stdout or stderr (what click.echo does, without click)."""
    stream = sys.stderr if err else sys.stdout
    text = text + "\n" if nl else text
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a terminal that cannot show every character
        stream.write(text.encode(stream.encoding or "ascii", "backslashreplace").decode(stream.encoding or "ascii"))
    if flush:
        stream.flush()


def __getattr__(name: str):
    # The click command and its subcommands, loaded when asked for (help, tests).
    if name in ("lint_command", "rule_command", "rules_command", "InnolintCommand", "SUBCOMMANDS"):
        from . import lint_click

        return getattr(lint_click, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(args: list[str] | None = None) -> None:
    """The `innolint` console script: a plain lint run without click, the rest through it."""
    import gc

    # A short run: reference counting frees what it allocates; the cyclic
    # collector would only walk the new objects again (watch turns it back on).
    gc.disable()
    from .lint_options import parse_fast

    argv = list(sys.argv[1:] if args is None else args)
    parsed = parse_fast(argv)
    if parsed is None:
        from .lint_click import lint_command

        lint_command.main(argv, prog_name="innolint")
        return
    paths, options = parsed
    try:
        status = start(paths, options)
    except LintError as exc:
        if exc.usage:
            echo(f"Usage: innolint [OPTIONS] PATH...\nTry 'innolint -h' for help.\n\nError: {exc}", err=True)
        else:
            echo(f"error: {exc}", err=True)
        status = 2
    except KeyboardInterrupt:
        status = 130
    sys.stdout.flush()
    # The interpreter's exit runs full collections over every object left
    # (a tenth of a short run); frozen objects are not walked, and nothing of
    # a finished run needs collecting: the process ends.
    gc.freeze()
    raise SystemExit(status)
