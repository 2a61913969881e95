"""jsontext writes what json.dumps(indent=2, ensure_ascii=False) writes, byte for byte."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict

import pytest
from hypothesis import given, settings, strategies as st

from innoscript import jsontext

# Every string json meets: control characters, quotes, backslashes, non-ASCII, lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=()), max_size=12) | st.sampled_from(
    ["", '"', "\\", "\n\r\t\b\f", "\x00\x1f\x7f", "é€😀", "\ud800", "\u2028"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**80, max_value=2**80)
           | st.floats(allow_nan=True, allow_infinity=True) | TEXT)
KEYS = TEXT | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)


def reference(value, level: int = 0) -> str:
    # Strings hold no line break in JSON text (it is escaped), so nesting is the line breaks' indent.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.integers(min_value=0, max_value=3))
def test_the_text_is_json_dumps_indented(value, level):
    assert jsontext.dumps(value, level) == reference(value, level)


@settings(max_examples=100, deadline=None)
@given(VALUES)
def test_written_pieces_join_to_the_same_text(value):
    pieces: list[str] = []
    jsontext.write(value, pieces.append)
    assert "".join(pieces) == reference(value)


class Level(enum.IntEnum):
    HIGH = 3


class Name(str):
    pass


@pytest.mark.parametrize("value", [
    {"level": Level.HIGH, Level.HIGH: [Level.HIGH]},
    {"name": Name("a\"b"), Name("k"): Name("é")},
    OrderedDict([("b", 1), ("a", OrderedDict([("c", [])]))]),
    {"empty": {}, "list": [], "tuple": (), "nested": [[], {}, [[]]]},
    [float("nan"), float("inf"), -float("inf"), -0.0, 1e300, 1.5],
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key"},
])
def test_subclasses_and_special_values_as_json_has_them(value):
    assert jsontext.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [{1, 2}, {"a": object()}, {(1, 2): "tuple key"}, [b"bytes"]])
def test_what_json_refuses_is_refused_with_its_error(value):
    with pytest.raises(TypeError) as expected:
        json.dumps(value, indent=2)
    with pytest.raises(TypeError) as got:
        jsontext.dumps(value)
    assert str(got.value) == str(expected.value)


def test_items_are_made_one_at_a_time_as_they_are_written():
    made: list[int] = []
    pieces: list[str] = []

    def findings():
        for number in range(3):
            made.append(number)
            yield {"number": number, "where": {"line": number + 1}}

    def put(text: str) -> None:
        pieces.append((len(made), text))

    jsontext.write({"results": jsontext.Items(findings()), "after": True}, put)
    text = "".join(piece for _, piece in pieces)
    assert text == reference({"results": [{"number": n, "where": {"line": n + 1}} for n in range(3)], "after": True})
    # Each item is handed over whole, before the next one is made.
    items = [(count, piece) for count, piece in pieces if '"number"' in piece]
    assert [count for count, _ in items] == [1, 2, 3]
    assert all(piece.count('"number"') == 1 for _, piece in items)


def test_an_empty_items_array_is_an_empty_array():
    assert jsontext.dumps({"results": jsontext.Items(iter(()))}) == reference({"results": []})
