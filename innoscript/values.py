"""One parser per value kind: what the catalogue's option and parameter kinds mean.

The catalogue names a kind for every option value (``hour-list`` for
`/allow`, ``minutes`` for `/initial`, ``hours`` for `/force` ...); the AST
builder calls ``parse_value`` once per value and stores the result on the
node.  Nothing else reads option text as a number again, so every face
(linter, interpreter, fleet, hover, formatter) agrees on what is valid.

A result is either the typed value or an ``Invalid`` (kind, one-line
message, span).  Spans come from the caller's ``span_of(start, end)``,
with offsets inside the value's text, so this module knows nothing of
lines and files.

Numbers are ASCII digits only: ``str.isdigit()`` accepts `²` and Arabic-Indic
digits and ``int()`` accepts some of them, but a device reads neither.
"""

from __future__ import annotations

from .lazyregex import LazyRegex
from .records import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    SpanOf = Callable[[int, int], Any]

# Whole numbers the device reads: at most six significant digits [INF: the
# spec gives no limit; a million minutes is almost two years], which keeps
# every clock computed from them inside the calendar.
MAX_NUMBER = 999_999


class Invalid(NamedTuple):
    """A value the device cannot read: which kind was expected, why, where."""

    kind: str
    message: str
    span: Any


_new_tuple = tuple.__new__


class Hour(NamedTuple):
    """One element of an hour list: the hour and where it is written."""

    value: int
    span: Any


class UrlParts(NamedTuple):
    scheme: str  # lower case
    host: str  # without user info and port; an IPv6 literal keeps its brackets
    path: str  # from the first `/` after the host, without the query ("" when absent)
    query: str

    @property
    def segments(self) -> list[str]:
        return [segment for segment in self.path.split("/") if segment]

    @property
    def file_name(self) -> str:
        """The last path segment, "" when the path ends in `/` (a default name is appended)."""
        return "" if not self.path or self.path.endswith("/") else self.path.rsplit("/", 1)[-1]


def is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


_MAX_DIGITS = len(str(MAX_NUMBER))


def ascii_number(text: str) -> int | None:
    """``text`` as a whole number written in ASCII digits (at most MAX_NUMBER), else None."""
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    if len(significant) > _MAX_DIGITS:
        return None  # also keeps int() away from its length limit
    return int(significant or "0")


# The usual spellings of the hours, looked up: an hour list is read once per element.
_HOURS = {**{str(hour): hour for hour in range(24)}, **{f"{hour:02d}": hour for hour in range(10)}}


def hour_of(text: str) -> int | None:
    """An hour of the day 0-23 in ASCII digits, else None."""
    hour = _HOURS.get(text)
    if hour is not None:
        return hour
    value = ascii_number(text)
    return value if value is not None and value <= 23 else None


def is_hour_range(text: str) -> bool:
    """`22-4`: a range, which hour lists do not know."""
    start, dash, end = text.partition("-")
    return bool(dash) and is_ascii_digits(start) and is_ascii_digits(end)


# -- the parsers: (text, span_of) -> value | Invalid ----------------------------


def parse_hour_list(text: str, span_of: SpanOf):
    """`23,0,1`: a tuple of Hour; the first bad element makes it Invalid."""
    hours: list[Hour] = []
    position = 0
    for part in text.split(","):
        span = span_of(position, position + len(part))
        hour = _HOURS.get(part)
        if hour is None:
            hour = hour_of(part)
        if hour is None:
            if not part:
                why = "an empty element (a comma too many)"
            elif is_hour_range(part):
                why = f"`{part}` is a range; list every hour"
            else:
                why = f"`{part}` is not an hour 0-23"
            return Invalid("hour-list", f"hours 0-23 separated by commas expected: {why}", span)
        hours.append(_new_tuple(Hour, (hour, span)))  # (the NamedTuple's __new__ is one more call per hour)
        position += len(part) + 1
    return tuple(hours)


def _whole(kind: str, noun: str, low: int) -> Callable[[str, SpanOf], Any]:
    def parse(text: str, span_of: SpanOf):
        value = ascii_number(text)
        if value is None or value < low:
            least = "a positive" if low else "a"
            return Invalid(kind, f"{least} whole number of {noun} expected (ASCII digits, at most {MAX_NUMBER}), not `{text}`",
                           span_of(0, len(text)))
        return value

    parse.__doc__ = f"{noun}: a whole number >= {low} in ASCII digits."
    return parse


parse_minutes = _whole("minutes", "minutes", 1)
parse_hours = _whole("hours", "hours", 0)
parse_integer = _whole("integer", "units", 0)

# What a URL word is, as a pattern.  split_url reads it with str methods (compiling
# the pattern costs a short lint more than the URLs it splits); the pattern decides
# for a text with a line break, where its `.` and `$` read the text otherwise.
_URL = LazyRegex(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?]*)(?P<path>[^?]*)(?:\?(?P<query>.*))?$")
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")


def split_url(text: str) -> UrlParts | None:
    """Scheme, host, path and query of a URL word; None when it is no URL at all.

    A `#` is data here (meta sequences live inside hosts, paths and queries),
    not the start of a fragment.
    """
    if "\n" in text:
        match = _URL.match(text)
        if not match:
            return None
        scheme, authority, path, query = match.group("scheme", "authority", "path", "query")
    else:
        scheme, found, rest = text.partition("://")
        # The scheme: an ASCII letter, then ASCII letters, digits, `+`, `.`, `-`.
        if not found or not scheme[:1].isascii() or not scheme[:1].isalpha() or not _SCHEME_CHARS.issuperset(scheme):
            return None
        rest, _, query = rest.partition("?")
        end = rest.find("/")
        authority, path = (rest, "") if end < 0 else (rest[:end], rest[end:])
    authority = authority.rpartition("@")[2]
    host = authority.partition(":")[0] if not authority.startswith("[") else authority
    return UrlParts(scheme.lower(), host, path, query or "")


def parse_url(text: str, span_of: SpanOf):
    parts = split_url(text)
    if parts is None:
        return Invalid("url", f"a URL such as `http://10.0.0.5/fw/` expected, not `{text}`", span_of(0, len(text)))
    return parts


def parse_word(text: str, span_of: SpanOf):
    """Serials and other free-form words: any word is valid, compared as a string."""
    return text


def parse_command(text: str, span_of: SpanOf):
    """A URL-encoded command (`mod%20cmd%20X509%20xml-info`), decoded."""
    from urllib.parse import unquote  # only scripts with `/always` need it

    return unquote(text)


def parse_flag(text: str, span_of: SpanOf):
    return True


class Kind(NamedTuple):
    name: str
    noun: str  # what a missing value should have been, for messages
    parse: Callable[[str, SpanOf], Any]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("hour-list", "hours 0-23 separated by commas", parse_hour_list),
        Kind("minutes", "a positive whole number of minutes", parse_minutes),
        Kind("hours", "a whole number of hours", parse_hours),
        Kind("integer", "a whole number", parse_integer),
        Kind("url", "a URL", parse_url),
        Kind("serial", "a serial", parse_word),
        Kind("word", "a value", parse_word),
        Kind("command", "a URL-encoded command", parse_command),
        Kind("flag", "nothing", parse_flag),
    )
}


def parse_value(kind: str | None, text: str | None, span_of: SpanOf, missing_span: Any = None, name: str = ""):
    """The value of ``kind`` written as ``text`` (None: the value word is missing).

    A flag (kind None or "flag") is True.  A missing value of any other
    kind is Invalid at ``missing_span``.
    """
    if kind is None or kind == "flag":
        return True
    found = KINDS.get(kind, KINDS["word"])
    if text is None:
        label = f"`{name}` needs" if name else "missing:"
        return Invalid(found.name, f"{label} {found.noun}", missing_span)
    return found.parse(text, span_of)
