"""Settings the rules and the engine read.

Built from defaults, configuration files and the command line (see
config.py); rules only read them.
"""

from __future__ import annotations

from .. import catalog
from ..records import NamedTuple
from .diagnostic import Severity

MODES = ("script", "cfg-payload")
PAYLOAD_MODE = "cfg-payload"  # a file that `mod cmd UP0 cfg` loads


class Settings(NamedTuple):
    target_version: str = catalog.DEFAULT_VERSION
    model: str | None = None  # None: inferred from the file name, else unknown
    mode: str = "script"
    select: tuple[str, ...] = ()  # codes, names or groups; empty: all rules
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = {}  # per rule code (never changed in place: settings are values)
    fail_level: Severity = Severity.WARNING
    require_reason: bool = False
    url_map: tuple[tuple[str, str], ...] = ()  # (URL prefix, folder)
    simulate: bool = False
    fleet: str | None = None  # fleet TOML for the simulation rules (with simulate)

    def replace(self, **changes) -> "Settings":
        return self._replace(**changes)


def payload_settings(settings: Settings) -> Settings:
    """The settings a payload of a script with ``settings`` is linted with."""
    return settings.replace(mode=PAYLOAD_MODE)
