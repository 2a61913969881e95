"""What a virtual device does, as typed events (docs/interpreter.md).

Events are only built when a poll is traced (``trace=True``); the fleet
simulation runs untraced polls and reads the ``PollSummary`` instead, which
costs a handful of tuples per poll.  ``line`` is the 1-based line of the
script; 0 means the poll itself (fetching the script, a queued restart).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

_event = dataclass(frozen=True, slots=True)


@_event
class Event:
    line: int

    @property
    def event(self) -> str:
        """The event's name in JSON: "download", "restart", ..."""
        return _KINDS[type(self)]

    def to_dict(self) -> dict:
        return {"event": self.event, **asdict(self)}


@_event
class PollStarted(Event):
    url: str  # the expanded update URL with its query parameters
    clock: str | None  # local time "YYYY-MM-DD HH:MM", None without a time
    uptime_min: int
    new: bool


@_event
class Status(Event):
    status: str  # "ok", "failed(404)", ...


@_event
class LineExecuted(Event):
    command: str  # "prot", "config add", "times", ...
    outcome: str  # what it did: "up-to-date", "applied", "check pending", ...


@_event
class Skipped(Event):
    """The rest of the script from ``line`` on was not run."""

    by: str  # "check", "times", "initial"
    reason: str


@_event
class Download(Event):
    kind: str  # "prot", "boot", "bmc", "cfg"
    url: str  # what is requested
    serial: str
    status: int
    written: str = ""  # the URL as written (with the default name) when it differs from url


@_event
class Upload(Event):
    url: str  # what is requested (meta sequences replaced)
    status: int
    size: int
    written: str = ""  # the URL as written when it differs from url


@_event
class VariableChanged(Event):
    name: str  # full name, "UPDATE/PROT"
    old: str
    new: str


@_event
class ConfigChanged(Event):
    stage: str  # "edited", "saved", "running"; "lost": unsaved settings gone at a restart
    module: str  # "" for a whole-configuration step (write, activate)


@_event
class RestartQueued(Event):
    command: str  # waits until the device is idle


@_event
class Restart(Event):
    command: str  # final command that restarted the device
    activated: tuple[str, ...]  # code made active: "PROT 08-1", ...


@_event
class ScriptInterrupted(Event):
    """A restart while effective lines remained: the pending check is not committed."""

    remaining: int  # the first line that did not run


@_event
class CheckCommitted(Event):
    serial: str
    final: str


@_event
class Error(Event):
    message: str
    severity: str = "error"  # "error" or "warning"


_KINDS = {
    PollStarted: "poll-started",
    Status: "status",
    LineExecuted: "line-executed",
    Skipped: "skipped",
    Download: "download",
    Upload: "upload",
    VariableChanged: "variable-changed",
    ConfigChanged: "config-changed",
    RestartQueued: "restart-queued",
    Restart: "restart",
    ScriptInterrupted: "script-interrupted",
    CheckCommitted: "check-committed",
    Error: "error",
}
EVENT_TYPES = tuple(_KINDS)
