"""innolint's options, written once: the table both parsers are built from.

`innolint FILE` must start fast, so a plain lint run is parsed here, by a
small parser over this table, without importing click.  Everything else —
`--help`, `--version`, `--explain`, the `rule`/`rules` subcommands, and any
command line this parser is not sure about (an unknown option, a bad value,
`-qo` style bundles) — goes to the click command built from the same table
(lint_click.py), which prints help and errors as every other command does.
"""

from __future__ import annotations

import os

from ..records import NamedTuple

FORMAT_NAMES = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gcc")
FAIL_LEVELS = ("error", "warning", "hint", "info")
COLORS = ("auto", "always", "never")
MODES = ("script", "cfg-payload")


class Option(NamedTuple):
    flags: tuple[str, ...]  # "-o", "--output-file"
    dest: str  # key in the options dict
    kind: str  # "flag", "value", "multi" (repeatable), "choice", "int"
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    default: object = None
    file: bool = False  # a file to write or read: a folder is refused
    low: int = 0  # "int": the accepted range
    high: int = 0


OPTIONS: tuple[Option, ...] = (
    Option(("--format",), "output_format", "choice",
           "Output format [default: full on a terminal, concise otherwise, github in GitHub Actions].",
           choices=FORMAT_NAMES),
    Option(("--color",), "color", "choice", "Colour the output (NO_COLOR and FORCE_COLOR are honoured in auto).",
           choices=COLORS, default="auto"),
    Option(("--no-color",), "no_color", "flag", "Same as --color never."),
    Option(("-o", "--output-file"), "output_file", "value",
           "Write the report to FILE instead of standard output (errors stay on standard error).",
           metavar="FILE", file=True),
    Option(("--select",), "select", "multi", "Run only these rules: codes, prefixes, names, groups.", metavar="RULES"),
    Option(("--ignore",), "ignore", "multi", "Do not run these rules.", metavar="RULES"),
    Option(("--extend-select",), "extend_select", "multi", "Add to the configured selection.", metavar="RULES"),
    Option(("--extend-ignore",), "extend_ignore", "multi", "Add to the configured ignores.", metavar="RULES"),
    Option(("--severity",), "severity", "multi", "Override a rule's severity (UPD-025=error).", metavar="CODE=LEVEL"),
    Option(("--fail-level",), "fail_level", "choice", "Lowest severity that fails the run [default: warning].",
           choices=FAIL_LEVELS),
    Option(("--target-version",), "target_version", "value",
           "Firmware version the scripts run on (v5 ... v13r3) [default: v10].", metavar="VERSION"),
    Option(("--model",), "model", "value", "Device model [default: from update-<model>.htm].", metavar="MODEL"),
    Option(("--mode",), "mode", "choice", "Lint as an update script or as a file `cfg` loads.", choices=MODES),
    Option(("--url-map",), "url_map", "multi", "Find files `cfg` URLs load: URL prefix -> folder.", metavar="PREFIX=DIR"),
    Option(("--require-reason",), "require_reason", "flag", "Suppressions must give a reason (`-- why`)."),
    Option(("--simulate",), "simulate", "flag", "Also run the rules that simulate the script on a virtual device."),
    Option(("--fleet",), "fleet", "value",
           "With --simulate: also simulate this fleet (TOML, docs/fleet.md) polling the script.", metavar="FILE"),
    Option(("--config",), "config", "multi", "Set any configuration key (TOML value).", metavar="KEY=VALUE"),
    Option(("--show-settings",), "show_settings", "flag", "Print the settings for each file and where they came from."),
    Option(("--stdin-filename",), "stdin_filename", "value", "File name for `-` (configuration, model, messages).",
           metavar="NAME"),
    Option(("--no-cache",), "no_cache", "flag", "Do not read or write the cache."),
    Option(("--cache-dir",), "cache_dir", "value", "Cache folder [default: .innolint_cache next to the configuration].",
           metavar="DIR"),
    Option(("--baseline",), "baseline_file", "value", "Report only findings not recorded in this baseline.",
           metavar="FILE", file=True),
    Option(("--write-baseline",), "write_baseline", "value", "Record today's findings in FILE and exit 0.",
           metavar="FILE", file=True),
    Option(("--fix",), "fix", "flag", "Apply safe fixes and write the files."),
    Option(("--unsafe-fixes",), "unsafe_fixes", "flag", "With --fix or --diff: apply unsafe fixes too."),
    Option(("--diff",), "diff", "flag", "Print the fixes as a unified diff; change nothing."),
    Option(("--statistics",), "statistics", "flag", "Print the number of findings per rule instead of the findings."),
    Option(("-q", "--quiet"), "quiet", "flag", "Print the findings and nothing else (no summary, no notes)."),
    Option(("--exit-zero",), "exit_zero", "flag", "Exit 0 even when findings reach the fail level (2 stays for errors)."),
    Option(("--watch",), "watch", "flag",
           "Lint, then lint again whenever a file or configuration changes (Ctrl-C stops)."),
    Option(("--jobs",), "jobs", "int",
           "Processes for linting many files [default: a pool from 400 uncached files on 2+ cores].", low=1, high=64),
)

# What only the click command does: help, version, a rule's documentation.
CLICK_ONLY = frozenset(("-h", "--help", "--version", "--explain"))
SUBCOMMAND_WORDS = frozenset(("rule", "rules"))

_BY_FLAG = {flag: option for option in OPTIONS for flag in option.flags}


def defaults() -> dict[str, object]:
    """The options dict of a command line that gives none (as click builds it)."""
    return {o.dest: (() if o.kind == "multi" else False if o.kind == "flag" else o.default) for o in OPTIONS}


def parse_fast(argv: list[str]) -> tuple[tuple[str, ...], dict[str, object]] | None:
    """(paths, options) for a plain command line, or None: let click parse it.

    None for anything click should answer (help, version, subcommands, no
    PATH) or report (unknown options, bad values), so that both parsers
    accept exactly the same command lines and every error reads the same.
    """
    if argv and argv[0] in SUBCOMMAND_WORDS:
        return None
    values = defaults()
    multi: dict[str, list[str]] = {}
    paths: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == "--":
            paths.extend(argv[index:])
            break
        if not word.startswith("-") or word == "-":
            paths.append(word)
            continue
        name, equals, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in CLICK_ONLY:
            return None
        option = _BY_FLAG.get(name)
        if option is None:
            return None  # unknown, or short options bundled: click says what is wrong
        if option.kind == "flag":
            if equals:
                return None
            values[option.dest] = True
            continue
        if equals:
            value = attached
        elif index < len(argv):
            value = argv[index]
            index += 1
        else:
            return None  # a missing value
        if value.startswith("-") and value != "-" and not equals:
            return None  # an option where a value should be: click decides
        if option.kind == "choice" and value not in option.choices:
            return None
        if option.kind == "int":
            # ASCII only: `²` passes str.isdigit() but int() rejects it, and
            # `--5` survives lstrip; anything unreadable goes to click.
            try:
                number = int(value) if value.isascii() else None
            except ValueError:
                number = None
            if number is None or not option.low <= number <= option.high:
                return None
            values[option.dest] = number
            continue
        if option.file and os.path.isdir(value):
            return None  # click refuses a folder here
        if option.kind == "multi":
            multi.setdefault(option.dest, []).append(value)
        else:
            values[option.dest] = value
    if not paths:
        return None  # click's usage error
    for dest, given in multi.items():
        values[dest] = tuple(given)
    return tuple(paths), values
