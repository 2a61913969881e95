"""Configuration: `[tool.innolint]` in pyproject.toml or `.innolint.toml`.

Every setting comes from partial configurations merged in one place, in this
order (later wins): the defaults, the configuration file closest to the
linted file, the file's `[[overrides]]` whose `paths` match it, the command
line.  ``settings_for_path`` is the one entry point the command line and the
language server share; it also says where each value came from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import lru_cache

from .. import catalog
from ..records import NamedTuple
from . import registry
from .diagnostic import Severity
from .globs import path_matches
from .selection import known_key
from .settings import MODES, Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any



def _tomllib():
    """The TOML reader, imported when a configuration file is read (not on every start)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def __getattr__(name: str):
    if name == "tomllib":  # for callers that parse TOML values the same way
        return _tomllib()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

CONFIG_NAMES = (".innolint.toml", "pyproject.toml")  # in one folder, the first wins
_HEX = "[0-9a-fA-F]"
# Per-device scripts: `<MAC>.txt` (009033030df0.txt) and `<hwid>.htm`
# (IP1200-03-0d-f0.htm, or a MAC written with dashes).  A backup the
# official server stores as `<hwid>.<n>.txt` matches none of them.
PER_DEVICE_INCLUDE = (f"{_HEX * 12}.txt", f"{_HEX * 12}.htm", f"*-{_HEX * 2}-{_HEX * 2}-{_HEX * 2}.txt",
                      f"*-{_HEX * 2}-{_HEX * 2}-{_HEX * 2}.htm")
DEFAULT_INCLUDE = ("update-*.htm", "*.upd", *PER_DEVICE_INCLUDE)
ORIGIN_DEFAULT = "default"
ORIGIN_CLI = "command line"


class ConfigError(Exception):
    """A configuration that cannot be used; the message names file and key."""


# -- the keys -----------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_kind(value)}")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        return value.strip().lower() in ("true", "yes", "1", "on")
    raise ValueError(f"expected true or false, got {_kind(value)}")


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # the command line gives "A,B"
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings, got {_kind(value)}")
    return tuple(value)


def _version(value: Any) -> str:
    try:
        return catalog.normalize_version(_text(value))
    except ValueError:
        raise ValueError(f"unknown version {value!r} (one of {', '.join(catalog.VERSIONS)})") from None


def _model(value: Any) -> str:
    found = catalog.find_model(_text(value))
    if found is None:
        raise ValueError(f"unknown model {value!r} (one of {', '.join(sorted(catalog.MODELS))})")
    return found.name


def _mode(value: Any) -> str:
    if _text(value) not in MODES:
        raise ValueError(f"unknown mode {value!r} (one of {', '.join(MODES)})")
    return value


def _format(value: Any) -> str:
    from .report import FORMATS

    if _text(value) not in FORMATS:
        raise ValueError(f"unknown output format {value!r} (one of {', '.join(FORMATS)})")
    return value


def _severity(value: Any) -> Severity:
    return Severity.parse(_text(value))


def _rule_keys(value: Any) -> tuple[str, ...]:
    keys = _texts(value)
    for key in keys:
        if not known_key(key):
            raise ValueError(f"unknown rule {key!r} (a code such as UPD-025, a code prefix, a rule name or a group)")
    return keys


def _severities(value: Any) -> dict[str, Severity]:
    if isinstance(value, str):  # command line: "UPD-025=error,UPD-046=hint"
        pairs = [part.partition("=") for part in value.split(",") if part.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ValueError("expected CODE=SEVERITY")
        value = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(value, dict):
        raise ValueError(f"expected a table of CODE = severity, got {_kind(value)}")
    result: dict[str, Severity] = {}
    for key, level in value.items():
        found = registry.find(key)
        if found is None:
            raise ValueError(f"unknown rule {key!r}")
        result[found.code] = _severity(level)
    return result


def _url_map(value: Any) -> dict[str, str]:
    if isinstance(value, str):  # command line: "PREFIX=DIR"
        prefix, sep, folder = value.rpartition("=")
        if not sep or not prefix:
            raise ValueError("expected PREFIX=DIR")
        value = {prefix: folder}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"expected a table of URL prefix = folder, got {_kind(value)}")
    return dict(value)


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


class Key(NamedTuple):
    name: str  # as written in the file: kebab-case
    parse: Callable[[Any], Any]
    per_file: bool = True  # may appear in [[overrides]]
    doc: str = ""


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("target-version", _version, doc="firmware version the scripts run on"),
        Key("model", _model, doc="device model (else inferred from update-<model>.htm)"),
        Key("mode", _mode, doc="script, or cfg-payload for files loaded by `mod cmd UP0 cfg`"),
        Key("select", _rule_keys, doc="rules to run (codes, prefixes, names, groups); empty: all"),
        Key("ignore", _rule_keys, doc="rules not to run"),
        Key("extend-select", _rule_keys, doc="rules added to `select`"),
        Key("extend-ignore", _rule_keys, doc="rules added to `ignore`"),
        Key("severity", _severities, doc="severity per rule: { UPD-025 = \"error\" }"),
        Key("fail-level", _severity, doc="lowest severity that makes the exit status 1"),
        Key("require-reason", _flag, doc="suppressions must give a reason (`-- why`)"),
        Key("url-map", _url_map, doc="URL prefix = local folder, for files `cfg` loads"),
        Key("simulate", _flag, doc="also run the rules that simulate the script on a virtual device"),
        Key("fleet", _text, doc="fleet description (TOML) simulated with simulate = true"),
        Key("include", _texts, per_file=False, doc="file name globs linted when walking folders"),
        Key("exclude", _texts, per_file=False, doc="globs never linted when walking folders"),
        Key("respect-gitignore", _flag, per_file=False, doc="skip files .gitignore ignores"),
        Key("cache-dir", _text, per_file=False, doc="cache folder"),
        Key("format", _format, per_file=False, doc="output format when --format is not given"),
    )
}
SETTINGS_FIELDS = set(Settings._fields)


def normalize_key(key: str) -> str:
    return key.strip().replace("_", "-").lower()


def parse_values(raw: dict[str, Any], where: str, base_dir: str, *, per_file_only: bool = False) -> dict[str, Any]:
    """Validate and convert one partial configuration (keys kebab-case)."""
    values: dict[str, Any] = {}
    for raw_key, raw_value in raw.items():
        name = normalize_key(raw_key)
        key = KEYS.get(name)
        if key is None:
            raise ConfigError(f"{where}: unknown key {raw_key!r} (known: {', '.join(KEYS)})")
        if per_file_only and not key.per_file:
            raise ConfigError(f"{where}: {raw_key!r} cannot be set per path (only at the top level)")
        try:
            value = key.parse(raw_value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {raw_key}: {exc}") from None
        if name == "url-map":  # folders are relative to the file that names them
            value = {prefix: _absolute(folder, base_dir) for prefix, folder in value.items()}
        elif name in ("cache-dir", "fleet"):
            value = _absolute(value, base_dir)
        values[name] = value
    return values


def _absolute(path: str, base_dir: str) -> str:
    return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))


# -- configuration files ------------------------------------------------------


class Override(NamedTuple):
    paths: tuple[str, ...]
    values: dict[str, Any]
    label: str  # "overrides[1]"


class ConfigFile(NamedTuple):
    path: str  # absolute
    values: dict[str, Any]
    overrides: tuple[Override, ...] = ()

    @property
    def root(self) -> str:
        return os.path.dirname(self.path)


def _toml_text(raw: bytes, path: str) -> str:
    """The text of a TOML file, which must be UTF-8 (a UTF-8 byte-order mark is let pass).

    PowerShell 5 (`Out-File`, `>`) writes UTF-16: that gets a one-line error
    saying so, not a traceback.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and raw[1:2] == b"\0" and raw[:1] != b"\0"):
        raise ConfigError(f"{path}: UTF-16, not UTF-8 (as PowerShell 5 writes files): save it as UTF-8")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (bad byte at offset {exc.start}): save it as UTF-8") from None


def load_config(path: str | os.PathLike) -> ConfigFile | None:
    """Read one configuration file; None for a pyproject.toml without [tool.innolint]."""
    path = os.path.abspath(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    tomllib = _tomllib()
    try:
        data = tomllib.loads(_toml_text(raw, path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "innolint" not in tool:
            return None
        table, prefix = tool["innolint"], "tool.innolint."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {prefix.rstrip('.') or 'innolint'} must be a table")
    table = dict(table)
    raw_overrides = table.pop("overrides", [])
    if not isinstance(raw_overrides, list) or not all(isinstance(o, dict) for o in raw_overrides):
        raise ConfigError(f"{path}: {prefix}overrides must be an array of tables ([[{prefix}overrides]])")
    root = os.path.dirname(path)
    values = parse_values(table, f"{path}: {prefix.rstrip('.')}" if prefix else path, root)
    overrides = []
    for index, raw in enumerate(raw_overrides, 1):
        raw = dict(raw)
        label = f"{prefix}overrides[{index}]"
        paths = raw.pop("paths", None)
        try:
            paths = _texts(paths) if paths is not None else None
        except ValueError as exc:
            raise ConfigError(f"{path}: {label}.paths: {exc}") from None
        if not paths:
            raise ConfigError(f"{path}: {label}: needs `paths = [\"glob\", ...]`")
        overrides.append(Override(paths, parse_values(raw, f"{path}: {label}", root, per_file_only=True), label))
    return ConfigFile(path, values, tuple(overrides))


@lru_cache(maxsize=4096)
def find_config(directory: str) -> ConfigFile | None:
    """The configuration closest to ``directory`` (walking up to the root)."""
    current = os.path.abspath(directory)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate):
                config = load_config(candidate)
                if config is not None:
                    return config
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def config_for_path(path: str) -> ConfigFile | None:
    """The configuration that applies to a file (or folder, for discovery)."""
    if path in ("-", "") or path.startswith("<"):
        return find_config(os.getcwd())
    absolute = os.path.abspath(path)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return find_config(directory)


# -- merging ------------------------------------------------------------------

Provenance = dict  # setting name (kebab-case) -> where its value came from


class Resolved(NamedTuple):
    """Everything resolved for one path: Settings plus the run-level keys."""

    settings: Settings
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    respect_gitignore: bool
    cache_dir: str | None
    output_format: str | None
    config: ConfigFile | None
    provenance: Provenance


def merge(layers: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], Provenance]:
    """Merge partial configurations, later layers winning; tables merge per key."""
    merged: dict[str, Any] = {}
    origin: Provenance = {}
    for where, values in layers:
        # Within one layer `extend-*` adds to that layer's own list, whatever the key order.
        for name, value in sorted(values.items(), key=lambda item: item[0].startswith("extend-")):
            if name in ("severity", "url-map"):
                merged[name] = {**merged.get(name, {}), **value}
            elif name == "extend-select":
                merged["select"] = merged.get("select", ()) and tuple(merged["select"]) + value
                # an empty select means every rule: extending it changes nothing
                if merged["select"]:
                    origin["select"] = f"{origin.get('select', ORIGIN_DEFAULT)} + {where}"
                continue
            elif name == "extend-ignore":
                merged["ignore"] = tuple(merged.get("ignore", ())) + value
                origin["ignore"] = f"{origin['ignore']} + {where}" if "ignore" in origin else where
                continue
            else:
                merged[name] = value
            merged_table = name in ("severity", "url-map") and name in origin
            origin[name] = f"{origin[name]} + {where}" if merged_table else where
    return merged, origin


class Resolver:
    """Resolves settings for many paths: the command line read once, results memoized."""

    def __init__(self, cli_overrides: dict[str, Any] | None = None, *, cwd: str | None = None) -> None:
        self.cli_values = parse_values(cli_overrides, "command line", cwd or os.getcwd()) if cli_overrides else {}
        self._memo: dict[tuple, Resolved] = {}

    def __call__(self, path: str) -> Resolved:
        config = config_for_path(path)
        layers: list[tuple[str, dict[str, Any]]] = []
        if config is not None:
            layers.append((config.path, config.values))
            if config.overrides and path not in ("-", "") and not path.startswith("<"):
                relative = os.path.relpath(os.path.abspath(path), config.root).replace(os.sep, "/")
                for override in config.overrides:
                    if any(path_matches(relative, pattern) for pattern in override.paths):
                        layers.append((f"{config.path} [{override.label}]", override.values))
        memo_key = tuple(where for where, _ in layers)
        if memo_key not in self._memo:
            if self.cli_values:
                layers.append((ORIGIN_CLI, self.cli_values))
            self._memo[memo_key] = _resolved(layers, config)
        return self._memo[memo_key]


def _resolved(layers: list[tuple[str, dict[str, Any]]], config: ConfigFile | None) -> Resolved:
    merged, origin = merge(layers)
    provenance: Provenance = {key: origin.get(key, ORIGIN_DEFAULT) for key in KEYS if not key.startswith("extend-")}
    return Resolved(
        settings=_settings(merged),
        include=tuple(merged.get("include", DEFAULT_INCLUDE)),
        exclude=tuple(merged.get("exclude", ())),
        respect_gitignore=merged.get("respect-gitignore", True),
        cache_dir=merged.get("cache-dir"),
        output_format=merged.get("format"),
        config=config,
        provenance=provenance,
    )


def resolve(path: str, cli_overrides: dict[str, Any] | None = None, *, cwd: str | None = None) -> Resolved:
    """All settings for ``path``, with the origin of each value."""
    return Resolver(cli_overrides, cwd=cwd)(path)


def _settings(merged: dict[str, Any]) -> Settings:
    changes: dict[str, Any] = {}
    for name, value in merged.items():
        field_name = name.replace("-", "_")
        if field_name not in SETTINGS_FIELDS:
            continue
        if name == "url-map":
            value = tuple(sorted(value.items(), key=lambda item: -len(item[0])))  # longest prefix first
        changes[field_name] = value
    return Settings(**changes)


def settings_from_values(values: dict[str, Any], where: str = "values") -> Settings:
    """Settings from one partial configuration alone (no files), e.g. an editor's."""
    return _settings(merge([(where, values)])[0])


def settings_for_path(path: str, cli_overrides: dict[str, Any] | None = None) -> tuple[Settings, Provenance]:
    """Settings for one file and where each came from (the language server's entry point)."""
    resolved = resolve(path, cli_overrides)
    return resolved.settings, resolved.provenance


def settings_value(resolved: Resolved, key: str) -> Any:
    """A setting's value in TOML terms, for `--show-settings`."""
    settings = resolved.settings
    if key in ("include", "exclude"):
        return list(getattr(resolved, key))
    if key == "respect-gitignore":
        return resolved.respect_gitignore
    if key == "cache-dir":
        return resolved.cache_dir
    if key == "format":
        return resolved.output_format
    value = getattr(settings, key.replace("-", "_"))
    if isinstance(value, Severity):
        return value.name.lower()
    if key == "severity":
        return {code: level.name.lower() for code, level in sorted(value.items())}
    if key == "url-map":
        return dict(sorted(value))
    if isinstance(value, tuple):
        return list(value)
    return value


# Settings that decide what a run does with the findings, not what they are:
# the fail level sets the exit status only, so a run with another one reads
# the findings of the last run from the cache.
_NOT_IN_FINDINGS = frozenset({"fail_level"})


def settings_fingerprint(settings: Settings) -> str:
    """A stable text for what a Settings value gives the findings (their cache keys).

    The repr of plain values (texts, numbers, flags, tuples, sorted pairs):
    the same settings give the same text in every run, settings that can
    change a finding a different text, and a lint run, which asks for it,
    needs no json module.
    """
    data = []
    for name in Settings._fields:
        if name in _NOT_IN_FINDINGS:
            continue
        value = getattr(settings, name)
        if isinstance(value, dict):
            value = sorted((k, int(v) if isinstance(v, Severity) else v) for k, v in value.items())
        elif isinstance(value, Severity):
            value = int(value)
        data.append((name, value))
    return repr(data)


def clear_caches() -> None:
    """Forget configuration files read so far (tests, the language server on save)."""
    find_config.cache_clear()
