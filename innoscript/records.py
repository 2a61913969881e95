"""``NamedTuple``: the class syntax of ``typing.NamedTuple`` without importing ``typing``.

``innolint`` starts for every run of a pre-commit hook or an editor, and
importing ``typing`` costs it a few milliseconds (more than linting a short
script); ``typing.NamedTuple`` also turns every string annotation into a
``ForwardRef`` (a ``compile()`` each) when the class is made.  This base
class makes the same class as ``collections.namedtuple`` from the same
class body:

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

The class is assembled here as ``collections.namedtuple`` assembles it,
but for one thing: namedtuple compiles (``eval``) a ``__new__`` for every
class, more than half of what a record class costs to make, and a run of
``innolint`` makes some forty.  Here one ``__new__`` is compiled per number
of fields and given each class's field names: the same code, the same
signature, the same speed.

A leaf module: it imports nothing from innoscript.
"""

from collections import _tuplegetter  # the field accessor (in C) namedtuple itself uses
from sys import intern

# What namedtuple makes itself; a class body that sets one is a mistake (as with typing.NamedTuple).
_RESERVED = frozenset(("__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make",
                       "_replace", "_asdict", "_source"))
# Class-body entries that are not attributes of the class.
_SPECIAL = frozenset(("__module__", "__qualname__", "__annotations__"))


_tuple_new = tuple.__new__
_function = type(lambda: None)  # types.FunctionType
_NEW_CODES: dict[int, object] = {}  # number of fields -> code of a __new__ taking that many
_NEW_GLOBALS = {"_tuple_new": _tuple_new, "__builtins__": {}, "__name__": __name__}


def _new(typename: str, fields: tuple[str, ...], defaults: tuple | None):
    """``__new__(_cls, <fields>)`` as namedtuple makes it, without compiling it for each class."""
    code = _NEW_CODES.get(len(fields))
    if code is None:
        names = "".join(f", _{index}" for index in range(len(fields)))
        values = names[2:] + ("," if len(fields) == 1 else "")
        code = _NEW_CODES[len(fields)] = eval(f"lambda _cls{names}: _tuple_new(_cls, ({values}))", _NEW_GLOBALS).__code__
    function = _function(code.replace(co_varnames=("_cls", *fields)), _NEW_GLOBALS, "__new__", defaults)
    function.__doc__ = f"Create new instance of {typename}({', '.join(fields)}{',' if len(fields) == 1 else ''})"
    return function


def _namedtuple(typename: str, fields: tuple[str, ...], defaults: tuple | None, module: str | None) -> type:
    """``collections.namedtuple(typename, fields, defaults=defaults, module=module)`` for field names
    that are identifiers (they come from annotations), with ``__new__`` from ``_new``."""
    typename = intern(typename)
    seen = set()
    for name in fields:
        if name.startswith("_"):
            raise ValueError(f"Field names cannot start with an underscore: {name!r}")
        if name in seen:  # not reachable from a class body, kept as namedtuple has it
            raise ValueError(f"Encountered duplicate field name: {name!r}")
        seen.add(name)
    if defaults is not None and len(defaults) > len(fields):
        raise TypeError("Got more default values than field names")
    fields = tuple(map(intern, fields))
    field_defaults = dict(zip(fields[len(fields) - len(defaults):], defaults)) if defaults else {}
    count = len(fields)
    arg_list = ", ".join(fields) + ("," if count == 1 else "")
    repr_fmt = "(" + ", ".join(f"{name}=%r" for name in fields) + ")"
    __new__ = _new(typename, fields, defaults)
    _dict, _tuple, _len, _map, _zip = dict, tuple, len, map, zip  # locals, as namedtuple has them

    @classmethod
    def _make(cls, iterable):
        result = _tuple_new(cls, iterable)
        if _len(result) != count:
            raise TypeError(f"Expected {count} arguments, got {len(result)}")
        return result

    _make.__func__.__doc__ = f"Make a new {typename} object from a sequence or iterable"

    def _replace(self, /, **kwds):
        result = self._make(_map(kwds.pop, fields, self))
        if kwds:
            raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
        return result

    _replace.__doc__ = f"Return a new {typename} object replacing specified fields with new values"

    def __repr__(self):
        "Return a nicely formatted representation string"
        return self.__class__.__name__ + repr_fmt % self

    def _asdict(self):
        "Return a new dict which maps field names to their values."
        return _dict(_zip(self._fields, self))

    def __getnewargs__(self):
        "Return self as a plain tuple.  Used by copy and pickle."
        return _tuple(self)

    for method in (__new__, _make.__func__, _replace, __repr__, _asdict, __getnewargs__):
        method.__qualname__ = f"{typename}.{method.__name__}"
    namespace = {
        "__doc__": f"{typename}({arg_list})",
        "__slots__": (),
        "_fields": fields,
        "_field_defaults": field_defaults,
        "__new__": __new__,
        "_make": _make,
        "_replace": _replace,
        "__repr__": __repr__,
        "_asdict": _asdict,
        "__getnewargs__": __getnewargs__,
        "__match_args__": fields,
    }
    for index, name in enumerate(fields):
        namespace[name] = _tuplegetter(index, intern(f"Alias for field number {index}"))
    cls = type(typename, (tuple,), namespace)
    if module is not None:
        cls.__module__ = module
    return cls


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
        cls = _namedtuple(name, fields, tuple(defaults) if defaults else None, namespace.get("__module__"))
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
