"""Source handling: decoding, line ends, positions (issue: foundation, item 2)."""

from __future__ import annotations

import codecs

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript.source import Source


def test_utf8_with_bom_is_stripped_and_remembered():
    src = Source.from_bytes(codecs.BOM_UTF8 + b"config write\r\n")
    assert src.text == "config write\r\n"
    assert src.bom and src.encoding == "utf-8"
    assert [p.kind for p in src.problems] == ["bom"]
    assert src.encode() == codecs.BOM_UTF8 + b"config write\r\n"


def test_line_endings_crlf_lf_cr_and_missing_final_newline():
    src = Source.from_bytes(b"a\r\nb\nc\rd")
    assert [(l.text, l.newline) for l in src.lines] == [("a", "\r\n"), ("b", "\n"), ("c", "\r"), ("d", "")]
    assert [l.number for l in src.lines] == [1, 2, 3, 4]


def test_dominant_newline():
    assert Source("a\r\nb\r\nc\n").newline == "\r\n"
    assert Source("a\rb\r").newline == "\r"
    assert Source("single line").newline == "\n"


def test_not_utf8_is_latin1_and_reported_and_round_trips():
    data = b"config add CMD0 /name Caf\xe9\n"
    src = Source.from_bytes(data)
    assert src.encoding == "latin-1"
    assert src.text == "config add CMD0 /name Caf\u00e9\n"
    assert src.problems[0].kind == "not-utf8" and src.problems[0].offset == 25
    assert src.encode() == data


def test_nul_bytes_make_a_binary_source_with_one_problem():
    src = Source.from_bytes(b"\x7fELF\x00\x01\x02")
    assert src.binary
    assert len(src.problems) == 1 and "NUL" in src.problems[0].message
    assert src.text == ""


def test_position_and_offset_both_ways():
    src = Source("ab\r\ncde\nf")
    assert src.position(0) == (1, 1)
    assert src.position(4) == (2, 1)
    assert src.position(6) == (2, 3)
    assert src.position(8) == (3, 1)
    assert src.offset(2, 3) == 6
    assert src.offset(3, 1) == 8
    assert src.offset(2, 99) == 7  # clamped to the end of the line


def test_utf16_columns_count_surrogate_pairs():
    src = Source("x\U0001F600y\n")
    # 'y' is character column 3 but UTF-16 unit 3 (0-based) since the emoji takes two units
    assert src.utf16_col(1, 3) == 3
    assert src.col_from_utf16(1, 3) == 3
    assert src.utf16_col(1, 2) == 1


def test_span_covers_characters():
    src = Source("mod cmd UP0 prot\n")
    span = src.span(8, 11)
    assert (span.line, span.col, span.end_line, span.end_col) == (1, 9, 1, 12)
    assert src.text[span.start : span.end] == "UP0"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t#\r\n\u00e9\U0001F600")), max_size=60))
def test_every_offset_maps_back(text):
    src = Source(text)
    for offset in range(len(src.text) + 1):
        line, col = src.position(offset)
        pl = src.lines[line - 1]
        if offset <= pl.end:
            assert src.offset(line, col) == offset
    assert "".join(l.text + l.newline for l in src.lines) == src.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_decode_without_error(data):
    src = Source.from_bytes(data)
    if not src.binary:
        assert src.encode() == data


@pytest.mark.parametrize("encoding,name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
                                           ("utf-16-be", "UTF-16 (big-endian)"), ("utf-32", "UTF-32"),
                                           ("utf-32-be", "UTF-32 (big-endian)")])
def test_utf16_and_utf32_are_recognised_by_mark_or_nul_pattern_and_written_back_alike(encoding, name):
    text = "mod cmd UP1 times /allow 1\r\nconfig add CMD0 /name Café\r\n"
    source = Source.from_bytes(text.encode(encoding), "x.htm")
    assert source.text == text and not source.binary
    assert [p.kind for p in source.problems] == ["wide"]
    assert source.problems[0].message.startswith(f"{name}: save it as UTF-8")
    assert source.encode() == text.encode(encoding)


@pytest.mark.parametrize("marked", [False, True])
@pytest.mark.parametrize("text,encoding,bom", [("", "utf-16-le", True), ("\n", "utf-16-le", True),
                                               ("mo\r\r\r\uc5ac\r\r\r", "utf-16-le", True),
                                               ("\uc5ac", "utf-8", None)])
def test_wide_text_with_too_few_ascii_characters_is_written_so_it_reads_back(marked, text, encoding, bom):
    # UTF-16 without a mark is known by its NULs, with one by a NUL after it; a fix or fmt
    # can leave too few: the mark is added, or with no ASCII left at all it becomes UTF-8.
    original = "mod cmd UP1 times /allow 1\n".encode("utf-16-le")
    source = Source.from_bytes((codecs.BOM_UTF16_LE if marked else b"") + original, "x.htm")
    again = Source.from_bytes(source.encode(text), "x.htm")
    assert (again.text, again.encoding, again.bom) == (text, encoding, marked if bom is None else bom)


def test_nul_bytes_that_are_no_wide_text_stay_binary():
    assert Source.from_bytes(b"mod cmd\x00\x00\x7f\x45LF\x02\x01", "x").binary
    assert Source.from_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", "x").binary
