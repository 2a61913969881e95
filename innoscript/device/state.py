"""The virtual device's state: what a poll reads and what it leaves behind.

``DeviceState`` is frozen: a poll returns a new state and never changes the
one it was given, so the fleet simulation can keep states of many devices
and the convergence check can compare them.  Tables (variables,
configurations) are sorted tuples of pairs, which keeps the state hashable.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from .. import catalog

Config = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # module -> ((option, value), ...)
Vars = tuple[tuple[str, str], ...]  # full variable name -> value

UPDATE_PREFIX = "UPDATE/"
# Rolling backup index (spec 6.2, 7): kept with the UPDATE/* serials,
# cleared with them.
BACKUP_NUM = "CFG-BACKUP-NUM"
DEFAULT_CLOCK = datetime(2026, 1, 1, 2, 0)
DEFAULT_MAC = "00-90-33-03-0d-f0"


class DeviceError(ValueError):
    """A device description that cannot be used (unknown model, bad value)."""


@dataclass(frozen=True, slots=True)
class DeviceState:
    """One virtual device (spec section 10).  Build it with ``make_state``."""

    model: str = "IP232"  # catalogue name
    firmware: str = ""  # running firmware build, PROT form (no dot)
    boot: str = ""  # running boot code build
    radio: str = ""  # running DECT radio (BMC) code
    hardware_build: str = "100"  # #H
    mac: str = DEFAULT_MAC
    hardware_id: str = ""  # #h; make_state derives <MODEL>-<last 3 MAC bytes>
    ip: str = "192.168.0.20"
    update_url: str = ""
    poll_minutes: int = 15
    has_time: bool = True
    clock: datetime = DEFAULT_CLOCK  # local date and time (meaningless without has_time)
    uptime_min: int = 60
    is_new: bool = False  # factory state, no script fetched successfully yet
    idle: bool = True
    reset_required: bool = False
    power_save: bool = False  # IP72 power-save mode active
    vars: Vars = ()
    stamps: tuple[tuple[str, datetime], ...] = ()  # short name -> time of the last write ("PROTdate")
    edited_config: Config = ()  # what `config add/change` edited
    saved_config: Config = ()  # what `config write` stored (survives restarts)
    running_config: Config = ()  # what is active
    flashed: tuple[tuple[str, str], ...] = ()  # code downloaded, active after a restart: PROT/BOOT/BMC -> build
    pending_restart: str | None = None  # final command queued while the device was busy
    status: str = "not polled"

    # -- reading

    def var(self, name: str) -> str:
        """A variable's value ("" when unset); short UPDATE names allowed (`PROT`)."""
        full = update_var(name)
        for key, value in self.vars:
            if key == full:
                return value
        return ""

    def update_vars(self) -> dict[str, str]:
        """UPDATE/* serials by short name (only those that are set)."""
        n = len(UPDATE_PREFIX)
        return {k[n:]: v for k, v in self.vars if k.startswith(UPDATE_PREFIX)}

    @property
    def catalog_model(self) -> catalog.Model:
        return catalog.MODELS.get(self.model) or catalog.Model(self.model)

    def key(self) -> tuple:
        """What the device *is*, without the clock and bookkeeping (loop detection)."""
        values = [getattr(self, name) for name in _KEY_FIELDS]
        if any(name == _BACKUP_FULL for name, _ in self.vars):
            values[_VARS_AT] = tuple(p for p in self.vars if p[0] != _BACKUP_FULL)
        return tuple(values)

    def replace(self, **changes) -> "DeviceState":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain data for JSON (times as ISO text)."""
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat(timespec="minutes")
            elif f.name in ("vars", "flashed"):
                value = dict(value)
            elif f.name == "stamps":
                value = {k: t.isoformat(timespec="minutes") for k, t in value}
            elif f.name.endswith("_config"):
                value = {module: dict(options) for module, options in value}
            data[f.name] = value
        return data


# key(): every field but the clock, the uptime, the time stamps and the status.
_KEY_FIELDS = tuple(f.name for f in fields(DeviceState) if f.name not in ("clock", "uptime_min", "stamps", "status"))
_VARS_AT = _KEY_FIELDS.index("vars")
_BACKUP_FULL = UPDATE_PREFIX + BACKUP_NUM


def update_var(name: str) -> str:
    """`PROT` -> `UPDATE/PROT`; other names unchanged."""
    if "/" in name:
        return name
    if name in catalog.UPDATE_VARS or name == BACKUP_NUM:
        return UPDATE_PREFIX + name
    return name


_FIELDS = None


def make_state(model: str = "IP232", *, vars: dict[str, str] | None = None, **overrides) -> DeviceState:
    """A device of ``model`` (catalogue name, any case) with ``overrides``.

    ``vars`` takes UPDATE short names (`{"PROT": "08-1"}`) or full names.
    IP72 (WLAN) devices start in power-save mode.  Raises DeviceError for an
    unknown model or field.
    """
    global _FIELDS
    if _FIELDS is None:
        _FIELDS = {f.name for f in fields(DeviceState)}
    found = catalog.find_model(model)
    if found is None:
        raise DeviceError(f"unknown model {model!r} (known: {', '.join(sorted(catalog.MODELS))})")
    unknown = sorted(set(overrides) - _FIELDS)
    if unknown:
        raise DeviceError(f"unknown device field {unknown[0]!r}")
    if "firmware" in overrides:
        overrides["firmware"] = prot_form(overrides["firmware"])
    mac = overrides.get("mac", DEFAULT_MAC)
    overrides.setdefault("hardware_id", f"{found.name}-{mac[-8:]}")
    overrides.setdefault("power_save", found.wlan)
    table = dict(overrides.pop("vars", ()) if "vars" in overrides else ())
    for name, value in (vars or {}).items():
        table[update_var(name)] = str(value)
    poll = overrides.get("poll_minutes", 15)
    if not isinstance(poll, int) or poll < 1:
        raise DeviceError(f"poll interval must be a positive number of minutes, not {poll!r}")
    _seed_up1(overrides)
    return DeviceState(model=found.name, vars=tuple(sorted(table.items())), **overrides)


_CONFIGS = ("edited_config", "saved_config", "running_config")


def _seed_up1(overrides: dict) -> None:
    """The configurations hold the UP1 settings the device polls with (spec 2.1).

    A configuration given without UP1 gets the update URL and poll interval
    as its UP1 module, so `config add UP1 ...` merges with them and a
    restart restores them.  A configuration with UP1 but no explicit
    update_url / poll_minutes sets those from it.  The saved configuration
    is the default for the other two (running and saved start equal).
    """
    saved = overrides.setdefault("saved_config", ())
    for name in ("edited_config", "running_config"):
        overrides.setdefault(name, saved)
    url = overrides.get("update_url", "")
    poll = overrides.get("poll_minutes", 15)
    up1 = dict(dict(overrides["running_config"]).get("UP1", ()))
    if up1:
        overrides.setdefault("update_url", up1.get("/url", ""))
        # Read by the catalogue's parser: a backup may hold anything (`²`).
        value = catalog.setting_value("UP1", "/poll", up1.get("/poll"))
        if "poll_minutes" not in overrides and isinstance(value, int):
            overrides["poll_minutes"] = value
        return
    if not url and poll == 15:
        return
    settings = (("/poll", str(poll)),) if not url else (("/url", url), ("/poll", str(poll)))
    for name in _CONFIGS:
        table = dict(overrides[name])
        if "UP1" not in table:
            table["UP1"] = settings
            overrides[name] = tuple(sorted(table.items()))


def prot_form(build: str) -> str:
    """A build as the PROT parameter shows it: the Info page's dot removed (spec 2.2)."""
    return build.replace(".", "")


# -- small table helpers (used by the interpreter)


def config_to_dict(config: Config) -> dict[str, dict[str, str]]:
    return {module: dict(options) for module, options in config}


def config_from_dict(table: dict[str, dict[str, str]]) -> Config:
    return tuple(sorted((module, tuple(options.items())) for module, options in table.items()))
