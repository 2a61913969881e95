"""What lines *are* and *do*: the facts several rule families read.

Small pure functions over AST nodes and the line list: what a URL looks
like, how an hour list reads, which words are final commands and which of
them restart the device, what counts as a later restart or activation,
build-serial shapes, meta sequences in words, configuration lines.  Rules
stay a few lines of policy on top of these.

Each fact is computed once: a fact about one line is asked through
``ctx.fact(fact, line)`` and a fact about the whole script through
``ctx.shared(fact)``; both are cached on the LintContext.  A URL word is
split once per distinct text (``split_url`` is memoized: its result is an
immutable tuple).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from .. import catalog, values
from ..lazyregex import LazyRegex
from ..records import NamedTuple
from ..source import Cols, Span
from ..syntax import ast

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:  # the context reads facts, not the other way round
    from .context import LintContext

# -- final commands ---------------------------------------------------------------


def final_of(token: ast.Token | None) -> catalog.FinalCommand | None:
    """The catalogue entry of a final-command word (case-insensitive)."""
    if token is None:
        return None
    return catalog.FINAL_COMMANDS.get(token.text.lower())


def is_final_word(text: str) -> bool:
    """A final command or one of the no-op spellings some sources use."""
    word = text.lower()
    return word in catalog.FINAL_COMMANDS or word in catalog.NOOP_ALIASES


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


def restarts_unconditionally(final: catalog.FinalCommand | None) -> bool:
    """`reset`, `ireset`, `reboot`, `ireboot`: restart whether or not a restart is required.

    `ireset`/`ireboot` wait until the device is idle; while an update script
    runs the device normally is idle (spec section 4), so they act at once.
    """
    return final is not None and final.restarts and not final.only_if_required


def restarts(line: ast.Line) -> bool:
    """A bare final line that restarts the device (`iresetn`, `reset`, ...).

    `iresetn`/`resetn` restart only when a restart is required; a download
    before them requires one, so after a download they count as restarts.
    """
    return isinstance(line, ast.FinalLine) and line.final.restarts


# -- URLs -------------------------------------------------------------------------

# The catalogue's URL reading (a URL argument's parts are on its AST node,
# ``line.url.parts``); cached for words that are not AST URLs.
UrlParts = values.UrlParts
split_url = lru_cache(maxsize=8192)(values.split_url)


def is_url(text: str) -> bool:
    """A word that has a scheme and `://` (what the device can fetch at all)."""
    return split_url(text) is not None


def url_scheme(text: str) -> str | None:
    parts = split_url(text)
    return parts.scheme if parts else None


def url_host(text: str) -> str | None:
    """The host part of a URL (no user info, no port, no IPv6 brackets), or None."""
    return parts_host(split_url(text))


@lru_cache(maxsize=4096)  # a script names the same few hosts on many lines
def is_ip_literal(host: str) -> bool:
    parts = host.split(".")
    if len(parts) == 4 and all(p.isascii() and p.isdigit() and (p == "0" or p[0] != "0") and int(p) <= 255
                               for p in parts):
        return True  # a plain IPv4 address, as ipaddress reads it, without loading ipaddress
    import ipaddress  # loaded when another host is checked, not at every start

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def has_host_name(text: str) -> bool:
    """True when the URL names its host instead of giving an IP address.

    A host built from a meta sequence (`http://#i/...`) is the device's own
    address, not a name.
    """
    host = url_host(text)
    return bool(host) and "#" not in host and not is_ip_literal(host)


def url_path_ends_with_slash(text: str) -> bool:
    """The URL's path ends in `/`, so the device appends a default file name."""
    return text.split("?", 1)[0].endswith("/")


Transfer = ast.Download | ast.Scfg | ast.Cfg


def transfers(lines: Iterable[ast.Line]) -> list[Transfer]:
    return [line for line in lines if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg))]


def has_url(line: Transfer) -> bool:
    """The first argument of a UP0 transfer is a URL.

    When it is not (missing, or lost so the other words moved up: UPD-010),
    the remaining words can be read in more than one way, and rules that
    depend on that reading stay silent.
    """
    return line.url is not None and line.url.parts is not None


def url_nodes(line: ast.Line) -> list[ast.Url]:
    """The URLs whose words ``url_tokens`` gives, as the parser read them (``url.parts`` is
    ``split_url`` of the word): the URL rules read their parts here, without splitting again."""
    if isinstance(line, ast.ConfigLine):
        module = line.module
        if module is None or module.text.upper() != "UP1":
            return []  # most configuration lines
        return [option.parsed for option in line.options if isinstance(option.parsed, ast.Url)]
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg)):
        url = line.url
        if url is not None and url.parts is not None:
            return [url]
    return []


def parts_host(parts: UrlParts | None) -> str | None:
    """``url_host`` of a URL's parts."""
    if parts is None:
        return None
    host = parts.host
    if host.startswith("["):  # IPv6 literal
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return host


def parts_name_host(parts: UrlParts | None) -> bool:
    """``has_host_name`` of a URL's parts."""
    host = parts_host(parts)
    return bool(host) and "#" not in host and not is_ip_literal(host)


def url_tokens(line: ast.Line) -> list[ast.Token]:
    """The URL words of a line: a UP0 transfer's URL and the update URL `config ... UP1 /url ...`."""
    if isinstance(line, ast.ConfigLine):
        if line.module is None or line.module.text.upper() != "UP1":
            return []
        # The update URL itself (a URL-kind setting); other modules' values may be SIP or LDAP URIs.
        return [option.value for option in line.options if isinstance(option.parsed, ast.Url)]
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg)) and has_url(line):
        return [line.url.token]
    return []


# -- meta sequences in words -------------------------------------------------------


class MetaUse(NamedTuple):
    text: str  # as written: "#h", "#b5"
    code: str  # catalogue key: "#h", "#b"
    span: Cols
    known: bool


def metas_in(token: ast.Token, source) -> list[MetaUse]:
    """Meta sequences written in any word (URL, serial, configuration value)."""
    uses = []
    for match in catalog.META_PATTERN.finditer(token.text):
        code = catalog.meta_code(match.group())
        start = token.span.start + match.start()
        span = Cols(start, start + len(match.group()))
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


@lru_cache(maxsize=1024)  # compiled once per upload URL, and only when asked
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

# The patterns are compiled when first used (most scripts need one or two).

# The PROT format of a firmware build: `04-5679`, `08-12345`, `07-6060003`.
BUILD_SERIAL = LazyRegex(r"^\d{2}-\d{3,}$")
# The same build as the Info page prints it: `07-60600.03`.
DOTTED_BUILD = LazyRegex(r"^(\d{2}-\d+)\.(\d+)$")
# A date-and-time stamp as `#d` writes it (`20051010-170130`): a file that
# carries one in a serial is usually generated per request.  Plain dates are fine.
DATE_TIME = LazyRegex(r"(?<!\d)(?:19|20)\d{2}[01]\d[0-3]\d[-_T]?[0-2]\d[0-5]\d(?:[0-5]\d)?(?!\d)")


def date_time_digits(text: str) -> bool:
    """Digits enough for a date and a time of day (twelve; ``\\d`` is any decimal digit).

    The test before a date-and-time pattern: most serials are shorter, and
    their lint then compiles no pattern.
    """
    return len(text) >= 12 and sum(map(str.isdecimal, text)) >= 12


def is_build_serial(text: str) -> bool:
    """BUILD_SERIAL matches ``text``, read with str methods (``\\d`` is any decimal digit);
    the pattern decides for a text with a line break, where its `$` differs."""
    if "\n" in text:
        return BUILD_SERIAL.match(text) is not None
    return len(text) >= 6 and text[2] == "-" and text[:2].isdecimal() and text[3:].isdecimal()


def undotted(serial: str) -> str:
    """`07-60600.03` -> `07-6060003`; other serials unchanged."""
    match = DOTTED_BUILD.match(serial) if "." in serial else None
    return match.group(1) + match.group(2) if match else serial


@lru_cache(maxsize=4096)  # a script fetches from the same few folders on many lines
def build_segments(url: UrlParts) -> tuple[str, ...]:
    """Path segments (file names without their extension) in build-serial form."""
    found = []
    for segment in url.segments:
        if is_build_serial(segment) or ("." in segment and DOTTED_BUILD.match(segment)):
            found.append(segment)
        elif is_build_serial(segment.rsplit(".", 1)[0]):
            found.append(segment.rsplit(".", 1)[0])
    return tuple(found)


# -- hour lists -------------------------------------------------------------------


_new_tuple = tuple.__new__  # a record without its NamedTuple __new__ (one call less each)


class Piece(NamedTuple):
    """One comma-separated element of an `/allow` list, with its place."""

    text: str
    span: Cols


class HourList(NamedTuple):
    option: ast.Option
    tokens: tuple[ast.Token, ...]  # the value word and the words a blank split off it
    pieces: tuple[Piece, ...]
    span: Cols  # from the first to the last word
    # The hour each piece names (values.hour_of), None where it names none:
    # read once here for the four rules that look at the hours.
    hours: tuple[int | None, ...] = ()

    @property
    def split(self) -> bool:
        return len(self.tokens) > 1

    @property
    def valid(self) -> bool:
        """Every piece is an hour 0-23 (no empty element, range or other word)."""
        return None not in self.hours


def hour_list(ctx: "LintContext", line: ast.Times) -> HourList | None:
    """The `/allow` list of a times line, including words split off by blanks.

    A per-line fact: ask it as ``ctx.fact(facts.hour_list, line)``.

    `/allow 22, 23, 0` is read as one list: a word ending in a comma, or a word
    starting with one, continues the list (the blank is the mistake, not the
    words after it).
    """
    option = line.allow
    if option is None or option.value is None:
        return None
    first = option.value
    tokens = line.tokens
    index = tokens.index(first)
    words = [first]
    for token in tokens[index + 1 :]:
        if token.text.startswith(("/", "#")):
            break  # the next option, or a trailing comment (UPD-003)
        if words[-1].text.endswith(",") or token.text.startswith(","):
            words.append(token)
        else:
            break
    parsed = option.parsed
    if len(words) == 1 and parsed.__class__ is tuple:
        # One word the parser read as hours (the usual line): its pieces are those hours.
        text = line.text
        pieces = tuple([_new_tuple(Piece, (text[hour.span.start : hour.span.end], hour.span)) for hour in parsed])
        return HourList(option, (first,), pieces, first.span, tuple([hour.value for hour in parsed]))
    # Read the words as if the blanks were not there, remembering where each
    # character came from.
    text = "".join(word.text for word in words)
    where = [word.span.start + i for word in words for i in range(len(word.text))]
    end_of_list = words[-1].span.end
    pieces: list[Piece] = []
    pos = 0
    for part in text.split(","):
        start = where[pos] if pos < len(where) else end_of_list
        end = where[pos + len(part) - 1] + 1 if part else start
        pieces.append(Piece(part, Cols(start, end)))
        pos += len(part) + 1
    span = Cols(words[0].span.start, words[-1].span.end)
    return HourList(option, tuple(words), tuple(pieces), span, tuple([values.hour_of(piece.text) for piece in pieces]))


def continuation_tokens(ctx: "LintContext", line: ast.Times) -> set[ast.Token]:
    """Words that belong to a blank-split `/allow` list (not stray words)."""
    hours = ctx.fact(hour_list, line)
    return set(hours.tokens[1:]) if hours else set()


def hour_value(piece: Piece) -> int | None:
    """The hour an element names, when it is a plain integer 0-23 (the catalogue's reading)."""
    return values.hour_of(piece.text)


def is_range(piece: Piece) -> bool:
    return values.is_hour_range(piece.text)


# -- lines in order ---------------------------------------------------------------


def changes_state(line: ast.Command) -> bool:
    """Lines whose effect persists: configuration, variables, downloads, serial resets.

    `times` and `check` only steer the script; a backup (`scfg`) only reads
    the configuration; bare restarts and unknown commands are left out.
    """
    if isinstance(line, ast.ConfigLine):
        return True
    if isinstance(line, ast.VarsLine):
        verb = catalog.VARS_VERBS.get(line.verb.text.lower()) if line.verb else None
        return verb is None or verb.changes_config
    if isinstance(line, (ast.Download, ast.Cfg)):
        return True
    if isinstance(line, ast.Up1Action):
        return line.verb is not None and line.verb.text in ("reinit", "provision")
    return False


def _restarting_check(line: ast.Line) -> bool:
    """A `check` whose final command restarts: it runs when the script has run to its end
    (the deferred commit), so it restarts after every other line, wherever the check stands."""
    final = final_of(line.final) if isinstance(line, ast.Check) else None
    return final is not None and final.restarts


def _later(ctx: "LintContext", counts: Callable[[ast.Line], bool], types: tuple[type, ...],
           ) -> Callable[[int], ast.Command | None]:
    """A function giving, for a line's number, the last line after it that ``counts``, else the first restarting `check`.

    ``counts`` holds for lines of ``types`` only: the others are not read.
    Computed once per script, so a rule over many lines stays linear.  The
    parses are read (``counts`` looks at what a line says, not where it
    stands) and only the two lines it can answer are placed.
    """
    shapes = ctx.script.shapes
    number = next((n for n in reversed(ctx.numbers(*types)) if counts(shapes[n - 1])), 0)
    last = ctx.line(number) if number else None
    check = next((n for n in ctx.numbers(ast.Check) if _restarting_check(ctx.shape(n))), 0)
    fallback = ctx.line(check) if check else None

    def find(line: int) -> ast.Command | None:
        if number > line:
            return last
        return fallback

    return find


def activation_after(ctx: "LintContext") -> Callable[[int], ast.Command | None]:
    """For a line's number: what activates configuration it wrote, a later `config activate` or
    restart (else a restarting `check`); for ``ctx.shared`` (several rules ask)."""
    return _later(ctx, _activates, (ast.ConfigLine, ast.FinalLine))


def restart_after(ctx: "LintContext") -> Callable[[int], ast.Command | None]:
    """For a line's number: what restarts the device after it no matter what was downloaded.

    A later bare restart line, or a `check` whose final command restarts.  A
    later UP0 command's own final command does not count: it runs only when
    that command transfers something.  For ``ctx.shared``.
    """
    return _later(ctx, restarts, (ast.FinalLine,))


def _activates(line: ast.Command) -> bool:
    """`config activate` or a bare restart line."""
    return is_config(line, "activate") or restarts(line)


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
    # The parser put the catalogue's entry of the verb on the line.
    return isinstance(line, ast.ConfigLine) and line.spec is not None and line.spec.changes_config


def is_up1_setting(line: ast.Line) -> bool:
    """`config add|change UP1 ...`: the device's own update settings."""
    # The module first: most configuration lines are not about UP1.
    return (isinstance(line, ast.ConfigLine) and line.module is not None and line.module.text.upper() == "UP1"
            and changes_config(line))


def update_url_values(line: ast.Line) -> list[ast.Token]:
    """The values of `/url` in `config add|change UP1 /url <url>`: update URLs, where meta sequences expand."""
    if not is_up1_setting(line):
        return []
    return [o.value for o in line.options if o.name.text.lower() == "/url" and o.value is not None]
