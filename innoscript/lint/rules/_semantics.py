"""What lines *do*: the facts the download, scfg, meta, cfg and config rules share.

Small pure functions over AST nodes and the line list: which words restart
the device and when, what counts as a later restart or activation, the part
of a script a `check` guards, URL parts, build-serial shapes and meta
sequences in words.  Rules stay a few lines of policy on top of these.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, NamedTuple

from ... import catalog
from ...source import Span
from ...syntax import ast

# -- final commands ---------------------------------------------------------------


def final_of(token: ast.Token | None) -> catalog.FinalCommand | None:
    """The catalogue entry of a final-command word (case-insensitive)."""
    if token is None:
        return None
    return catalog.FINAL_COMMANDS.get(token.text.lower())


def is_noop_word(token: ast.Token | None) -> bool:
    """`ser` or one of the no-op spellings some sources use (`no-op`, `nop`)."""
    if token is None:
        return False
    word = token.text.lower()
    return word == "ser" or word in catalog.NOOP_ALIASES


def final_token(line: ast.Line) -> ast.Token | None:
    """The word holding a line's final command (the bare word of a final line)."""
    if isinstance(line, ast.FinalLine):
        return line.word
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg, ast.Check)):
        return line.final
    return None


# -- URLs -------------------------------------------------------------------------

_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?]*)(?P<path>[^?]*)(?:\?(?P<query>.*))?$"
)


class UrlParts(NamedTuple):
    scheme: str
    host: str
    path: str  # from the first `/` after the host, without the query ("" when absent)
    query: str

    @property
    def segments(self) -> list[str]:
        return [segment for segment in self.path.split("/") if segment]

    @property
    def file_name(self) -> str:
        """The last path segment, "" when the path ends in `/` (a default name is appended)."""
        return "" if not self.path or self.path.endswith("/") else self.path.rsplit("/", 1)[-1]


def split_url(text: str) -> UrlParts | None:
    """Scheme, host, path and query of a URL word; None when it is no URL at all.

    A `#` is data here (meta sequences live inside hosts, paths and queries),
    not the start of a fragment.
    """
    match = _URL.match(text)
    if not match:
        return None
    authority = match.group("authority").rpartition("@")[2]
    host = authority.partition(":")[0] if not authority.startswith("[") else authority
    return UrlParts(match.group("scheme").lower(), host, match.group("path"), match.group("query") or "")


def has_url(line: ast.Download | ast.Scfg | ast.Cfg) -> bool:
    """The first argument of a UP0 transfer is a URL.

    When it is not (missing, or lost so the other words moved up: UPD-010),
    the remaining words can be read in more than one way, and rules that
    depend on that reading stay silent.
    """
    return line.url is not None and split_url(line.url.text) is not None


# -- meta sequences in words -------------------------------------------------------


class MetaUse(NamedTuple):
    text: str  # as written: "#h", "#b5"
    code: str  # catalogue key: "#h", "#b"
    span: Span
    known: bool


def metas_in(token: ast.Token, source) -> list[MetaUse]:
    """Meta sequences written in any word (URL, serial, configuration value)."""
    uses = []
    for match in catalog.META_PATTERN.finditer(token.text):
        code = catalog.meta_code(match.group())
        start = token.span.start + match.start()
        span = source.span(start, start + len(match.group()))
        uses.append(MetaUse(match.group(), code, span, code in catalog.META_SEQUENCES))
    return uses


def url_metas(url: ast.Url) -> list[MetaUse]:
    return [MetaUse(m.text, catalog.meta_code(m.text), m.span, m.known) for m in url.metas]


_META_SHAPES = {
    "#F": r"\d{2}-\d+(?:\.\d+)?",
    "#B": r"\d+",
    "#H": r"\d+",
    "#h": r"[A-Za-z0-9][A-Za-z0-9-]*",
    "#m": r"[0-9A-Fa-f]{2}(?:[-:]?[0-9A-Fa-f]{2}){5}",
    "#d": r"\d{8}-?\d{4,6}",
    "#b": r"\d+",
    "#i": r"\d{1,3}(?:\.\d{1,3}){3}",
    "#t": r"[A-Za-z0-9]+",
}


def meta_url_pattern(url_text: str) -> re.Pattern[str]:
    """A regular expression for the names an upload URL with meta sequences expands to.

    `http://10.0.0.5/backup/#h-#b5.txt` matches
    `http://10.0.0.5/backup/IP6010-0a-1b-2c-3.txt`.  Case-insensitive, as
    file names on the usual servers are.
    """
    parts = []
    position = 0
    for match in catalog.META_PATTERN.finditer(url_text):
        parts.append(re.escape(url_text[position : match.start()]))
        parts.append(_META_SHAPES.get(catalog.meta_code(match.group()), r"[^/?]+"))
        position = match.end()
    parts.append(re.escape(url_text[position:]))
    return re.compile("".join(parts), re.IGNORECASE)


# -- serials ----------------------------------------------------------------------

# The PROT format of a firmware build: `04-5679`, `08-12345`, `07-6060003`.
BUILD_SERIAL = re.compile(r"^\d{2}-\d{3,}$")
# The same build as the Info page prints it: `07-60600.03`.
DOTTED_BUILD = re.compile(r"^(\d{2}-\d+)\.(\d+)$")
# A date-and-time stamp as `#d` writes it (`20051010-170130`): a file that
# carries one in a serial is usually generated per request.  Plain dates are fine.
DATE_TIME = re.compile(r"(?<!\d)(?:19|20)\d{2}[01]\d[0-3]\d[-_T]?[0-2]\d[0-5]\d(?:[0-5]\d)?(?!\d)")


def undotted(serial: str) -> str:
    """`07-60600.03` -> `07-6060003`; other serials unchanged."""
    match = DOTTED_BUILD.match(serial)
    return match.group(1) + match.group(2) if match else serial


def build_segments(url: UrlParts) -> list[str]:
    """Path segments (file names without their extension) in build-serial form."""
    found = []
    for segment in url.segments:
        if BUILD_SERIAL.match(segment) or DOTTED_BUILD.match(segment):
            found.append(segment)
        elif BUILD_SERIAL.match(segment.rsplit(".", 1)[0]):
            found.append(segment.rsplit(".", 1)[0])
    return found


# -- restarts and activation -----------------------------------------------------


def restarts(line: ast.Line) -> bool:
    """A bare final line that restarts the device (`iresetn`, `reset`, ...).

    `iresetn`/`resetn` restart only when a restart is required; a download
    before them requires one, so after a download they count as restarts.
    """
    return isinstance(line, ast.FinalLine) and line.final.restarts


def restarting_checks(commands: Iterable[ast.Command]) -> list[ast.Check]:
    """`check` lines whose final command restarts.

    A check's final command runs when the script has run to its end (the
    deferred commit), so it restarts after every other line, wherever the
    check stands.
    """
    checks = []
    for command in commands:
        final = final_of(command.final) if isinstance(command, ast.Check) else None
        if final is not None and final.restarts:
            checks.append(command)
    return checks


def _later(commands: list[ast.Command], counts) -> Callable[[ast.Line], ast.Command | None]:
    """A function giving, for a line, the last line after it that ``counts``, else a restarting `check`.

    Computed once per script, so a rule over many lines stays linear.
    """
    last = next((c for c in reversed(commands) if counts(c)), None)
    checks = restarting_checks(commands)
    fallback = checks[0] if checks else None

    def find(line: ast.Line) -> ast.Command | None:
        if last is not None and last.number > line.number:
            return last
        return fallback

    return find


def later_restart(commands: list[ast.Command]) -> Callable[[ast.Line], ast.Command | None]:
    """For a line: what restarts the device after it no matter what was downloaded.

    A later bare restart line, or a `check` whose final command restarts.  A
    later UP0 command's own final command does not count: it runs only when
    that command transfers something.
    """
    return _later(commands, restarts)


def later_activation(commands: list[ast.Command]) -> Callable[[ast.Line], ast.Command | None]:
    """For a line: what activates configuration it wrote: a later `config activate` or restart."""
    return _later(commands, lambda c: is_config(c, "activate") or restarts(c))


# -- the check-guarded part ---------------------------------------------------------


def first_check(commands: Iterable[ast.Command]) -> ast.Check | None:
    """The first `check`: once its serial is stored, every line below it is skipped on each poll."""
    for command in commands:
        if isinstance(command, ast.Check):
            return command
    return None


# -- configuration lines -----------------------------------------------------------


def config_verb(line: ast.Line) -> str | None:
    if isinstance(line, ast.ConfigLine) and line.verb is not None:
        return line.verb.text.lower()
    return None


def is_config(line: ast.Line, *verbs: str) -> bool:
    return config_verb(line) in verbs


def config_module(line: ast.ConfigLine) -> str | None:
    return line.module.text.upper() if line.module is not None else None


def changes_config(line: ast.Line) -> bool:
    """`config add` / `config change` (the verbs the catalogue marks as changing)."""
    verb = config_verb(line)
    known = catalog.CONFIG_VERBS.get(verb) if verb else None
    return known is not None and known.changes_config


def is_up1_setting(line: ast.Line) -> bool:
    """`config add|change UP1 ...`: the device's own update settings."""
    return changes_config(line) and config_module(line) == "UP1"


def update_url_values(line: ast.Line) -> list[ast.Token]:
    """The values of `/url` in `config add|change UP1 /url <url>`: update URLs, where meta sequences expand."""
    if not is_up1_setting(line):
        return []
    return [o.value for o in line.options if o.name.text.lower() == "/url" and o.value is not None]
