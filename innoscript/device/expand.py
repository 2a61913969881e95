"""URLs as the device sends them: meta sequences, default names, query.

Meta sequences are replaced only where the spec says the device does it: in
the update URL and in `scfg` URLs (spec 6.1).  A URL ending in `/` gets the
model's default file name (spec 2.2, 5.3).
"""

from __future__ import annotations

from urllib.parse import quote

from .. import catalog, values
from .options import InterpreterOptions
from .state import BACKUP_NUM, DeviceState


def backup_size(text: str, options: InterpreterOptions) -> int | None:
    """n of a rolling index `#b<n>` (`#bn`: the option's default); None if not one."""
    digits = text[2:]
    if digits == "n":
        return options.bn_default
    size = values.ascii_number(digits)
    return size if size else None


def next_backup_index(state: DeviceState, size: int) -> int:
    """The rolling index the next backup uses: 0 .. size-1, advancing (spec 6.2)."""
    last = values.ascii_number(state.var(BACKUP_NUM))
    return 0 if last is None else (last + 1) % size


def expand_meta(url: str, state: DeviceState, options: InterpreterOptions, backup_index: int | None = None) -> tuple[str, int | None]:
    """``url`` with meta sequences replaced, and the rolling index size used (or None).

    ``backup_index`` overrides the index `#b<n>` expands to (default: the
    next one of the state).  Unknown sequences stay as written.
    """
    if "#" not in url:
        return url, None
    used: int | None = None
    model = state.catalog_model

    def value(match) -> str:
        nonlocal used
        text = match.group(0)
        code = catalog.meta_code(text)
        if code == "#b":
            size = backup_size(text, options)
            if size is None:
                return text
            used = size
            index = backup_index if backup_index is not None else next_backup_index(state, size)
            return str(index % size)
        if code == "#F":
            return state.firmware
        if code == "#B":
            return state.boot
        if code == "#H":
            return state.hardware_build
        if code == "#h":
            return state.hardware_id if options.hash_h == "hardware-id" else model.name
        if code == "#m":
            return state.mac
        if code == "#d":
            return state.clock.strftime("%Y%m%d-%H%M%S")
        if code == "#i":
            return state.ip
        if code == "#t":
            return model.short
        return text

    return catalog.META_PATTERN.sub(value, url), used


def default_name(url: str, kind: str, model: catalog.Model) -> str:
    """``url`` with the default file name appended when it ends in `/`.

    ``kind`` is "script" (the update script) or a UP0 download verb; the
    catalogue names each command's default file.
    """
    if not url.endswith("/"):
        return url
    if kind == "script":
        return url + model.script_name
    command = catalog.lookup("UP0", kind)
    name = command.default_name(model) if command is not None else None
    return url + name if name else url


def version_line(state: DeviceState) -> str:
    """The Info page's version line, as the `ver` parameter sends it (spec 2.2)."""
    return f"{state.firmware} {state.model}[{state.firmware}], Bootcode[{state.boot}], HW[{state.hardware_build}]"


QUERY_VARS = ("BOOT", "CHECK", "PROT", "BMC", "CFG", BACKUP_NUM, "SCFG")


def update_url(state: DeviceState, options: InterpreterOptions) -> str:
    """The URL a poll GETs: meta sequences, default script name and the
    standard query parameters (spec 2.2)."""
    url, _ = expand_meta(state.update_url, state, options)
    path, _, query = url.partition("?")
    path = default_name(path, "script", state.catalog_model)
    params = [("ver", version_line(state))]
    params += [(name, state.var(name)) for name in QUERY_VARS]
    stamps = dict(state.stamps)
    for name in QUERY_VARS:
        if name in stamps:
            params.append((name + "date", stamps[name].strftime("%Y%m%d-%H%M%S")))
    extra = "&".join(f"{k}={quote(v, safe='-._~')}" for k, v in params)
    query = f"{query}&{extra}" if query else extra
    return f"{path}?{query}"
