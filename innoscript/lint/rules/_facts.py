"""Facts about lines that several rule families read.

Small pure functions over AST nodes: what a URL looks like, how an hour list
reads, which words restart the device, which tokens of a line are stray.
Kept apart from the rules so each rule stays a few lines of policy.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

from ... import catalog, values
from ...source import Span
from ...syntax import ast
from ._semantics import final_of, split_url

# -- URLs -----------------------------------------------------------------------

def is_url(text: str) -> bool:
    """A word that has a scheme and `://` (what the device can fetch at all)."""
    return split_url(text) is not None


def url_scheme(text: str) -> str | None:
    parts = split_url(text)
    return parts.scheme if parts else None


def url_host(text: str) -> str | None:
    """The host part of a URL (no user info, no port, no IPv6 brackets), or None."""
    parts = split_url(text)
    if parts is None:
        return None
    host = parts.host
    if host.startswith("["):  # IPv6 literal
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return host


def is_ip_literal(host: str) -> bool:
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


def transfers(script_lines) -> list[Transfer]:
    return [line for line in script_lines if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg))]


def url_missing(line: Transfer) -> bool:
    """The first argument of a UP0 transfer is not a URL (missing, lost, an option's value)."""
    return line.url is None or not is_url(line.url.text)


def url_tokens(line: ast.Line) -> list[ast.Token]:
    """The URL words of a line: a UP0 transfer's URL and the update URL `config add UP1 /url ...`."""
    tokens: list[ast.Token] = []
    if isinstance(line, (ast.Download, ast.Scfg, ast.Cfg)) and line.url is not None and is_url(line.url.text):
        tokens.append(line.url.token)
    if isinstance(line, ast.ConfigLine) and line.module is not None and line.module.text.upper() == "UP1":
        # The update URL itself; other modules' values may be SIP or LDAP URIs.
        for option in line.options:
            if option.key == "/url" and option.value is not None and is_url(option.value.text):
                tokens.append(option.value)
    return tokens


# -- final commands -------------------------------------------------------------


# The catalogue entry of a final-command word: one definition for all rules.
final_command = final_of


def is_final_word(text: str) -> bool:
    word = text.lower()
    return word in catalog.FINAL_COMMANDS or word in catalog.NOOP_ALIASES


def restarts_unconditionally(final: catalog.FinalCommand | None) -> bool:
    """`reset`, `ireset`, `reboot`, `ireboot`: restart whether or not a restart is required.

    `ireset`/`ireboot` wait until the device is idle; while an update script
    runs the device normally is idle (spec section 4), so they act at once.
    """
    return final is not None and final.restarts and not final.only_if_required


def is_reset_line(line: ast.Line) -> bool:
    """A bare final command that restarts (`iresetn`, `reset`, ...)."""
    return isinstance(line, ast.FinalLine) and line.final.restarts


# -- hour lists -----------------------------------------------------------------


class Piece(NamedTuple):
    """One comma-separated element of an `/allow` list, with its place."""

    text: str
    span: Span


class HourList(NamedTuple):
    option: ast.Option
    tokens: tuple[ast.Token, ...]  # the value word and the words a blank split off it
    pieces: tuple[Piece, ...]
    span: Span  # from the first to the last word

    @property
    def split(self) -> bool:
        return len(self.tokens) > 1




def hour_list(line: ast.Times, source) -> HourList | None:
    """The `/allow` list of a times line, including words split off by blanks.

    `/allow 22, 23, 0` is read as one list: a word ending in a comma, or a word
    starting with one, continues the list (the blank is the mistake, not the
    words after it).
    """
    option = line.allow
    if option is None or option.value is None:
        return None
    tokens = list(line.tokens)
    index = tokens.index(option.value)
    words = [option.value]
    for token in tokens[index + 1 :]:
        if token.text.startswith(("/", "#")):
            break  # the next option, or a trailing comment (UPD-003)
        if words[-1].text.endswith(",") or token.text.startswith(","):
            words.append(token)
        else:
            break
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
        pieces.append(Piece(part, source.span(start, end)))
        pos += len(part) + 1
    span = source.span(words[0].span.start, words[-1].span.end)
    return HourList(option, tuple(words), tuple(pieces), span)


def continuation_tokens(line: ast.Times, source) -> set[ast.Token]:
    """Words that belong to a blank-split `/allow` list (not stray words)."""
    hours = hour_list(line, source)
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
