"""One poll of a virtual device: fetch the update script and run it.

The operational model is spec section 10; every rule below cites the
section it implements.  ``run_poll`` never raises on any parsed script:
malformed lines become ``Error`` events (and stop the script only when
``on_error="stop"``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from .. import catalog, values
from ..gcpause import paused_gc
from ..syntax import ast, parse
from . import events as ev
from .expand import expand_meta, update_url
from .fetch import NO_ANSWER, Fetcher, ok
from .options import DEFAULT_OPTIONS, InterpreterOptions
from .state import (
    BACKUP_NUM,
    UPDATE_PREFIX,
    DeviceState,
    config_from_dict,
    config_to_dict,
    prot_form,
)

# Why a poll ended (the `stopped_by` of the JSON output).
END, CHECK, TIMES, INITIAL, RESTART, ERROR, FETCH = "end", "check", "times", "initial", "restart", "error", "fetch"
_CHECK_VAR = UPDATE_PREFIX + "CHECK"
DEFAULT_POLL_MINUTES = catalog.setting_value("UP1", "/poll", None)  # 15, spec 2.1
_BACKUP_VAR = UPDATE_PREFIX + BACKUP_NUM


@dataclass(frozen=True, slots=True)
class DownloadInfo:
    line: int
    kind: str  # prot, boot, bmc, cfg
    url: str  # what is requested (a `#...` fragment is not sent)
    serial: str
    status: int
    written: str = ""  # the URL as the line gives it, with the default name; "" when the same as url


@dataclass(frozen=True, slots=True)
class UploadInfo:
    line: int
    url: str  # what is requested: meta sequences replaced, no fragment
    status: int
    size: int
    crc: int  # CRC-32 of the body without its always-changing lines (content_crc)
    written: str = ""  # the URL as the line gives it; "" when the same as url


@dataclass(frozen=True, slots=True)
class RestartInfo:
    line: int  # 0: a restart queued in an earlier poll
    command: str


@dataclass(frozen=True, slots=True)
class PollSummary:
    """What one poll did, cheap enough for millions of polls."""

    status: str  # "ok", "failed(404)", "no update URL"
    stopped_by: str  # end, check, times, initial, restart, error, fetch
    stop_line: int  # the line that stopped the script (0: none)
    executed: tuple[int, ...]
    downloads: tuple[DownloadInfo, ...]
    uploads: tuple[UploadInfo, ...]
    restarts: tuple[RestartInfo, ...]
    check_committed: bool
    vars_changed: bool  # the rolling backup index is not counted
    config_changed: bool
    errors: int
    config_applied: bool = False  # a `config write`/`activate` or a `cfg` load ran, changed or not

    @property
    def changed(self) -> bool:
        """Downloaded, restarted or changed a variable or the configuration."""
        return bool(self.downloads or self.restarts or self.vars_changed or self.config_changed)

    @property
    def quiet(self) -> bool:
        """Did nothing at all: no change, no download, no upload, no restart and
        no configuration stored or activated again (what convergence asks)."""
        return not (self.changed or self.uploads or self.config_applied)


@dataclass(frozen=True, slots=True)
class PollResult:
    state: DeviceState
    events: tuple[ev.Event, ...]  # empty unless traced
    summary: PollSummary


# -- caches: a script is parsed and planned once, however many devices run it

_PARSED: dict[bytes, ast.Script] = {}
_PLANS: dict[int, tuple[ast.Script, tuple[ast.Line, ...]]] = {}
_CACHE_SIZE = 128
_LARGE_PLAN = 2000  # lines; above this a poll runs with cyclic GC paused


def _evict(cache: dict) -> None:
    # Oldest first; another thread may have evicted the same entry already.
    try:
        cache.pop(next(iter(cache)), None)
    except (StopIteration, RuntimeError):
        pass


def _parse_cached(body: bytes) -> ast.Script:
    script = _PARSED.get(body)
    if script is None:
        if len(_PARSED) >= _CACHE_SIZE:
            _evict(_PARSED)
        script = _PARSED[body] = parse(body)
    return script


def _plan(script: ast.Script) -> tuple[ast.Line, ...]:
    """The lines the device runs: commands and unreadable lines (not blanks, comments)."""
    entry = _PLANS.get(id(script))
    if entry is not None and entry[0] is script:
        return entry[1]
    plan = tuple(script.lines_of(ast.Command, ast.SyntaxErrorLine))
    if len(_PLANS) >= _CACHE_SIZE:
        _evict(_PLANS)
    _PLANS[id(script)] = (script, plan)
    return plan


def _differing(a: dict, b: dict) -> set[str]:
    return {m for m in a.keys() | b.keys() if a.get(m) != b.get(m)}


def _clock_text(state: DeviceState) -> str | None:
    return state.clock.strftime("%Y-%m-%d %H:%M") if state.has_time else None


def _name(line: ast.Line) -> str:
    """How events name a command: `prot`, `config add`, `reset`."""
    if isinstance(line, ast.ModCommand):
        verb = line.verb.text if line.verb else ""
        return verb if line.spec else f"mod cmd {line.module.text if line.module else ''} {verb}".strip()
    if isinstance(line, ast.ConfigLine):
        return f"config {line.verb.text}" if line.verb else "config"
    if isinstance(line, ast.VarsLine):
        return f"vars {line.verb.text}" if line.verb else "vars"
    if isinstance(line, ast.FinalLine):
        return line.word.text
    if isinstance(line, ast.GenericLine):
        return line.head.text
    return line.kind


class _Poll:
    """The mutable scratch copy of a state while one poll runs."""

    def __init__(self, state: DeviceState, fetcher: Fetcher, options: InterpreterOptions, trace: bool) -> None:
        self.state = state
        self.fetcher = fetcher
        self.options = options
        self.trace = trace
        self.events: list[ev.Event] = []
        self.model = state.catalog_model
        self.firmware = state.firmware
        self.boot = state.boot
        self.radio = state.radio
        self.uptime = state.uptime_min
        self.is_new = state.is_new
        self.was_new = state.is_new
        self.reset_required = state.reset_required
        self.power_save = state.power_save
        self.update_url = state.update_url
        self.poll_minutes = state.poll_minutes
        self.pending_restart = state.pending_restart
        self.vars = dict(state.vars)
        self.stamps = dict(state.stamps)
        self.flashed = dict(state.flashed)
        self.edited = config_to_dict(state.edited_config)
        self.saved = config_to_dict(state.saved_config)
        self.running = config_to_dict(state.running_config)
        # Modules whose edited settings may differ from the saved / running
        # ones: `config write` and `config activate` copy only these, so a
        # long run of `config add` lines costs constant time per line.
        self.unsaved = _differing(self.edited, self.saved)
        self.inactive = _differing(self.edited, self.running)
        self.config_applied = False  # a write, activate or cfg load ran
        self.status = state.status
        self.pending_check: tuple[str, ast.Token, int] | None = None
        self.executed: list[int] = []
        self.downloads: list[DownloadInfo] = []
        self.uploads: list[UploadInfo] = []
        self.restarts: list[RestartInfo] = []
        self.check_committed = False
        self.vars_changed = False
        self.config_changed = False
        self.errors = 0
        self.plan: tuple[ast.Line, ...] = ()
        self.stop_line = 0

    # -- small helpers

    def emit(self, event: ev.Event) -> None:
        self.events.append(event)

    def fail(self, line: int, message: str) -> str | None:
        """A malformed line: error event; stop only with on_error=stop (spec 10.10)."""
        self.errors += 1
        if self.trace:
            self.emit(ev.Error(line, message))
        return ERROR if self.options.on_error == "stop" else None

    def transfer_failed(self, line: int, message: str) -> str | None:
        """A failed UP0 transfer: continue or stop (spec Q3, option transfer_failure)."""
        self.errors += 1
        if self.trace:
            self.emit(ev.Error(line, message))
        return ERROR if self.options.transfer_failure == "stop" else None

    def warn(self, line: int, message: str) -> None:
        if self.trace:
            self.emit(ev.Error(line, message, "warning"))

    def done(self, line: ast.Line, outcome: str) -> None:
        if self.trace:
            self.emit(ev.LineExecuted(line.number, _name(line), outcome))

    def var(self, name: str) -> str:
        return self.vars.get(name, "")

    def set_var(self, line: int, name: str, value: str) -> None:
        old = self.vars.get(name, "")
        if old == value and name in self.vars:
            return
        self.vars[name] = value
        if name != _BACKUP_VAR:
            self.vars_changed = True
        if self.trace:
            self.emit(ev.VariableChanged(line, name, old, value))

    def del_var(self, line: int, name: str) -> None:
        if name in self.vars:
            old = self.vars.pop(name)
            if name != _BACKUP_VAR:
                self.vars_changed = True
            if self.trace:
                self.emit(ev.VariableChanged(line, name, old, ""))

    def stamp(self, short: str) -> None:
        # `...date` companions (spec 7); without a clock there is no time to keep.
        if self.state.has_time:
            self.stamps[short] = self.state.clock

    def remaining_after(self, index: int) -> int:
        """The first effective line after plan position ``index`` (0: none)."""
        return self.plan[index + 1].number if index + 1 < len(self.plan) else 0

    # -- restarts and final commands (spec 4, 10)

    def final(self, token: ast.Token | None, line: int, index: int) -> str | None:
        if token is None:
            return None
        word = token.text
        command = catalog.FINAL_COMMANDS.get(word)
        if command is None:
            # Unknown words act as `ser` (spec 10.10); `no-op` is the spec's own word for it (13.5).
            if word in catalog.NOOP_ALIASES:
                self.warn(line, f"final command {word!r} is not a device word; it acts as `ser`")
            else:
                self.errors += 1
                if self.trace:
                    self.emit(ev.Error(line, f"unknown final command {word!r}; treated as `ser`"))
            return None
        if not command.restarts:
            return None
        if command.watchdog and not self.model.reboot:
            self.errors += 1
            if self.trace:
                self.emit(ev.Error(line, f"`{word}` does not work on {self.model.name}; no restart"))
            return None
        if command.only_if_required and not self.reset_required:
            return None
        if command.when_idle and not self.state.idle:
            # Not idle: the reset waits, the script goes on (spec 4, ireset model).
            self.pending_restart = word
            if self.trace:
                self.emit(ev.RestartQueued(line, word))
            return None
        remaining = self.remaining_after(index)
        if remaining:
            # Interrupted: a further effective line would have run (Q14).
            if self.trace and self.pending_check is not None:
                self.emit(ev.ScriptInterrupted(line, remaining))
            self.pending_check = None
        else:
            self.commit_check(line, run_final=False)
        self.restart(line, word)
        return RESTART

    def restart(self, line: int, word: str) -> None:
        """uptime 0, new code active, reset-required cleared, saved config active (spec 10)."""
        activated = tuple(f"{k} {v}" for k, v in sorted(self.flashed.items()))
        # The flashed builds become the running ones (the catalogue names
        # which build each download replaces).
        for command in catalog.COMMANDS:
            if command.running is not None and command.writes in self.flashed:
                setattr(self, command.running, self.flashed[command.writes])
        self.flashed = {}
        self.uptime = 0
        self.reset_required = False
        self.pending_restart = None
        # IP72: the phone boots into its configured power-save mode (spec 5.8).
        self.power_save = self.model.wlan
        lost = sorted(m for m in self.unsaved if self.edited.get(m) != self.saved.get(m))
        if lost or self.running != self.saved:
            self.config_changed = True
        if self.trace:
            # Active or edited but never written: gone with the restart (spec 5.10, UPD-070).
            for module in lost:
                self.emit(ev.ConfigChanged(line, "lost", module))
        self.edited = {m: dict(o) for m, o in self.saved.items()}
        self.running = {m: dict(o) for m, o in self.saved.items()}
        self.unsaved = set()
        self.inactive = set()
        self.apply_up1()
        if not self.options.update_vars_survive_reboot:
            for name in [n for n in self.vars if n.startswith(UPDATE_PREFIX)]:
                self.del_var(line, name)
        self.restarts.append(RestartInfo(line, word))
        if self.trace:
            self.emit(ev.Restart(line, word, activated))

    def apply_up1(self) -> None:
        """The active UP1 settings become the update URL and poll interval (spec 2.1)."""
        up1 = self.running.get("UP1")
        if up1 is None:
            return
        # The module's settings are complete (`config change` states them
        # all, spec 5.10): an omitted /url is no URL, an omitted /poll the
        # default interval (spec 2.1).
        self.update_url = up1.get("/url", "")
        # Values were checked when the configuration line ran; a state file
        # may still hold anything, which the catalogue's parser rejects.
        # Omitted: the catalogue's default.
        poll = catalog.setting_value("UP1", "/poll", up1.get("/poll"))
        if isinstance(poll, int):
            self.poll_minutes = poll

    def commit_check(self, line: int, *, run_final: bool = True, index: int | None = None) -> str | None:
        """The deferred check commit (spec 4, 5.1)."""
        if self.pending_check is None:
            return None
        serial, final, check_line = self.pending_check
        self.pending_check = None
        self.set_var(check_line, _CHECK_VAR, serial)
        self.check_committed = True
        if self.trace:
            self.emit(ev.CheckCommitted(check_line, serial, final.text))
        if run_final:
            return self.final(final, check_line, len(self.plan) if index is None else index)
        return None

    # -- the poll

    def run(self, script: ast.Script | None) -> str:
        state = self.state
        if self.pending_restart and (state.idle or self.pending_restart == POWER_CUT):
            # A reset queued while the device was busy happens once it is
            # idle; a power cut (``power_cut``) happened already.
            self.restart(0, self.pending_restart)
        if self.restarts:
            # The restarted device polls with its new builds, serials and UP1 settings.
            state = state.replace(
                firmware=self.firmware, boot=self.boot, radio=self.radio, update_url=self.update_url,
                poll_minutes=self.poll_minutes, vars=tuple(sorted(self.vars.items())),
            )
        url = update_url(state, self.options) if state.update_url else ""
        if self.trace:
            clock = _clock_text(state)
            self.emit(ev.PollStarted(0, url, clock, self.uptime, self.was_new))
        if script is None:
            if not state.update_url:
                self.status = "no update URL"
                if self.trace:
                    self.emit(ev.Status(0, self.status))
                return FETCH
            response = self.fetcher.get(url)
            if not ok(response.status):
                self.status = f"failed({response.status})"
                if self.trace:
                    self.emit(ev.Status(0, self.status))
                return FETCH
            script = _parse_cached(response.body)
        self.status = "ok"
        self.is_new = False
        if self.trace:
            self.emit(ev.Status(0, "ok"))
        self.plan = plan = _plan(script)
        if len(plan) > _LARGE_PLAN:
            # Cyclic collections would walk the whole parsed script again and
            # again while the lines allocate; reference counting frees it all.
            with paused_gc():
                return self.lines(plan)
        return self.lines(plan)

    def lines(self, plan: tuple[ast.Line, ...]) -> str:
        handlers = _HANDLERS
        for index, line in enumerate(plan):
            self.executed.append(line.number)
            if self.options.warn_extra_tokens and getattr(line, "extra", None):
                self.warn(line.number, f"ignored extra words: {' '.join(t.text for t in line.extra)}")
            if isinstance(line, ast.ModCommand) and line.options and _unreadable(self, line):
                # A value its catalogue kind cannot read: the line does nothing.
                stop = ERROR if self.options.on_error == "stop" else None
            else:
                stop = handlers.get(type(line), _generic)(self, line, index)
            if stop is not None:
                self.stop_line = line.number
                if stop == INITIAL:
                    # Nothing ran: a new device stays new, so once /initial has
                    # passed it runs the script even outside /allow (spec 5.2,
                    # the seed's "updated after a restart and after the six
                    # minutes have elapsed").
                    self.is_new = self.was_new
                if stop in (TIMES, INITIAL) and self.options.commit_check_after_times_cancel:
                    self.commit_check(line.number, index=index)
                return stop
        self.commit_check(0)
        return END

    def result(self, stopped_by: str) -> PollResult:
        s = self.state
        new_state = DeviceState(
            model=s.model,
            firmware=self.firmware,
            boot=self.boot,
            radio=self.radio,
            hardware_build=s.hardware_build,
            mac=s.mac,
            hardware_id=s.hardware_id,
            ip=s.ip,
            update_url=self.update_url,
            poll_minutes=self.poll_minutes,
            has_time=s.has_time,
            clock=s.clock,
            uptime_min=self.uptime,
            is_new=self.is_new,
            idle=s.idle,
            reset_required=self.reset_required,
            power_save=self.power_save,
            vars=tuple(sorted(self.vars.items())),
            stamps=tuple(sorted(self.stamps.items())),
            edited_config=config_from_dict(self.edited),
            saved_config=config_from_dict(self.saved),
            running_config=config_from_dict(self.running),
            flashed=tuple(sorted(self.flashed.items())),
            pending_restart=self.pending_restart,
            status=self.status,
        )
        summary = PollSummary(
            status=self.status,
            stopped_by=stopped_by,
            stop_line=self.stop_line,
            executed=tuple(self.executed),
            downloads=tuple(self.downloads),
            uploads=tuple(self.uploads),
            restarts=tuple(self.restarts),
            check_committed=self.check_committed,
            vars_changed=self.vars_changed,
            config_changed=self.config_changed,
            errors=self.errors,
            config_applied=self.config_applied,
        )
        return PollResult(new_state, tuple(self.events), summary)


def _unreadable(p: _Poll, line: ast.ModCommand) -> bool:
    """Log an error for each option whose value its catalogue kind cannot read.

    Checked before any handler runs, for every option of every command
    (spec 10.10: every bad value is reported, not only the first); True
    when there was one.
    """
    bad = [option for option in line.options if option.invalid is not None]
    for option in bad:
        p.fail(line.number, f"{option.key}: {option.invalid.message}")
    return bool(bad)


# -- one handler per node type: (poll, line, plan index) -> stop reason or None


def _times(p: _Poll, line: ast.Times, index: int) -> str | None:
    """spec 5.2, 9, 10.2."""
    if line.verb is not None and line.verb.text != "times" and not p.options.accept_time_alias:
        return p.fail(line.number, f"unknown command `mod cmd UP1 {line.verb.text}` (option accept_time_alias is off)")
    initial = line.initial.parsed if line.initial is not None else None
    hours = [hour.value for hour in line.allow.parsed] if line.allow is not None else None
    if initial is not None and p.uptime < initial:
        if p.trace:
            p.emit(ev.Skipped(line.number, INITIAL, f"uptime {p.uptime} min is within /initial {initial}"))
        return INITIAL
    if hours is not None:
        if not p.state.has_time:
            if p.trace:
                p.emit(ev.Skipped(line.number, TIMES, "the device has no time"))
            return TIMES
        hour = p.state.clock.hour
        if hour not in hours:
            if initial is not None and p.was_new and p.options.initial_lifts_allow:
                p.done(line, f"hour {hour} not allowed, but a new device with /initial runs anyway")
                return None
            if p.trace:
                p.emit(ev.Skipped(line.number, TIMES, f"hour {hour} is not in /allow {line.allow.value.text}"))
            return TIMES
    p.done(line, "allowed")
    return None


def _check(p: _Poll, line: ast.Check, index: int) -> str | None:
    """spec 5.1, 4 (deferred commit), Q10."""
    if line.final is None or line.serial is None:
        return p.fail(line.number, "check needs <final-command> <serial>")
    serial = line.serial.text
    if p.var(_CHECK_VAR) == serial:
        if p.trace:
            p.emit(ev.Skipped(line.number, CHECK, f"UPDATE/CHECK is already {serial}"))
        return CHECK
    if p.pending_check is None or p.options.multiple_checks == "last":
        p.pending_check = (serial, line.final, line.number)
    p.done(line, f"check {serial} pending")
    return None


def _download(p: _Poll, line: ast.Download, index: int) -> str | None:
    """prot / boot / bmc: spec 5.3-5.5, 10.4."""
    spec = line.spec
    kind = spec.verb
    short = spec.reads
    if line.url is None or line.final is None or line.serial is None:
        return p.fail(line.number, f"{kind} needs <url> <final-command> <serial>")
    if not p.model.has(spec.models):
        return p.fail(line.number, f"{p.model.name} has no {spec.models} capability: {kind} ignored")
    serial = line.serial.text
    name = UPDATE_PREFIX + short
    running = getattr(p, spec.running) if spec.running else ""
    compare = p.var(name) or running
    if compare == serial:
        p.done(line, f"up to date ({serial})")
        return None
    url = line.url.text
    if url.endswith("/") and spec.default_name(p.model):
        url += spec.default_name(p.model)
    if spec.needs_active_mode and p.model.wlan and p.power_save:
        p.warn(line.number, "download while the phone is in power-save mode (spec 5.8: use activate-pwr)")
    requested, written = _requested(url, url)
    if kind in ("prot", "boot") and p.model.wlan and p.power_save and p.options.power_save_fails:
        status = NO_ANSWER  # the broken HTTP session of spec 5.8
    else:
        status = p.fetcher.get(requested).status
    p.downloads.append(DownloadInfo(line.number, kind, requested, serial, status, written))
    if p.trace:
        p.emit(ev.Download(line.number, kind, requested, serial, status, written))
    if not ok(status):
        return p.transfer_failed(line.number, f"{kind} download failed({status}): {requested}")
    # The device reports its build without the Info page's dot (spec 2.2).
    p.flashed[short] = prot_form(serial) if short == "PROT" else serial
    p.set_var(line.number, name, serial)
    p.stamp(short)
    p.reset_required = True
    p.done(line, f"downloaded {serial}")
    return p.final(line.final, line.number, index)


def _requested(url: str, text: str) -> tuple[str, str]:
    """(what an HTTP client requests, the URL as written when that differs).

    Everything from a `#` on is a fragment, which HTTP clients do not send:
    `http://h/fw/#h/IP1200.bin` requests `http://h/fw/`.  ``url`` is the
    URL after default names and meta sequences; ``text`` as the line has it.
    """
    requested = url.split("#", 1)[0]
    written = url if url != requested else (text if text != requested and "#" in text else "")
    return requested, written


def _backup_text(p: _Poll) -> bytes:
    """The saved configuration as `scfg` uploads it (spec 8)."""
    out = []
    for module, options in sorted(p.saved.items()):
        words = " ".join(f"{k} {v}" if v else k for k, v in options.items())
        out.append(f"config change {module} {words}".rstrip())
    if p.update_url and "UP1" not in p.saved:
        out.append(f"config change UP1 /url {p.update_url} /poll {p.poll_minutes}")
    for name, value in sorted(p.vars.items()):
        out.append(f"vars create {name} p {value}")
    return "".join(line + "\r\n" for line in out).encode("utf-8")


# Lines of a backup that change on every upload; the official server drops
# them before deciding whether a backup changed (spec 5.6).
_VOLATILE = (b"vars create UPDATE/", b"config change UP1 ", b"mod cmd FLASHDIR0 add-item")


def content_crc(body: bytes) -> int:
    """CRC-32 of a backup without its always-changing lines."""
    if not any(v in body for v in _VOLATILE):
        return zlib.crc32(body)
    kept = [line for line in body.splitlines() if not line.startswith(_VOLATILE)]
    return zlib.crc32(b"\n".join(kept))


def _scfg(p: _Poll, line: ast.Scfg, index: int) -> str | None:
    """spec 5.6, 6, 10.5."""
    if line.url is None:
        return p.fail(line.number, "scfg needs <url>")
    if line.final is not None and line.serial is None:
        # `scfg <url> ser /force 168`: a final command without its serial is
        # malformed (spec 5.6 form, 10.10): an error, nothing uploaded.
        return p.fail(line.number, "scfg needs <save-serial> after the final command; nothing uploaded")
    if line.serial is None and line.force is not None:
        return p.fail(line.number, "scfg /force needs <final-command> <save-serial> before it; nothing uploaded")
    serial = line.serial.text if line.serial is not None else None
    force = line.force.parsed if line.force is not None else None
    always = line.always
    if serial is not None and always is None and p.var(UPDATE_PREFIX + "SCFG") == serial:
        last = p.stamps.get("SCFG")
        due = force is not None and p.state.has_time and (
            last is None or (p.state.clock - last).total_seconds() >= force * 3600
        )
        if not due:
            p.done(line, f"backup {serial} already saved")
            return None
    rolling = _next_index(p.vars.get(_BACKUP_VAR, ""))
    url, size = expand_meta(line.url.text, p.state, p.options, backup_index=rolling)
    if always is not None:
        # The output of the command is not modelled: its text stands in (spec Q5).
        command = always.parsed
        body = f"# output of: {command}\r\n".encode("utf-8")
    else:
        body = _backup_text(p)
    url, written = _requested(url, line.url.text)
    status = p.fetcher.put(url, body)
    p.uploads.append(UploadInfo(line.number, url, status, len(body), content_crc(body), written))
    if p.trace:
        p.emit(ev.Upload(line.number, url, status, len(body), written))
    if not ok(status):
        return p.transfer_failed(line.number, f"backup upload failed({status}): {url}")
    if serial is not None:
        p.set_var(line.number, UPDATE_PREFIX + "SCFG", serial)
        p.stamp("SCFG")
    if size is not None:
        p.set_var(line.number, _BACKUP_VAR, str(rolling % size))
        p.stamp(BACKUP_NUM)
    p.done(line, "uploaded")
    return p.final(line.final, line.number, index)


def _next_index(last: str) -> int:
    """The rolling index after ``last`` (expand_meta takes it modulo n, spec 6.2)."""
    number = values.ascii_number(last)
    return 0 if number is None else number + 1


def _cfg(p: _Poll, line: ast.Cfg, index: int) -> str | None:
    """spec 5.7, 10.6: load, execute, implicit `config write`, no activation."""
    if line.url is None or line.final is None or line.serial is None:
        return p.fail(line.number, "cfg needs <url> <final-command> <serial>")
    serial = line.serial.text
    name = UPDATE_PREFIX + "CFG"
    if p.options.cfg_compares_serial and p.var(name) == serial:
        p.done(line, f"configuration {serial} already loaded")
        return None
    url, written = _requested(line.url.text, line.url.text)
    response = p.fetcher.get(url)
    p.downloads.append(DownloadInfo(line.number, "cfg", url, serial, response.status, written))
    if p.trace:
        p.emit(ev.Download(line.number, "cfg", url, serial, response.status, written))
    if not ok(response.status):
        return p.transfer_failed(line.number, f"cfg download failed({response.status}): {url}")
    payload = _parse_cached(response.body)
    for inner in payload.lines:
        where = f"line {inner.number} of {url}"
        if isinstance(inner, (ast.ConfigLine, ast.VarsLine)):
            handler = _config if isinstance(inner, ast.ConfigLine) else _vars
            handler(p, inner, index, origin=line.number)
        elif isinstance(inner, ast.ModCommand) and inner.module is not None and inner.module.text.upper() == "UP0":
            p.fail(line.number, f"UP0 commands cannot be nested: {where} ignored")
        elif isinstance(inner, (ast.FinalLine, ast.Times, ast.Check, ast.SyntaxErrorLine)):
            p.fail(line.number, f"not a configuration command: {where} ignored")
    _write(p, line.number)
    p.set_var(line.number, name, serial)
    p.stamp("CFG")
    p.done(line, f"loaded {serial}")
    return p.final(line.final, line.number, index)


def _copy_modules(p: _Poll, modules: set[str], target: dict[str, dict[str, str]]) -> list[str]:
    """Copy the edited settings of ``modules`` into ``target``; the modules that changed."""
    changed = []
    for module in sorted(modules):
        options = p.edited.get(module)
        if options is None:
            if target.pop(module, None) is not None:
                changed.append(module)
        elif target.get(module) != options:
            target[module] = dict(options)
            changed.append(module)
    modules.clear()
    return changed


def _write(p: _Poll, number: int) -> None:
    """`config write`: the edited configuration is stored (spec 5.10)."""
    p.config_applied = True
    changed = _copy_modules(p, p.unsaved, p.saved)
    if changed:
        p.config_changed = True
        if p.options.config_change_requires_reset:
            p.reset_required = True
        if p.trace:
            for module in changed:
                p.emit(ev.ConfigChanged(number, "saved", module))


def _activate(p: _Poll, number: int) -> None:
    """`config activate`: the edited configuration, written or not, runs (spec 5.10)."""
    p.config_applied = True
    changed = _copy_modules(p, p.inactive, p.running)
    if changed:
        p.config_changed = True
        if "UP1" in changed:
            p.apply_up1()
        if p.trace:
            for module in changed:
                p.emit(ev.ConfigChanged(number, "running", module))


def _config(p: _Poll, line: ast.ConfigLine, index: int, origin: int = 0) -> str | None:
    """config add/change/rem/write/activate: spec 5.10, Q12."""
    number = origin or line.number
    verb = line.verb.text if line.verb else ""
    spec = line.spec
    if spec is None:
        return p.fail(number, f"unknown config verb {verb!r}")
    if spec.takes_module:
        target = line.target
        if target is None:
            return p.fail(number, f"config {verb} needs a module")
        for option in line.options:
            if option.invalid is not None:
                return p.fail(number, f"{target} {option.key}: {option.invalid.message}")
        current = p.edited.get(target)
        if spec.edit == "remove":
            names = [o.key for o in line.options if current is not None and o.key in current]
            if names:
                current = p.edited[target] = {k: v for k, v in current.items() if k not in names}
            changed = bool(names)
        elif spec.edit == "merge":
            # Only the named settings change; in place, so many `add` lines
            # on one module cost constant time each.
            if current is None:
                current = p.edited[target] = {}
                changed = True
            else:
                changed = False
            for option in line.options:
                value = option.value.text if option.value else ""
                if current.get(option.key, None) != value:
                    current[option.key] = value
                    changed = True
        else:
            # `change` states the whole module: omitted settings take their defaults.
            new = {o.key: (o.value.text if o.value else "") for o in line.options}
            changed = current != new
            if changed:
                p.edited[target] = new
        if changed:
            p.unsaved.add(target)
            p.inactive.add(target)
            p.config_changed = True
            if p.trace:
                p.emit(ev.ConfigChanged(number, "edited", target))
    elif verb == "write":
        _write(p, number)
    elif verb == "activate":
        _activate(p, number)
    if not origin:
        p.done(line, "applied")
    return None


def _vars(p: _Poll, line: ast.VarsLine, index: int, origin: int = 0) -> str | None:
    """vars create/del/read: spec 5.10; flags are not modelled."""
    number = origin or line.number
    verb = line.verb.text if line.verb else ""
    if verb not in catalog.VARS_VERBS:
        return p.fail(number, f"unknown vars verb {verb!r}")
    if line.name is None:
        return p.fail(number, f"vars {verb} needs a name")
    if verb == "create":
        p.set_var(number, line.name.text, line.args[-1].text if line.args else "")
    elif verb == "del":
        p.del_var(number, line.name.text)
    if not origin:
        p.done(line, "applied")
    return None


def _up1_action(p: _Poll, line: ast.Up1Action, index: int) -> str | None:
    """poll / reinit / provision: spec 5.9."""
    verb = line.spec.verb
    if verb == "reinit":
        for name in [n for n in p.vars if n.startswith(UPDATE_PREFIX)]:
            p.del_var(line.number, name)
        p.done(line, "update serials cleared")
    elif verb == "poll":
        p.warn(line.number, "`poll` inside the update script is ignored (it would start this script again)")
    else:
        p.done(line, "no modelled effect")
    return None


def _wlan_power(p: _Poll, line: ast.WlanPower, index: int) -> str | None:
    """IP72 power save: spec 5.8."""
    if not p.model.has(line.spec.models):
        return p.fail(line.number, f"{p.model.name} has no WLANMGR0 module")
    p.power_save = not line.activate
    p.done(line, "power save off" if line.activate else "power save on")
    return None


def _final_line(p: _Poll, line: ast.FinalLine, index: int) -> str | None:
    """A bare final command (spec 4, 10.8)."""
    stop = p.final(line.word, line.number, index)
    if stop is None:
        p.done(line, "no restart")
    return stop


def _syntax_error(p: _Poll, line: ast.SyntaxErrorLine, index: int) -> str | None:
    return p.fail(line.number, f"unreadable line: {line.message}")


def _generic(p: _Poll, line: ast.Line, index: int) -> str | None:
    """Other module commands: sent to the module, no modelled effect (spec 10.7)."""
    if isinstance(line, ast.ModCommand) and line.spec is None and line.module is not None:
        module = line.module.text.upper()
        if module in catalog.UPDATE_MODULES or module == "WLANMGR0":
            verb = line.verb.text if line.verb else ""
            return p.fail(line.number, f"unknown command `mod cmd {line.module.text} {verb}`")
    p.done(line, "sent (no modelled effect)")
    return None


_HANDLERS = {
    ast.Times: _times,
    ast.Check: _check,
    ast.Download: _download,
    ast.Scfg: _scfg,
    ast.Cfg: _cfg,
    ast.ConfigLine: _config,
    ast.VarsLine: _vars,
    ast.Up1Action: _up1_action,
    ast.WlanPower: _wlan_power,
    ast.FinalLine: _final_line,
    ast.SyntaxErrorLine: _syntax_error,
}


POWER_CUT = "power cut"


def power_cut(state: DeviceState) -> DeviceState:
    """``state`` with a power cut before its next poll: the device restarts
    (unsaved configuration lost, downloaded code active) as the poll begins."""
    return state.replace(pending_restart=POWER_CUT)


def run_poll(
    state: DeviceState,
    fetcher: Fetcher,
    options: InterpreterOptions = DEFAULT_OPTIONS,
    now: datetime | None = None,
    *,
    script: ast.Script | str | bytes | None = None,
    trace: bool = True,
) -> PollResult:
    """One poll: GET the update script (or run ``script``) and execute it.

    ``now`` sets the device's local clock first.  With ``script`` the update
    URL is not fetched (the dry run of a local file).  ``trace=False``
    builds no events; the summary is always there.
    """
    if now is not None:
        state = state.replace(clock=now)
    if isinstance(script, (str, bytes)):
        script = parse(script)
    poll = _Poll(state, fetcher, options, trace)
    stopped_by = poll.run(script)
    if len(poll.plan) > _LARGE_PLAN:
        with paused_gc():
            return poll.result(stopped_by)
    return poll.result(stopped_by)
