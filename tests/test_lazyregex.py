"""LazyRegex, and the words read with str methods where a pattern was: the same answers as the patterns."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript import catalog, values
from innoscript.lazyregex import LazyRegex
from innoscript.lint import facts
from innoscript.lint.rules import cfg, check

QUICK = settings(max_examples=300, deadline=None)


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_the_compiled_one():
    lazy = LazyRegex(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    plain = re.compile(r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE)
    assert not lazy.compiled
    text = "Ab12 cd ef3"
    assert lazy.match(text).groups() == plain.match(text).groups()
    assert lazy.compiled
    assert lazy.fullmatch("ab1").span() == plain.fullmatch("ab1").span()
    assert lazy.search(" 9x").group("word") == "x"
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert lazy.findall(text) == plain.findall(text)
    assert lazy.split(text) == plain.split(text) and lazy.sub("-", text) == plain.sub("-", text)
    assert lazy.subn("-", text) == plain.subn("-", text)
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (plain.pattern, plain.flags, plain.groups,
                                                                        plain.groupindex)
    assert repr(lazy).startswith("LazyRegex('(?P<word>")


def test_a_bad_pattern_fails_on_first_use_as_re_compile_does():
    lazy = LazyRegex(r"(unclosed")
    try:
        lazy.match("x")
    except re.error:
        pass
    else:
        raise AssertionError("re.error expected")


# Words as a line gives them, and the characters where patterns and str methods
# could part: line breaks, non-ASCII letters and digits, case-folding look-alikes.
_TRICKY = "\n\r\t é\u0130\u0131\u017f\u212a\u0663\uff11"


def _text(alphabet: str, pieces: tuple[str, ...] = (), size: int = 24):
    return st.lists(st.sampled_from(list(alphabet + _TRICKY) + list(pieces)), max_size=size).map("".join)


_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?]*)(?P<path>[^?]*)(?:\?(?P<query>.*))?$")


def _split_url_by_pattern(text: str):
    match = _URL.match(text)
    if not match:
        return None
    authority = match.group("authority").rpartition("@")[2]
    host = authority.partition(":")[0] if not authority.startswith("[") else authority
    return values.UrlParts(match.group("scheme").lower(), host, match.group("path"), match.group("query") or "")


@QUICK
@given(_text("aZ9+.-:/?@[]#", ("://", "http", "HTTPS://", "10.0.0.5", "?mode=backup")))
def test_split_url_reads_a_word_as_the_url_pattern_does(text):
    assert values.split_url(text) == _split_url_by_pattern(text)


def test_split_url_examples():
    assert values.split_url("HTTP://user@10.0.0.5:8080/fw/13r1/?x=1#h") == ("http", "10.0.0.5", "/fw/13r1/", "x=1#h")
    assert values.split_url("http://[::1]:80/a") == ("http", "[::1]:80", "/a", "")
    assert values.split_url("http://host?q/p") == ("http", "host", "", "q/p")
    for bad in ("", "10.0.0.5/fw/", "1http://x", "ht tp://x", "http:/x", "://x"):
        assert values.split_url(bad) is None, bad
    assert values.split_url("http://x/a?b\n") == ("http", "x", "/a", "b")  # `$` before a final line break
    assert values.split_url("http://x/a?b\nc") is None


_SCRIPT_NAME = re.compile(r"^update-([A-Za-z0-9]+)(?:[-_.].*)?$")


@QUICK
@given(_text("aZ9-_./\\", ("update-", "ip1200", "IP232", "ip72", ".htm")))
def test_the_model_in_a_file_name_is_read_as_the_name_pattern_does(name):
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    match = _SCRIPT_NAME.match(base)
    assert catalog.model_from_filename(name) == (catalog.find_model(match.group(1)) if match else None)


def test_model_from_filename_examples():
    assert catalog.model_from_filename("site/update-ip1200.htm").name == "IP1200"
    assert catalog.model_from_filename("update-IP232_b.htm").name == "IP232"
    assert catalog.model_from_filename("update-ip232") is not None
    for name in ("update-.htm", "update-ip 232.htm", "Update-ip232.htm", "update-ip232\u0663.htm", "x/update-"):
        assert catalog.model_from_filename(name) is None, name


@QUICK
@given(_text("AZaz09_-/", ("SIG", "APP")))
def test_a_config_sub_object_name_is_read_as_its_pattern_does(word):
    assert catalog.is_subobject_name(word) == bool(re.fullmatch(r"[A-Z][A-Z0-9_-]*", word))


@QUICK
@given(_text("0123456789-.a:_T", ("13-", "5001234", "20240611", "-170130")))
def test_serial_shapes_are_read_as_their_patterns_do(serial):
    assert facts.is_build_serial(serial) == bool(re.match(r"^\d{2}-\d{3,}$", serial))
    assert check._plain_serial(serial) == bool(re.match(r"^[A-Za-z0-9._:-]+$", serial))
    # The digit count is a necessary condition of both date-and-time patterns.
    if facts.DATE_TIME.search(serial) or check._DATE_TIME.search(serial):
        assert facts.date_time_digits(serial)


def test_date_and_time_serials_are_found_and_plain_dates_are_not():
    for stamp in ("20051010-170130", "2024-06-01T12:30", "2024-06-01_1230", "x20240611013000y"):
        assert facts.date_time_digits(stamp) and (facts.DATE_TIME.search(stamp) or check._DATE_TIME.search(stamp))
    for plain in ("2024-06-01", "13-5001234", "2024-06-01a"):
        assert not facts.date_time_digits(plain)


@QUICK
@given(_text("/bakcupBAKCUP-fgio=&.txtIP09af", ("backup", "bak", "cfg-backup", "mode=backup", "IP1200-", "0a-1b-2c")))
def test_backup_names_are_found_as_the_patterns_find_them(text):
    path, query = "/" + text, text
    parts = values.UrlParts("http", "10.0.0.5", path, query)
    expected = bool(
        re.search(r"(?:^|/)(?:backup|backups|bak|cfg-backup|config-backup)(?:/|$)", path, re.IGNORECASE)
        or re.search(r"(?:^|&)mode=backup(?:&|$)", query, re.IGNORECASE)
        or re.match(r"^IP[0-9A-Z]+-[0-9a-f]{2}(?:-[0-9a-f]{2}){2,5}(?:[-.]\d+)?\.txt$", parts.file_name, re.IGNORECASE)
    )
    assert cfg._looks_like_backup(parts) == expected
