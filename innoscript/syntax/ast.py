"""AST node types.

One node per physical line.  Every node keeps its raw text and line ending,
and every token where it stands in its line, so the original text is
rebuilt byte for byte by ``Script.to_text()`` and tools can point at any
argument exactly.

Positions inside a line are relative to the line (``Cols``): the parse of
a line is a function of its text alone, made once per distinct text and
shared (a large script repeats many lines, and an edit re-parses one line).
A line node adds only where it stands (``number``, ``offset``); ``at``
turns a token's columns into a ``Span`` of the file when a face asks.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog import Command as CommandSpec
from ..catalog import FinalCommand, SimpleVerb
from ..records import NamedTuple
from ..source import Cols, Source, Span
from ..values import Hour, Invalid, UrlParts  # noqa: F401  (the types of parsed values)
from . import node_constructors

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import ClassVar


class _NodeType(type):
    """Makes each node class a plain ``__slots__`` class from its annotations.

    A frozen dataclass costs about half a millisecond to create at import
    and more per instance; a node is built for every line of every script.
    The annotated names (ClassVars aside) become the slots, the fields
    (base-class fields first) and the parameters of a generated
    ``__init__`` that takes them positionally or by name.  Nodes are
    immutable by convention: nothing assigns to a built node.

    The ``__init__`` (and a line's ``placed``) of the classes below come
    from ``node_constructors.py``, generated from them and checked in
    (``python -m innoscript.syntax.generate``): compiling them at every start
    cost a short lint more than the lint itself.  A class that module does
    not know with these fields (a subclass elsewhere, or the module not yet
    generated again after a change here) has them compiled when first used.
    """

    def __new__(mcs, name, bases, namespace):
        own = tuple(k for k, v in namespace.get("__annotations__", {}).items() if not str(v).startswith("ClassVar"))
        namespace["__slots__"] = own
        cls = super().__new__(mcs, name, bases, namespace)
        inherited = bases[0]._fields if bases and hasattr(bases[0], "_fields") else ()
        cls._fields = inherited + own
        types = dict(getattr(bases[0], "_types", {})) if bases else {}
        types.update((k, str(namespace["__annotations__"][k])) for k in own)
        cls._types = types
        if cls._fields:
            _install_methods(cls)
        return cls


def _is_line(fields: tuple[str, ...]) -> bool:
    return fields[:2] == ("number", "offset")


def methods_source(name: str, fields: tuple[str, ...]) -> str:
    """The source of ``<name>__init__`` (and ``<name>__placed`` for a line) of a node class with these fields."""
    source = f"def {name}__init__(self, {', '.join(fields)}):\n"
    source += "".join(f"    self.{f} = {f}\n" for f in fields)
    if _is_line(fields):
        # A line's parse placed elsewhere: the same node with another position.
        rest = "".join(f", self.{f}" for f in fields[2:])
        source += f"\n\ndef {name}__placed(self, number, offset):\n    return self.__class__(number, offset{rest})\n"
    return source


def _install_methods(cls: type) -> None:
    """The generated ``__init__`` and ``placed`` of ``cls``, when they were generated for its fields;
    else stand-ins that compile them on first use."""
    name, fields = cls.__name__, cls._fields
    init = getattr(node_constructors, f"{name}__init__", None) if cls.__module__ == __name__ else None
    placed = getattr(node_constructors, f"{name}__placed", None)
    code = init.__code__ if init is not None else None
    if code is None or code.co_varnames[1 : code.co_argcount] != fields or (
        _is_line(fields) and (placed is None or placed.__code__.co_names != ("__class__", *fields[2:]))
    ):
        cls.__init__ = _first_init  # each class its own stand-ins: a subclass must not use its base's
        if _is_line(fields):
            cls.placed = _first_placed
        return
    _set(cls, init, placed)


def _set(cls: type, init, placed) -> None:
    for method, attribute in ((init, "__init__"), (placed, "placed")):
        if method is not None:
            method.__name__ = attribute
            method.__qualname__ = f"{cls.__name__}.{attribute}"
            setattr(cls, attribute, method)


def _compile_methods(cls: type) -> None:
    """Replace the stand-ins of ``cls`` with its ``__init__`` (and ``placed``), compiled now."""
    scope: dict = {}
    exec(methods_source("node", cls._fields), scope)  # noqa: S102 - built from the class's own field names
    _set(cls, scope["node__init__"], scope.get("node__placed"))


def _first_init(self, *args, **kwargs) -> None:
    cls = self.__class__
    _compile_methods(cls)
    cls.__init__(self, *args, **kwargs)


def _first_placed(self, number: int, offset: int):
    # A node can exist before its class's first __init__ (unpickled in another process).
    _compile_methods(self.__class__)
    return self.placed(number, offset)


def constructors_source() -> str:
    """The text of ``node_constructors.py``: the methods of every node class of this module."""
    head = (
        '"""Constructors of the AST node classes (``innoscript.syntax.ast``).\n\n'
        "GENERATED from the node classes by ``python -m innoscript.syntax.generate``: do\n"
        "not edit.  Plain code, so that the bytecode cache keeps it: compiled at every\n"
        "start, these cost a short lint more than the lint itself.\n"
        '"""\n'
    )
    classes = [c for c in globals().values() if isinstance(c, type) and issubclass(c, _Node) and c._fields]
    return head + "".join(f"\n\n{methods_source(c.__name__, c._fields)}" for c in classes)


class _Node(metaclass=_NodeType):
    """Equality, hash and repr over the fields, as the dataclasses had."""

    _fields: ClassVar[tuple[str, ...]]
    _types: ClassVar[dict[str, str]]  # field name -> annotation, for tools that walk nodes

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._fields)})"


def field_types(cls: type) -> dict[str, str]:
    """A node class's fields in order, with their annotations as written."""
    return dict(cls._types)


class Token(NamedTuple):
    """One blank-separated word and its columns in the line (a tuple: a large file has a million)."""

    text: str
    span: Cols


class Meta(_Node):
    """A meta sequence such as `#h` or `#b5` inside a URL word."""

    text: str
    span: Cols
    known: bool  # in the catalogue's table


class Url(_Node):
    token: Token
    metas: tuple[Meta, ...]
    parts: UrlParts | None  # scheme, host, path, query; None when the word is no URL

    @property
    def text(self) -> str:
        return self.token.text

    @property
    def span(self) -> Cols:
        return self.token.span


class Option(_Node):
    """`/name` with its value, if it takes one, parsed by its catalogue kind.

    ``parsed`` is the typed value (an int, a tuple of Hour, a Url with its
    parts and meta sequences, the word itself, True for a flag) or an
    ``Invalid`` with its span; options the catalogue does not know keep
    their word.
    """

    name: Token
    value: Token | None
    span: Cols
    kind: str | None  # value kind from the catalogue (values.KINDS), None: unknown option or flag
    parsed: object

    @property
    def key(self) -> str:
        return self.name.text

    @property
    def invalid(self) -> Invalid | None:
        """The typed error when the value cannot be read, else None."""
        return self.parsed if isinstance(self.parsed, Invalid) else None


# -- lines --------------------------------------------------------------------


class Line(_Node):
    """One physical line.  ``number`` and ``offset`` say where it stands.

    The parser makes each distinct line once at line 1, offset 0 (where its
    columns are also offsets) and ``placed`` copies it to each place it
    stands (``placed(number, offset)``, made for each node class by
    _NodeType); everything after those two fields is shared.
    """

    kind: ClassVar[str] = "line"
    number: int  # 1-based physical line
    offset: int  # character offset of the line's first character in the text
    text: str
    newline: str
    tokens: tuple[Token, ...]

    @property
    def span(self) -> Span:
        """The content, without the line ending."""
        number, offset, end = self.number, self.offset, len(self.text)
        return Span(offset, offset + end, number, 1, number, end + 1)

    def at(self, where) -> Span:
        """The file span of columns of this line: ``Cols``, or anything with a ``span`` of them
        (a token, an option, a URL, a meta sequence, an hour, an invalid value)."""
        start, end = where if where.__class__ is Cols else where.span
        number, offset = self.number, self.offset
        return Span(offset + start, offset + end, number, start + 1, number, end + 1)

    @property
    def is_effective(self) -> bool:
        """True for lines the device executes (not blank, not comment, not error)."""
        return False

    def fields(self) -> dict:
        """Node-specific fields (for JSON and the tree printer)."""
        skip = {"number", "offset", "text", "newline", "tokens"}
        return {name: getattr(self, name) for name in self._fields if name not in skip}


class Blank(Line):
    kind: ClassVar[str] = "blank"


class Comment(Line):
    kind: ClassVar[str] = "comment"
    body: str  # after the `#`


class Directive(Comment):
    """`# innolint: <action>=<codes> -- <reason>` (read by the linter)."""

    kind: ClassVar[str] = "directive"
    action: Token
    codes: tuple[Token, ...]
    reason: str | None


class SyntaxErrorLine(Line):
    kind: ClassVar[str] = "syntax-error"
    message: str
    error: Cols


class Command(Line):
    """Any line the device executes."""

    kind: ClassVar[str] = "command"
    args: tuple[Token, ...]  # positional words after the command's head
    options: tuple[Option, ...]
    extra: tuple[Token, ...]  # positional words beyond what the command takes

    @property
    def is_effective(self) -> bool:
        return True

    def option(self, name: str) -> Option | None:
        for option in self.options:
            if option.name.text == name:
                return option
        return None


class ModCommand(Command):
    """`mod cmd <MODULE> <verb> ...`"""

    kind: ClassVar[str] = "mod-command"
    keywords: tuple[Token, ...]  # `mod`, `cmd`
    module: Token | None
    verb: Token | None
    spec: CommandSpec | None  # catalogue entry, None when unknown


class Times(ModCommand):
    kind: ClassVar[str] = "times"
    allow: Option | None
    initial: Option | None


class Check(ModCommand):
    kind: ClassVar[str] = "check"
    final: Token | None
    serial: Token | None


class Download(ModCommand):
    """`prot`, `boot` or `bmc`."""

    kind: ClassVar[str] = "download"
    url: Url | None
    final: Token | None
    serial: Token | None


class Scfg(ModCommand):
    kind: ClassVar[str] = "scfg"
    url: Url | None
    final: Token | None
    serial: Token | None
    force: Option | None
    always: Option | None


class Cfg(ModCommand):
    kind: ClassVar[str] = "cfg"
    url: Url | None
    final: Token | None
    serial: Token | None


class WlanPower(ModCommand):
    kind: ClassVar[str] = "wlan-power"
    activate: bool


class Up1Action(ModCommand):
    """`poll`, `reinit`, `provision <n>`."""

    kind: ClassVar[str] = "up1-action"


class ConfigLine(Command):
    """`config <verb> [<MODULE>] /option value ...`"""

    kind: ClassVar[str] = "config"
    keyword: Token
    verb: Token | None
    module: Token | None
    sub: Token | None  # a named sub-object of the module: `config change PHONE SIG ...`
    spec: SimpleVerb | None  # catalogue entry of the verb, None when unknown

    @property
    def target(self) -> str | None:
        """What the line configures: `UP1`, `PHONE SIG` (upper case), None without a module."""
        if self.module is None:
            return None
        module = self.module.text.upper()
        return f"{module} {self.sub.text.upper()}" if self.sub is not None else module


class VarsLine(Command):
    """`vars <verb> <name> ...`"""

    kind: ClassVar[str] = "vars"
    keyword: Token
    verb: Token | None
    name: Token | None


class FinalLine(Command):
    """A bare final command on its own line (`iresetn`)."""

    kind: ClassVar[str] = "final"
    word: Token
    final: FinalCommand


class GenericLine(Command):
    """Any other command the device would be sent."""

    kind: ClassVar[str] = "generic"
    head: Token


# -- the script ---------------------------------------------------------------


class Script:
    """A parsed script: its source and one node per physical line.

    ``shapes`` holds each line's parse as the parser shares it (at line 1,
    offset 0; the same object for lines with the same text and ending);
    ``lines`` the nodes placed where they stand, made on first use.  Passes
    that look for some kinds of line (``lines_of``, the linter's line rules
    over ``numbered``) find them through an index of the lines that are not
    blank, so ten million blank lines cost a pointer each, never a node.
    """

    __slots__ = ("source", "shapes", "_lines", "_nodes", "_filled", "_by_class", "_by_types")

    def __init__(self, source: Source, shapes: Sequence[Line], filled: list[int] | None = None,
                 placed: dict[int, Line] | None = None) -> None:
        self.source = source
        self.shapes = shapes
        self._lines: tuple[Line, ...] | None = None
        # Lines placed one by one before ``lines`` was asked, by 0-based index (a
        # dictionary: a file of blank lines places a few); ``placed`` hands over
        # the nodes still valid from an earlier version (see ``placed_nodes``).
        self._nodes: dict[int, Line] = {} if placed is None else placed
        # Numbers of the lines that are not blank (the parser knows them; else found when asked).
        self._filled = filled
        self._by_class: dict[type, list[int]] | None = None
        # The numbers found per tuple of node types: each lint asks the same few tuples.
        self._by_types: dict[tuple[type, ...], list[int]] = {}

    @property
    def lines(self) -> tuple[Line, ...]:
        if self._lines is None:
            get = self._nodes.get
            self._lines = tuple(
                get(index) or (shape if shape.offset == start and shape.number == index + 1
                               else shape.placed(index + 1, start))
                for index, shape, start in zip(range(len(self.shapes)), self.shapes, self.source.lines.starts)
            )
            self._nodes = {}
        return self._lines

    def line(self, number: int) -> Line:
        """The node of line ``number`` (1-based), placed; the same object on every call."""
        if self._lines is not None:
            return self._lines[number - 1]
        found = self._nodes.get(number - 1)
        if found is None:
            found = self._nodes[number - 1] = self.shapes[number - 1].placed(number, self.source.lines.starts[number - 1])
        return found

    def placed_nodes(self, first: int, end: int, moved: int = 0) -> dict[int, Line]:
        """The nodes placed so far, by index, but those of lines ``first`` to ``end`` (0-based,
        end exclusive); with ``moved``, only those before ``first`` (the others moved)."""
        if self._lines is not None:
            lines = self._lines
            kept = dict(zip(range(first), lines[:first]))
            if not moved:
                kept.update(zip(range(end, len(lines)), lines[end:]))
            return kept
        # A copy first (one step in C): the language server's loop may place a line of
        # this version (a hover) while a worker reads it for the next one.
        nodes = self._nodes.copy()
        return {index: node for index, node in nodes.items() if index < first or (not moved and index >= end)}

    @property
    def filled(self) -> list[int]:
        """Numbers (1-based) of the lines that are not blank, in order."""
        if self._filled is None:
            self._filled = [number for number, shape in enumerate(self.shapes, 1) if shape.__class__ is not Blank]
        return self._filled

    def numbered(self, *types: type):
        """(number, offset, shape) of the lines of these node types (default: all but blank ones), in order."""
        shapes, starts = self.shapes, self.source.lines.starts
        for number in (self._numbers(types) if types else self.filled):
            yield number, starts[number - 1], shapes[number - 1]

    def lines_of(self, *types: type) -> list:
        """The placed lines of these node types, in order, without placing the others."""
        numbers = self._numbers(types)
        if self._lines is not None:
            lines = self._lines
            return [lines[number - 1] for number in numbers]
        # As ``line`` does, inline: a script rule asks for thousands of lines.
        nodes, shapes, starts = self._nodes, self.shapes, self.source.lines.starts
        found = []
        for number in numbers:
            node = nodes.get(number - 1)
            if node is None:
                node = nodes[number - 1] = shapes[number - 1].placed(number, starts[number - 1])
            found.append(node)
        return found

    def numbers_of(self, *types: type) -> Sequence[int]:
        """Numbers (1-based) of the lines of these node types, in order, without placing any.

        The list is the script's own (kept for the next caller): read it, do not change it.
        """
        return self._numbers(types)

    def _numbers(self, types: tuple[type, ...]) -> list[int]:
        found = self._by_types.get(types)
        if found is None:
            found = self._by_types[types] = self._find_numbers(types)
        return found

    def _find_numbers(self, types: tuple[type, ...]) -> list[int]:
        if issubclass(Blank, types):
            return [number for number, shape in enumerate(self.shapes, 1) if isinstance(shape, types)]
        if self._by_class is None:
            by_class: dict[type, list[int]] = {}
            shapes = self.shapes
            for number in self.filled:
                cls = shapes[number - 1].__class__
                found = by_class.get(cls)
                if found is None:
                    found = by_class[cls] = []
                found.append(number)
            self._by_class = by_class
        wanted = [numbers for cls, numbers in self._by_class.items() if issubclass(cls, types)]
        if len(wanted) == 1:
            return wanted[0]
        # Sorted runs one after the other: the sort merges them (timsort), without a step per number in Python.
        merged: list[int] = []
        for numbers in wanted:
            merged += numbers
        merged.sort()
        return merged

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def newline(self) -> str:
        """The dominant line-ending style ("\\r\\n", "\\n" or "\\r")."""
        return self.source.newline

    @property
    def syntax_errors(self) -> tuple[SyntaxErrorLine, ...]:
        return tuple(self.lines_of(SyntaxErrorLine))

    def commands(self) -> list[Command]:
        return self.lines_of(Command)

    def to_text(self) -> str:
        """The text rebuilt from the nodes (equals ``source.text``)."""
        return "".join(line.text + line.newline for line in self.shapes)

    def __iter__(self):
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.shapes)
