"""Files a script loads with `mod cmd UP0 cfg <url>`, found on disk and linted.

A cfg URL maps to a local file through the `url-map` setting (URL prefix ->
folder, longest prefix first) or, by default, the URL's last path segment in
the script's own folder.  The payload is linted in `cfg-payload` mode with
the script's other settings; its findings belong to the payload file, and
rule UPD-068 (rules/cfg.py) notes their number at the cfg line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..source import Source
from ..syntax import ast, parse
from .diagnostic import Diagnostic
from .settings import PAYLOAD_MODE, Settings, payload_settings


def payload_path(url: str, script_path: str, settings: Settings) -> str | None:
    """The local file a cfg URL names, if it exists."""
    if "#" in url:  # meta sequences expand per device: no single file
        return None
    for prefix, folder in sorted(settings.url_map, key=lambda item: -len(item[0])):
        if url.startswith(prefix):
            rest = unquote(url[len(prefix):].split("?", 1)[0]).lstrip("/")
            candidate = os.path.normpath(os.path.join(folder, *rest.split("/"))) if rest else None
            return candidate if candidate and os.path.isfile(candidate) else None
    if script_path.startswith("<"):
        return None
    segment = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    if not segment or segment in (".", ".."):
        return None
    candidate = os.path.join(os.path.dirname(script_path), segment)
    return candidate if os.path.isfile(candidate) else None


@dataclass(frozen=True)
class Payload:
    line: ast.Cfg
    path: str


def payloads(script: ast.Script, settings: Settings) -> list[Payload]:
    """The cfg lines of a script whose payload is a local file."""
    if settings.mode == PAYLOAD_MODE:
        return []  # a payload cannot load another one (UPD-065 says so)
    found = []
    for line in script.lines:
        if isinstance(line, ast.Cfg) and line.url is not None:
            path = payload_path(line.url.text, script.path, settings)
            if path is not None:
                found.append(Payload(line, path))
    return found


_MEMO: dict[tuple, tuple[Source, list[Diagnostic]]] = {}


def lint_payload(path: str, settings: Settings) -> tuple[Source, list[Diagnostic]]:
    """A payload's text and findings (read once per content and settings)."""
    from .config import settings_fingerprint
    from .engine import lint_script

    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size, settings_fingerprint(settings))
    if key not in _MEMO:
        if len(_MEMO) > 256:
            _MEMO.clear()
        source = Source.from_path(path)
        _MEMO[key] = (source, lint_script(parse(source), payload_settings(settings)))
    return _MEMO[key]
