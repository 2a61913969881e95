"""``NamedTuple``: the class syntax of ``typing.NamedTuple`` without importing ``typing``.

``innolint`` starts for every run of a pre-commit hook or an editor, and
importing ``typing`` costs it a few milliseconds (more than linting a short
script); ``typing.NamedTuple`` also turns every string annotation into a
``ForwardRef`` (a ``compile()`` each) when the class is made.  This base
class makes the same ``collections.namedtuple`` from the same class body:

    class Cols(NamedTuple):
        \"\"\"Columns within a line.\"\"\"

        start: int
        end: int = 0

        @property
        def width(self) -> int:
            return self.end - self.start

The annotated names, in order, are the fields; a value after an annotation
is that field's default; everything else in the body (docstring, methods,
properties, constants) is set on the class.  The result is a plain
namedtuple class: tuple behaviour, ``_replace``, ``_asdict``, ``_fields``,
``_field_defaults``, pickling.  Annotations stay as written (strings under
``from __future__ import annotations``) and are never evaluated.

A leaf module: it imports nothing from innoscript.
"""

from collections import namedtuple

# What namedtuple makes itself; a class body that sets one is a mistake (as with typing.NamedTuple).
_RESERVED = frozenset(("__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make",
                       "_replace", "_asdict", "_source"))
# Class-body entries that are not attributes of the class.
_SPECIAL = frozenset(("__module__", "__qualname__", "__annotations__"))


class _NamedTupleType(type):
    def __new__(mcs, name, bases, namespace):
        if not bases:  # NamedTuple itself
            return super().__new__(mcs, name, bases, namespace)
        if bases != (NamedTuple,):
            raise TypeError(f"{name}: a NamedTuple class has NamedTuple as its only base")
        annotations = namespace.get("__annotations__", {})
        fields = tuple(annotations)
        defaults = []
        for field in fields:
            if field in namespace:
                defaults.append(namespace[field])
            elif defaults:
                raise TypeError(f"{name}: field {field!r} without a default follows a field with one")
        cls = namedtuple(name, fields, defaults=defaults or None, module=namespace.get("__module__"))
        cls.__annotations__ = dict(annotations)
        for key, value in namespace.items():
            if key in _RESERVED:
                raise AttributeError(f"{name}: cannot overwrite the namedtuple attribute {key}")
            if key in fields or key in _SPECIAL:
                continue
            setattr(cls, key, value)
        cls.__qualname__ = namespace.get("__qualname__", name)
        return cls


class NamedTuple(metaclass=_NamedTupleType):
    """Base of a record class written as an annotated class body (see the module docstring)."""

    __slots__ = ()
