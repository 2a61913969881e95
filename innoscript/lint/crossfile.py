"""Files a script loads with `mod cmd UP0 cfg <url>`, found on disk and linted.

A cfg URL maps to a local file by ``innoscript.urlmap.resolve``, the rule
`innoscript run` serves downloads by: the `url-map` setting (URL prefix ->
folder, longest prefix first), else the URL's path or its last segment in
the script's own folder.  The payload is linted in `cfg-payload` mode with
the script's other settings; its findings belong to the payload file, and
rule UPD-068 notes their number at the cfg line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..source import Source
from ..syntax import ast, parse
from ..urlmap import resolve
from .context import LintContext
from .diagnostic import Diagnostic
from .rule import rule
from .settings import PAYLOAD_MODE, Settings, payload_settings


def payload_path(url: str, script_path: str, settings: Settings) -> str | None:
    """The local file a cfg URL names, if it exists (the dry run's rule too: innoscript.urlmap)."""
    if "#" in url:  # meta sequences expand per device: no single file
        return None
    folder = None if script_path.startswith("<") else os.path.dirname(script_path) or "."
    found = resolve(url, settings.url_map, folder).path
    return os.path.normpath(found) if found is not None else None


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


@rule("UPD-068", "cfg-payload-findings", "I", group="cfg", spec="lint-rules.md H; innovaphone-spec.md 8")
def cfg_payload_findings(ctx: LintContext):
    r"""The file a `cfg` line loads has findings of its own.

    ## What it does
    Finds the file a `mod cmd UP0 cfg <url>` line loads on the local disk
    (through the `url-map` setting, or by default the URL's last path
    segment in the script's folder), lints it as a cfg payload and notes at
    the cfg line how many findings it has. The findings themselves are
    reported in the payload file.

    ## Why is this bad?
    The payload is executed by every device that runs this line; its
    problems are this script's problems, and they are easy to miss because
    nobody opens the payload when reviewing the script.

    ## Example
    Settings: file=examples/update-example.htm
    ```
    mod cmd UP0 cfg http://10.0.0.5/cfg/dect-site.txt reset
    ```
    Reported at 1:17.

    ## Use instead
    ```
    mod cmd UP0 cfg http://10.0.0.5/cfg/phones-common.txt reset
    ```

    ## Fix safety
    No fix here; fix the findings in the payload file.
    """
    for payload in payloads(ctx.script, ctx.settings):
        try:
            _, diagnostics = lint_payload(payload.path, ctx.settings)
        except OSError:
            continue
        if diagnostics:
            count = len(diagnostics)
            worst = max(d.severity for d in diagnostics).name.lower()
            yield ctx.finding(
                payload.line.url.span,
                f"the loaded file {payload.path} has {count} finding{'s' if count != 1 else ''} (worst: {worst})",
            )
