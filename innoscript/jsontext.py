"""JSON text laid out exactly as ``json.dumps(value, indent=2, ensure_ascii=False)``, faster.

The json module writes with its C encoder only when there is no ``indent``;
with one, every value of the document goes through a chain of Python
generators.  The reports people read or diff (JSON, SARIF, the baseline,
the parse tree) are indented, and a large one (a SARIF log of 100,000
findings) spent more time there than in linting.  Here the containers are
walked by one plain function and each string by the C encoder, byte for byte
what json.dumps gives (property tests hold the two equal).

``Items(iterable)`` is an array whose items are made while it is written, so
a report's findings are never all held as data at once: each is written and
dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from json.encoder import encode_basestring as _string  # the C function where the C accelerator is built


class Items:
    """A JSON array whose items come from an iterable, each made when it is written."""

    __slots__ = ("iterable",)

    def __init__(self, iterable: Iterable) -> None:
        self.iterable = iterable


def dumps(value, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, as if nested ``level`` deep
    (its lines after the first indented by ``level`` steps)."""
    out: list[str] = []
    _write(value, out.append, "\n" + "  " * level)
    return "".join(out)


def write(value, put: Callable[[str], object]) -> None:
    """The text of ``dumps(value)`` handed to ``put`` in pieces, an ``Items`` array's
    an item at a time: the whole text is never held."""
    _write(value, put, "\n")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


# The exact classes the writer handles without a call of its own; subclasses
# (an IntEnum, a str subclass) take json's own checks in ``_scalar``.
_SCALARS: dict[type, Callable] = {
    str: _string,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def _scalar(value) -> str | None:
    """A scalar's text as json writes it (its checks, in its order); None for a container."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple, dict, Items)):
        return None
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _key(key) -> str:
    """A dictionary key as json writes it: other scalars become strings."""
    if isinstance(key, str):
        return _string(key)
    if isinstance(key, (int, float)) or key is None:  # True/False/None included, as json has them
        text = _scalar(key)
        return '"' + text + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


_CONTAINERS = frozenset({dict, list, tuple, Items})


def _write(value, put: Callable[[str], object], newline: str) -> None:
    """Hand ``value``'s text to ``put``; ``newline`` starts a line at its own depth."""
    write = _SCALARS.get(value.__class__)
    text = write(value) if write is not None else None if value.__class__ in _CONTAINERS else _scalar(value)
    if text is not None:
        put(text)
        return
    inner = newline + "  "
    if isinstance(value, dict):
        if not value:
            put("{}")
            return
        separator = "{" + inner
        for key, item in value.items():
            key = _string(key) if key.__class__ is str else _key(key)
            write = _SCALARS.get(item.__class__)
            text = write(item) if write is not None else None if item.__class__ in _CONTAINERS else _scalar(item)
            if text is not None:
                put(f"{separator}{key}: {text}")
            else:
                put(f"{separator}{key}: ")
                _write(item, put, inner)
            separator = "," + inner
        put(newline + "}")
        return
    if value.__class__ is Items:
        # A long array: each item's pieces joined as it is written, so ``put`` gets
        # (and a report holds) one text per item rather than its many small pieces.
        separator = "[" + inner
        for item in value.iterable:
            pieces = [separator]
            _write(item, pieces.append, inner)
            put("".join(pieces))
            separator = "," + inner
        put("[]" if separator[0] == "[" else newline + "]")
        return
    separator = "[" + inner
    for item in value:
        write = _SCALARS.get(item.__class__)
        text = write(item) if write is not None else None if item.__class__ in _CONTAINERS else _scalar(item)
        if text is not None:
            put(separator + text)
        else:
            put(separator)
            _write(item, put, inner)
        separator = "," + inner
    put("[]" if separator[0] == "[" else newline + "]")
