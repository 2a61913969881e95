"""Interpreter options: every point where the sources disagree, as a switch.

Each default is the one ``innovaphone-spec.md`` names (sections 10, 13, 14);
the ``doc`` metadata is what ``innoscript run --help`` and
docs/interpreter.md show.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, replace


def _opt(default, doc: str, choices: tuple[str, ...] = ()):
    return field(default=default, metadata={"doc": doc, "choices": choices})


@dataclass(frozen=True, slots=True)
class InterpreterOptions:
    update_vars_survive_reboot: bool = _opt(
        True, "UPDATE/* serials survive a restart (spec 7, 13.1); false: lost, as one [RUS] sentence says"
    )
    transfer_failure: str = _opt(
        "continue", "after a failed UP0 transfer: continue with the next line or stop the script (Q3)",
        ("continue", "stop"),
    )
    on_error: str = _opt(
        "continue", "after a malformed line (missing URL/serial, bad hours, unknown verb): continue or stop (spec 10.10)",
        ("continue", "stop"),
    )
    commit_check_after_times_cancel: bool = _opt(
        False, "a `times` cancellation after `check` still commits UPDATE/CHECK (Q4; spec 4 says it should not)"
    )
    multiple_checks: str = _opt(
        "last", "several `check` lines in one run: the last or the first pending serial is committed (Q10)",
        ("last", "first"),
    )
    accept_time_alias: bool = _opt(True, "`mod cmd UP1 time` works as `times` (Q11, 13.4)")
    initial_lifts_allow: bool = _opt(
        True, "with /initial, new devices run the script outside the /allow hours (5.2, 13.6)"
    )
    cfg_compares_serial: bool = _opt(True, "`cfg` is skipped when its serial equals UPDATE/CFG (Q9)")
    config_change_requires_reset: bool = _opt(
        False, "`config write` after a configuration change sets reset-required (spec 10)"
    )
    bn_default: int = _opt(5, "size n of the rolling backup index when a URL says literally `#bn` (Q1, 6.2)")
    hash_h: str = _opt(
        "hardware-id", "what `#h` expands to: the hardware id (wiki) or the short name (IP DECT manual) (13.2)",
        ("hardware-id", "short-name"),
    )
    first_poll: str = _opt(
        "immediate", "first poll right at start (RUS) or only after one poll interval (RUS problems, ASCOM5) (13.3)",
        ("immediate", "interval"),
    )
    new_poll_minutes: int = _opt(1, "poll interval of a new (factory-state) device (2.3)")
    new_poll_window: int = _opt(30, "minutes after boot during which a new device polls fast (2.3)")
    power_save_fails: bool = _opt(
        False, "a firmware or boot code download of a WLAN phone in power-save mode fails (spec 5.8)"
    )
    warn_extra_tokens: bool = _opt(True, "report words beyond what a command takes as warnings (spec 10.11)")

    def replace(self, **changes) -> "InterpreterOptions":
        return replace(self, **changes)


DEFAULT_OPTIONS = InterpreterOptions()


@dataclass(frozen=True, slots=True)
class OptionInfo:
    name: str
    type: type
    default: object
    doc: str
    choices: tuple[str, ...]


def option_infos() -> tuple[OptionInfo, ...]:
    """Every option with its type, default, documentation and choices."""
    result = []
    for f in fields(InterpreterOptions):
        default = f.default if f.default is not MISSING else None
        result.append(OptionInfo(f.name, type(default), default, f.metadata["doc"], f.metadata["choices"]))
    return tuple(result)


class OptionError(ValueError):
    """An option name or value that cannot be used (one line, for exit code 2)."""


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_option(key: str, value: object) -> tuple[str, object]:
    """Check and convert one option given as text (command line) or TOML value."""
    name = key.strip().replace("-", "_")
    infos = {info.name: info for info in option_infos()}
    info = infos.get(name)
    if info is None:
        raise OptionError(f"unknown interpreter option {key!r} (known: {', '.join(sorted(infos))})")
    if info.type is bool:
        if isinstance(value, bool):
            return name, value
        text = str(value).strip().lower()
        if text in _TRUE:
            return name, True
        if text in _FALSE:
            return name, False
        raise OptionError(f"option {key}: expected true or false, not {value!r}")
    if info.type is int:
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or number < 1:
            raise OptionError(f"option {key}: expected a positive whole number, not {value!r}")
        return name, number
    text = str(value).strip()
    if info.choices and text not in info.choices:
        raise OptionError(f"option {key}: expected one of {', '.join(info.choices)}, not {value!r}")
    return name, text


def options_from(pairs, base: InterpreterOptions = DEFAULT_OPTIONS) -> InterpreterOptions:
    """Options from (key, value) pairs or a mapping; raises OptionError."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    changes = dict(parse_option(k, v) for k, v in items)
    return replace(base, **changes)
