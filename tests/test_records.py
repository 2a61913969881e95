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


def test_the_class_is_the_one_collections_namedtuple_makes():
    import collections
    import inspect

    made = collections.namedtuple("Place", ("line", "column", "label"), defaults=(0, None), module=__name__)
    for name in ("__doc__", "_fields", "_field_defaults", "__match_args__", "__module__", "__slots__"):
        expected = made.__doc__ if name == "__doc__" else getattr(made, name)
        mine = "Place(line, column, label)" if name == "__doc__" else getattr(Place, name)
        assert mine == expected, name
    assert Place.__new__.__doc__ == made.__new__.__doc__ and inspect.signature(Place) == inspect.signature(made)
    for method in ("__new__", "_make", "_replace", "__repr__", "_asdict", "__getnewargs__"):
        assert getattr(Place, method).__qualname__ == getattr(made, method).__qualname__, method
    assert Place.column.__doc__ == made.column.__doc__ == "Alias for field number 1"
    # Wrong calls fail with the same words.
    for args, kwargs in (((), {}), ((1, 2, 3, 4), {}), ((1,), {"other": 2}), ((1,), {"line": 2})):
        errors = []
        for cls in (Place, made):
            with pytest.raises(TypeError) as caught:
                cls(*args, **kwargs)
            errors.append(str(caught.value))
        assert errors[0] == errors[1], errors
    with pytest.raises(TypeError, match="Expected 3 arguments, got 2"):
        Place._make([1, 2])
    with pytest.raises(ValueError, match="unexpected field names"):
        Place(1)._replace(other=2)
    match Place(4, 5):
        case Place(line, column):
            assert (line, column) == (4, 5)


def test_records_of_every_size_take_their_fields_by_name():
    # One __new__ is compiled per number of fields and renamed for each class.
    class One(NamedTuple):
        only: int

    class Two(NamedTuple):
        first: str
        second: str = "b"

    class Other(NamedTuple):
        second: int
        first: int

    assert One(only=1) == (1,) and One.__doc__ == "One(only,)"
    assert Two(second="y", first="x") == ("x", "y") and Two("x") == ("x", "b")
    assert Other(first=1, second=2) == (2, 1)  # the same number of fields, its own names
    with pytest.raises(TypeError, match="unexpected keyword argument 'only'"):
        Two(only=1)


def test_a_field_name_with_an_underscore_is_refused_as_namedtuple_refuses_it():
    with pytest.raises(ValueError, match="cannot start with an underscore"):
        class Hidden(NamedTuple):
            _secret: int
