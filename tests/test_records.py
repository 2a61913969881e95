"""innoscript.records.NamedTuple: typing.NamedTuple's class syntax, without typing."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing

import pytest

from innoscript.records import NamedTuple


class Place(NamedTuple):
    """Where something stands."""

    line: int
    column: int = 0
    label: str | None = None

    LIMIT = 80  # a plain class attribute, not a field

    @property
    def width(self) -> int:
        return self.LIMIT - self.column

    def moved(self, by: int) -> Place:
        return self._replace(column=self.column + by)


class TypedPlace(typing.NamedTuple):
    """Where something stands."""

    line: int
    column: int = 0
    label: str | None = None


def test_fields_defaults_and_tuple_behaviour():
    place = Place(3)
    assert place == (3, 0, None) and place == Place(line=3) and hash(place) == hash((3, 0, None))
    assert Place._fields == ("line", "column", "label")
    assert Place._field_defaults == {"column": 0, "label": None}
    line, column, label = Place(1, 2, "x")
    assert (line, column, label) == (1, 2, "x")
    assert repr(Place(1, 2)) == "Place(line=1, column=2, label=None)"
    assert Place(1, 2)._asdict() == {"line": 1, "column": 2, "label": None}
    assert Place._make([5, 6, "y"]) == Place(5, 6, "y")
    with pytest.raises(TypeError):
        Place()  # line has no default
    with pytest.raises(AttributeError):
        Place(1).line = 2  # immutable, no instance dict
    assert not hasattr(Place(1), "__dict__")


def test_the_body_is_kept_as_typing_keeps_it():
    assert Place.__doc__ == "Where something stands."
    assert Place.__qualname__ == "Place" and Place.__module__ == __name__
    assert Place(1, 10).width == 70 and Place.LIMIT == 80 and "LIMIT" not in Place._fields
    assert Place(1, 2).moved(3) == Place(1, 5)
    assert Place.__annotations__ == {"line": "int", "column": "int", "label": "str | None"}


def test_the_same_record_as_typing_named_tuple():
    for make in (Place, TypedPlace):
        value = make(7, label="x")
        assert value == (7, 0, "x") and value._replace(line=8) == (8, 0, "x")
    assert Place._fields == TypedPlace._fields and Place._field_defaults == TypedPlace._field_defaults
    assert type(Place) is type(TypedPlace) is type  # a plain namedtuple class, no metaclass left behind


def test_pickles_like_any_namedtuple():
    assert pickle.loads(pickle.dumps(Place(1, 2, "z"))) == Place(1, 2, "z")


def test_mistakes_in_the_body_are_errors():
    with pytest.raises(TypeError, match="without a default follows"):
        class Wrong(NamedTuple):
            first: int = 0
            second: int

    with pytest.raises(AttributeError, match="_replace"):
        class Clash(NamedTuple):
            value: int

            def _replace(self, **changes):
                return self

    with pytest.raises(TypeError, match="only base"):
        class Mixed(NamedTuple, dict):
            value: int


def test_importing_it_does_not_import_typing():
    code = "import sys, innoscript.records, innoscript.catalog, innoscript.lint.diagnostic; print('typing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
