"""A virtual device described the way an administrator knows a real one.

``device_from`` builds a ``DeviceState`` from what `innoscript run` (or the
update server's status pages) knows about a device: its identity as it
writes it (a MAC in any usual form, the serial number, an IP address), its
saved configuration as text (a backup), single settings, settings that are
active but not written, and its update URL and poll interval, which are UP1
settings like any other (spec 2.1).  Every problem is a ``DeviceError``
with a one-line message.
"""

from __future__ import annotations

import ipaddress
import re

from .backup import ConfigTextError, read_config
from .state import DeviceError, DeviceState, make_state, update_var

_MAC = re.compile(r"^[0-9a-fA-F]{2}([-:]?)[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$")


def normalize_mac(value: str, what: str = "MAC address") -> str:
    """A MAC address in the form `#m` shows (spec 6.1: 00-90-33-03-0d-f0)."""
    text = value.strip()
    if not _MAC.match(text):
        raise DeviceError(f"{what}: expected a MAC address such as 00-90-33-03-0d-f0, not {value!r}")
    digits = re.sub(r"[-:]", "", text).lower()
    return "-".join(digits[i:i + 2] for i in range(0, 12, 2))


def normalize_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise DeviceError(f"IP address: expected an IP address, not {value!r}") from None


def device_from(
    model: str,
    *,
    config_text: str | None = None,
    config_where: str = "configuration",
    config_lines: tuple[str, ...] = (),
    unsaved_lines: tuple[str, ...] = (),
    update_url: str = "",
    poll_minutes: int | None = None,
    vars: dict[str, str] | None = None,
    mac: str | None = None,
    serial_number: str | None = None,
    hardware_id: str | None = None,
    ip: str | None = None,
    **fields,
) -> DeviceState:
    """A device of ``model``: see the module.  ``vars`` (short or full names)
    win over the `vars create` lines of ``config_text``; ``fields`` are
    ``make_state`` fields (firmware, clock, uptime_min, ...)."""
    # Identity: an innovaphone serial number is the MAC address.
    if mac and serial_number and normalize_mac(mac) != normalize_mac(serial_number, "serial number"):
        raise DeviceError("the MAC address and the serial number differ; an innovaphone serial number is the MAC")
    if mac or serial_number:
        fields["mac"] = normalize_mac(mac) if mac else normalize_mac(serial_number, "serial number")
    if hardware_id is not None:
        if not hardware_id.strip() or any(c.isspace() for c in hardware_id):
            raise DeviceError(f"hardware id: expected one word, not {hardware_id!r}")
        fields["hardware_id"] = hardware_id.strip()
    if ip is not None:
        fields["ip"] = normalize_ip(ip)

    # Configuration: the text, then single lines; URL and interval as UP1 settings.
    table: dict[str, str] = {}
    try:
        saved = ()
        if config_text is not None:
            loaded = read_config(config_text, where=config_where)
            saved, table = loaded.config, dict(loaded.vars)
        for line in config_lines:
            saved = read_config(_setting(line), saved, where="configuration line").config
        up1 = ([f"/url {update_url}"] if update_url else []) + ([f"/poll {poll_minutes}"] if poll_minutes else [])
        if up1 and saved:
            saved = read_config("config add UP1 " + " ".join(up1), saved).config
        running = saved
        for line in unsaved_lines:
            running = read_config(_setting(line), running, where="unsaved line").config
    except ConfigTextError as exc:
        raise DeviceError(str(exc)) from None
    for name, value in (vars or {}).items():
        table[update_var(name)] = str(value)
    if saved or running:
        fields.update(saved_config=saved, edited_config=running, running_config=running)
    if not dict(saved).get("UP1"):
        # make_state turns these into the UP1 module of the configuration.
        fields.update(update_url=update_url, poll_minutes=poll_minutes or 15)
    return make_state(model, vars=table, **fields)


def _setting(line: str) -> str:
    """One `config add|change|rem MODULE ...` line; anything else is a mistake."""
    words = line.split()
    if len(words) < 3 or words[0] != "config" or words[1] not in ("add", "change", "rem") or "\n" in line.strip():
        raise DeviceError(f"expected one `config add|change|rem MODULE /setting value` line, not {line!r}")
    return line
