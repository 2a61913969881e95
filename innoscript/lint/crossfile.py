"""Files a script loads with `mod cmd UP0 cfg <url>`, found on disk and linted.

A cfg URL maps to a local file by ``innoscript.urlmap.resolve``, the rule
`innoscript run` serves downloads by: the `url-map` setting (URL prefix ->
folder, longest prefix first), else the URL's path or its last segment in
the script's own folder.  The payload is linted in `cfg-payload` mode with
the script's other settings; its findings belong to the payload file, and
rule UPD-068 (rules/cfg.py) notes their number at the cfg line.
"""

from __future__ import annotations

import os

from ..records import NamedTuple
from ..source import Source
from ..syntax import ast, parse
from ..urlmap import resolve
from .diagnostic import Diagnostic
from .settings import PAYLOAD_MODE, Settings, payload_settings


def payload_path(url: str, script_path: str, settings: Settings) -> str | None:
    """The local file a cfg URL names, if it exists (the dry run's rule too: innoscript.urlmap)."""
    if "#" in url:  # meta sequences expand per device: no single file
        return None
    folder = None if script_path.startswith("<") else os.path.dirname(script_path) or "."
    found = resolve(url, settings.url_map, folder).path
    return os.path.normpath(found) if found is not None else None


class Payload(NamedTuple):
    line: ast.Cfg
    path: str


# The last lookup (script, settings, payloads), for ``payloads_of_lint``: a file's
# payloads were looked up on disk twice, by rule UPD-068 and by the pipeline.
_last: tuple | None = None


def payloads(script: ast.Script, settings: Settings) -> list[Payload]:
    """The cfg lines of a script whose payload is a local file (looked up on disk each call)."""
    global _last
    found = _lookup(script, settings)
    if settings.mode != PAYLOAD_MODE:  # not the lint of a payload that UPD-068 makes meanwhile
        _last = (script, settings, found)
    return found


def payloads_of_lint(script: ast.Script, settings: Settings) -> list[Payload]:
    """``payloads``, right after ``script`` was linted: the lookup its UPD-068 made, taken
    (once), else a new one."""
    global _last
    last, _last = _last, None
    if last is not None and last[0] is script and last[1] == settings:
        return last[2]
    return _lookup(script, settings)


def _lookup(script: ast.Script, settings: Settings) -> list[Payload]:
    if settings.mode == PAYLOAD_MODE:
        return []  # a payload cannot load another one (UPD-065 says so)
    found = []
    # Large scripts load the same few files from thousands of lines: each URL
    # is resolved once (a look at the disk each) per call.
    paths: dict[str, str | None] = {}
    shapes = script.shapes
    for number in script.numbers_of(ast.Cfg):
        url = shapes[number - 1].url  # the shared parse: only a line with a payload is placed
        if url is not None:
            text = url.text
            path = paths[text] if text in paths else paths.setdefault(text, payload_path(text, script.path, settings))
            if path is not None:
                found.append(Payload(script.line(number), path))
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
