"""Line splitting: the same lines as a plain CR/LF/CRLF split, at a few bytes a line."""

from __future__ import annotations

import re
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript.source import PhysicalLine, Source

PIECES = st.sampled_from(["\r", "\n", "\r\n", "a", "mod cmd ", "\u2028", "\x85", "\x0b", "\x0c", "\ufeff", "é", " "])


def reference(text: str) -> list[tuple]:
    """The lines as a regular expression split them (what Source always did)."""
    lines, position = [], 0
    for number, match in enumerate(re.finditer(r"\r\n|\r|\n", text), 1):
        lines.append((number, position, match.start(), text[position : match.start()], match.group()))
        position = match.end()
    if position < len(text) or not lines:
        lines.append((len(lines) + 1, position, len(text), text[position:], ""))
    return lines


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_lines_are_split_at_cr_lf_and_crlf_only(text):
    source = Source(text)
    text, lines = source.text, source.lines  # a leading U+FEFF is the byte-order mark
    assert [tuple(line) for line in lines] == reference(text)
    assert len(lines) == len(reference(text))
    assert [tuple(line) for line in lines[-2:]] == reference(text)[-2:]
    assert tuple(lines[-1]) == reference(text)[-1]


def test_lines_behave_as_a_sequence():
    from innoscript.source import Lines

    lines = Source("a\r\nb\rc\n").lines
    assert isinstance(lines, Lines) and len(lines) == 3
    assert lines[1] == PhysicalLine(2, 3, 4, "b", "\r")
    assert lines[1:] == [PhysicalLine(2, 3, 4, "b", "\r"), PhysicalLine(3, 5, 6, "c", "\n")]
    assert lines == Source("a\r\nb\rc\n").lines and lines != Source("a\nb\rc\n").lines
    assert lines == list(lines)
    try:
        lines[3]
    except IndexError:
        pass
    else:
        raise AssertionError("no IndexError past the last line")


def test_dominant_line_ending():
    assert Source("a\r\nb\nc\n").newline == "\n"
    assert Source("a\r\nb\n").newline == "\r\n"  # a tie goes to CRLF
    assert Source("a\rb\nc").newline == "\r" and Source("a\nb\rc").newline == "\n"  # else the first seen
    assert Source("abc").newline == "\n"


def test_many_empty_lines_cost_a_few_bytes_each():
    """10 MB of CR once took 4.5 GB: one object per line.  The index stores offsets only."""
    data = b"\r" * 300_000
    tracemalloc.start()
    try:
        source = Source.from_bytes(data, "update-x.htm")
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(source.lines) == 300_000
    assert size < 12 * len(data)  # the text (1 byte a character) and 4 bytes a line, with room
    assert source.line_of(299_999).number == 300_000 and source.position(150_000) == (150_001, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", "\r", "\n", "\r\n", "\u2028"]), max_size=30).map("".join), st.integers(1, 8))
def test_lines_split_a_piece_at_a_time_as_the_whole_text_splits(text, chunk):
    """Large texts are split in pieces (ten million CRs must not become a ten-million-item list at once)."""
    import re

    from innoscript import source

    pieces = re.split(r"(\r\n|\r|\n)", text)
    expected = [(pieces[i], pieces[i + 1]) for i in range(0, len(pieces) - 1, 2)]
    if pieces[-1] or len(pieces) == 1:
        expected.append((pieces[-1], ""))
    starts, position = [], 0
    for content, ending in expected:
        starts.append(position)
        position += len(content) + len(ending)
    original = source._CHUNK
    source._CHUNK = chunk  # small pieces, so that every boundary case is met
    try:
        assert list(source.split_lines(text)) == expected
        assert list(source.Lines(text).starts) == starts
    finally:
        source._CHUNK = original


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=20).map("".join), st.integers(0, 40), st.integers(0, 6),
       st.lists(PIECES, max_size=4).map("".join))
def test_an_edited_source_splits_as_a_fresh_one(text, where, removed, inserted):
    """Only the lines around an edit are split again; the result is the whole text's split."""
    at = where % (len(text) + 1)
    new_text = text[:at] + inserted + text[at + removed :]
    old = Source(text, "x.htm")
    edited, region = old.edited(new_text)
    fresh = Source(new_text, "x.htm")
    assert list(edited.lines) == list(fresh.lines)
    assert (edited.text, edited.bom, edited.newline) == (fresh.text, fresh.bom, fresh.newline)
    if region is not None:
        assert [(line.text, line.newline) for line in fresh.lines[region.first : region.first + len(region.lines)]] \
            == region.lines
        assert len(fresh.lines) - len(region.lines) == len(old.lines) - (region.end - region.first)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=20).map("".join),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 6), st.lists(PIECES, max_size=3).map("".join)),
                min_size=1, max_size=8))
def test_the_line_ending_style_follows_a_chain_of_edits(text, edits):
    """Each version's dominant line ending is counted from the region an edit changed (not
    the whole text): after any chain of edits it is the fresh text's."""
    current = Source(text, "x.htm")
    for where, removed, inserted in edits:
        at = where % (len(text) + 1)
        text = text[:at] + inserted + text[at + removed :]
        current, _ = current.edited(text)
        fresh = Source(text, "x.htm")
        assert (current.newline, current.text) == (fresh.newline, fresh.text)
        assert current.edited(text + "\r")[0].newline == Source(text + "\r").newline  # what the counts hold


def test_an_edit_in_one_line_splits_that_line_alone():
    text = "".join(f"config add CMD0 /n{number}\r\n" for number in range(1000))
    at = text.index("/n500") + 5
    edited, region = Source(text).edited(text[:at] + "x" + text[at:])
    assert (region.first, region.end, region.shift) == (500, 501, 1)
    assert region.lines == [("config add CMD0 /n500x", "\r\n")]
    assert edited.lines[600].start == Source(text).lines[600].start + 1
