"""The fleet description: which devices poll, how, and from where.

A fleet is read from a TOML file (format: docs/fleet.md) or derived from the
update scripts found in a document root.  Reading never raises anything but
``FleetSpecError``, whose message names the file and the key, so the command
line can print one line and exit 2.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_SERVER = "http://10.0.0.5/"
DEFAULT_START = datetime(2026, 12, 1, 18, 0)
DEFAULT_DAYS = 7.0
DEFAULT_COUNT = 10
# Devices in factory state poll every minute for up to 30 minutes (spec 2.3).
NEW_POLL_MINUTES = 1
NEW_WINDOW_MINUTES = 30


class FleetSpecError(ValueError):
    """A fleet file that cannot be used: ``file: key: what is wrong``."""

    def __init__(self, path: str, key: str, message: str) -> None:
        self.path = path
        self.key = key
        text = f"{path}: {key}: {message}" if key else f"{path}: {message}"
        super().__init__(text)


@dataclass(frozen=True)
class GroupSpec:
    """Devices that share a model, builds, settings and an update URL."""

    name: str
    count: int
    model: str  # catalogue name, e.g. "IP1200"
    update_url: str  # expanded: a trailing `/` already got update-<model>.htm
    firmware: str = ""  # running firmware build (PROT form, no dot)
    boot: str = ""  # running boot code build
    radio: str = ""  # running DECT radio (BMC) code
    vars: tuple[tuple[str, str], ...] = ()  # UPDATE/* values at the start, short names
    poll_minutes: int = 15
    has_clock: bool = True
    tz_offset_minutes: int = 0  # local time = simulation clock + offset
    boot_spread_hours: float = 24.0  # uptimes at the start are spread over [0, this)
    new_share: float = 0.0  # share of devices in factory state at the start
    busy_share: float = 0.0  # chance a device is in use at any poll
    target: str | None = None  # firmware that counts as "updated"; None: from the script

    @property
    def poll_seconds(self) -> int:
        return self.poll_minutes * 60

    @property
    def new_count(self) -> int:
        """How many devices start in factory state (the first ones of the group)."""
        return int(math.floor(self.new_share * self.count + 0.5))


@dataclass(frozen=True)
class FleetSpec:
    groups: tuple[GroupSpec, ...]
    path: str = "<default fleet>"
    seed: int = 0
    start: datetime = DEFAULT_START
    days: float = DEFAULT_DAYS
    server: str = DEFAULT_SERVER  # the base URL the document root answers
    bandwidth_kbit: float = 2000.0  # per transfer; duration = size / bandwidth
    restart_seconds: int = 60  # a restarting device is away this long
    options: tuple[tuple[str, object], ...] = field(default=())  # interpreter options

    @property
    def device_count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def seconds(self) -> int:
        return int(round(self.days * 86400))

    def transfer_seconds(self, size: int) -> int:
        """How long one transfer of ``size`` bytes keeps the server busy (at least 1 s)."""
        return max(1, int(math.ceil(size * 8 / (self.bandwidth_kbit * 1000))))

    def replace(self, **changes) -> "FleetSpec":
        from dataclasses import replace

        return replace(self, **changes)


# --------------------------------------------------------------------------
# Reading

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FLEET_KEYS = {"seed", "start", "days", "server", "bandwidth_kbit", "restart_seconds", "options", "groups"}
_GROUP_KEYS = {
    "count", "model", "update_url", "firmware", "boot", "radio", "vars", "poll_minutes", "has_clock",
    "tz_offset", "boot_spread_hours", "new_share", "busy_share", "target",
}


def load_fleet(path: str | Path) -> FleetSpec:
    """Read a fleet file; raises FleetSpecError naming the file and the key."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FleetSpecError(name, "", "no such file") from None
    except IsADirectoryError:
        raise FleetSpecError(name, "", "is a directory (give a .toml file)") from None
    except OSError as exc:
        raise FleetSpecError(name, "", f"cannot read ({exc.strerror or exc})") from None
    return parse_fleet(data, name)


def parse_fleet(data: bytes | str, path: str = "<fleet>") -> FleetSpec:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise FleetSpecError(path, "", "not UTF-8 text") from None
    try:
        table = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise FleetSpecError(path, "", f"not valid TOML ({exc})") from None
    return _fleet_from_table(table, path)


def _fleet_from_table(table: dict, path: str) -> FleetSpec:
    reader = _Reader(path)
    fleet = table.get("fleet", {})
    if not isinstance(fleet, dict):
        raise FleetSpecError(path, "fleet", "must be a table ([fleet])")
    unknown = sorted(set(table) - {"fleet", "groups"})
    if unknown:
        raise FleetSpecError(path, unknown[0], "unknown key (expected [fleet] and [groups.<name>])")
    reader.unknown(fleet, _FLEET_KEYS - {"groups"}, "fleet")
    seed = reader.integer(fleet, "seed", "fleet", 0)
    start = reader.start(fleet, "fleet")
    days = reader.number(fleet, "days", "fleet", DEFAULT_DAYS, low=0, low_open=True)
    server = reader.string(fleet, "server", "fleet", DEFAULT_SERVER)
    if not server.startswith(("http://", "https://")):
        raise FleetSpecError(path, "fleet.server", f"must be an http:// or https:// URL, not {server!r}")
    if not server.endswith("/"):
        server += "/"
    bandwidth = reader.number(fleet, "bandwidth_kbit", "fleet", 2000.0, low=0, low_open=True)
    restart = reader.integer(fleet, "restart_seconds", "fleet", 60, low=0)
    options = fleet.get("options", {})
    if not isinstance(options, dict):
        raise FleetSpecError(path, "fleet.options", "must be a table of interpreter options")
    groups_table = table.get("groups")
    if groups_table is None:
        raise FleetSpecError(path, "groups", "no device groups (add a [groups.<name>] table)")
    if not isinstance(groups_table, dict) or not groups_table:
        raise FleetSpecError(path, "groups", "must hold at least one [groups.<name>] table")
    groups = []
    for name, group in groups_table.items():
        groups.append(_group_from_table(reader, name, group, server))
    return FleetSpec(
        groups=tuple(groups), path=path, seed=seed, start=start, days=days, server=server,
        bandwidth_kbit=bandwidth, restart_seconds=restart, options=tuple(sorted(options.items())),
    )


def _group_from_table(reader: "_Reader", name: str, group: object, server: str) -> GroupSpec:
    key = f"groups.{name}"
    path = reader.path
    if not _NAME.match(name):
        raise FleetSpecError(path, key, "group names are letters, digits, `-`, `_` and `.`")
    if not isinstance(group, dict):
        raise FleetSpecError(path, key, "must be a table")
    reader.unknown(group, _GROUP_KEYS, key)
    count = reader.integer(group, "count", key, DEFAULT_COUNT, low=0)
    if "model" not in group:
        raise FleetSpecError(path, f"{key}.model", "missing (e.g. model = \"IP1200\")")
    model_name = reader.string(group, "model", key, "")
    model = catalog.find_model(model_name)
    if model is None:
        known = ", ".join(sorted(catalog.MODELS))
        raise FleetSpecError(path, f"{key}.model", f"unknown model {model_name!r} (known: {known})")
    url = reader.string(group, "update_url", key, server)
    if not url.startswith(("http://", "https://")):
        raise FleetSpecError(path, f"{key}.update_url", f"must be an http:// or https:// URL, not {url!r}")
    variables = group.get("vars", {})
    if not isinstance(variables, dict):
        raise FleetSpecError(path, f"{key}.vars", "must be a table such as { CHECK = \"2026-1\" }")
    pairs = []
    for var, value in variables.items():
        short = var.upper().removeprefix("UPDATE/")
        if short not in catalog.UPDATE_VARS:
            raise FleetSpecError(path, f"{key}.vars.{var}", f"unknown variable (known: {', '.join(catalog.UPDATE_VARS)})")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise FleetSpecError(path, f"{key}.vars.{var}", "must be a string")
        pairs.append((short, str(value)))
    target = group.get("target")
    if target is not None and (not isinstance(target, (str, int)) or isinstance(target, bool)):
        raise FleetSpecError(path, f"{key}.target", "must be a firmware build string")
    return GroupSpec(
        name=name,
        count=count,
        model=model.name,
        update_url=url + model.script_name if url.endswith("/") else url,
        firmware=reader.build(group, "firmware", key),
        boot=reader.build(group, "boot", key),
        radio=reader.build(group, "radio", key),
        vars=tuple(sorted(pairs)),
        poll_minutes=reader.integer(group, "poll_minutes", key, 15, low=1),
        has_clock=reader.boolean(group, "has_clock", key, True),
        tz_offset_minutes=int(round(reader.number(group, "tz_offset", key, 0.0, low=-14, high=14) * 60)),
        boot_spread_hours=reader.number(group, "boot_spread_hours", key, 24.0, low=0),
        new_share=reader.number(group, "new_share", key, 0.0, low=0, high=1),
        busy_share=reader.number(group, "busy_share", key, 0.0, low=0, high=1),
        target=None if target is None else str(target),
    )


class _Reader:
    """Typed access to TOML values with errors that name the key."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> FleetSpecError:
        return FleetSpecError(self.path, key, message)

    def unknown(self, table: dict, allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}.{key}", f"unknown key (known: {', '.join(sorted(allowed))})")

    def integer(self, table: dict, name: str, where: str, default: int, low: int | None = None) -> int:
        value = table.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{where}.{name}", f"must be an integer, not {value!r}")
        if low is not None and value < low:
            raise self.fail(f"{where}.{name}", f"must be at least {low}, not {value}")
        return value

    def number(self, table: dict, name: str, where: str, default: float, low: float | None = None,
               high: float | None = None, low_open: bool = False) -> float:
        value = table.get(name, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise self.fail(f"{where}.{name}", f"must be a number, not {value!r}")
        if low is not None and (value < low or (low_open and value == low)):
            raise self.fail(f"{where}.{name}", f"must be {'above' if low_open else 'at least'} {low:g}, not {value:g}")
        if high is not None and value > high:
            raise self.fail(f"{where}.{name}", f"must be at most {high:g}, not {value:g}")
        return float(value)

    def string(self, table: dict, name: str, where: str, default: str) -> str:
        value = table.get(name, default)
        if not isinstance(value, str) or not value or any(c.isspace() for c in value):
            raise self.fail(f"{where}.{name}", f"must be a non-empty string without blanks, not {value!r}")
        return value

    def build(self, table: dict, name: str, where: str) -> str:
        value = table.get(name, "")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or any(c.isspace() for c in value):
            raise self.fail(f"{where}.{name}", f"must be a build string such as \"13-5001234\", not {value!r}")
        return value

    def boolean(self, table: dict, name: str, where: str, default: bool) -> bool:
        value = table.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{name}", f"must be true or false, not {value!r}")
        return value

    def start(self, table: dict, where: str) -> datetime:
        value = table.get("start", DEFAULT_START)
        if isinstance(value, str):
            try:
                return parse_start(value)
            except ValueError as exc:
                raise self.fail(f"{where}.start", str(exc)) from None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None, second=0, microsecond=0)
        raise self.fail(f"{where}.start", f"must be a date and time such as 2026-12-01T18:00, not {value!r}")


def parse_start(text: str) -> datetime:
    """``2026-12-01T18:00`` (or with a blank instead of T); seconds are dropped."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise ValueError(f"not a date and time such as 2026-12-01T18:00: {text!r}") from None
    return value.replace(tzinfo=None, second=0, microsecond=0)


# --------------------------------------------------------------------------
# The default fleet


def default_fleet(root: str | Path, server: str = DEFAULT_SERVER) -> FleetSpec:
    """One group of ten devices per update-<model>.htm found in ``root``.

    Raises FleetSpecError when the folder holds no script for a known model.
    """
    folder = Path(root)
    groups = []
    for script in sorted(folder.glob("update-*")):
        model = catalog.model_from_filename(script.name)
        if model is None or not script.is_file():
            continue
        groups.append(GroupSpec(name=model.short, count=DEFAULT_COUNT, model=model.name,
                                update_url=server + script.name))
    if not groups:
        raise FleetSpecError(str(root), "", "no update-<model>.htm for a known model here; give --fleet")
    return FleetSpec(groups=tuple(groups), server=server)
