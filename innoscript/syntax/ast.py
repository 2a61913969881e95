"""AST node types.

One node per physical line.  Every node keeps its raw text and line ending,
and every token its span, so the original text is rebuilt byte for byte by
``Script.to_text()`` and tools can point at any argument exactly.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from ..catalog import Command as CommandSpec
from ..catalog import FinalCommand, SimpleVerb
from ..source import Source, Span
from ..values import Hour, Invalid, UrlParts  # noqa: F401  (the types of parsed values)


class _NodeType(type):
    """Makes each node class a plain ``__slots__`` class from its annotations.

    A frozen dataclass costs about half a millisecond to create at import
    and more per instance; a node is built for every line of every script.
    The annotated names (ClassVars aside) become the slots, the fields
    (base-class fields first) and the parameters of a generated
    ``__init__`` that takes them positionally or by name.  Nodes are
    immutable by convention: nothing assigns to a built node.
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
            source = f"def __init__(self, {', '.join(cls._fields)}):\n"
            source += "".join(f"    self.{f} = {f}\n" for f in cls._fields)
            scope: dict = {}
            exec(source, scope)  # noqa: S102 - built from the class's own field names
            cls.__init__ = scope["__init__"]
        return cls


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
    """One blank-separated word (a NamedTuple for the same reason as Span)."""

    text: str
    span: Span


class Meta(_Node):
    """A meta sequence such as `#h` or `#b5` inside a URL word."""

    text: str
    span: Span
    known: bool  # in the catalogue's table


class Url(_Node):
    token: Token
    metas: tuple[Meta, ...]
    parts: UrlParts | None  # scheme, host, path, query; None when the word is no URL

    @property
    def text(self) -> str:
        return self.token.text

    @property
    def span(self) -> Span:
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
    span: Span
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
    kind: ClassVar[str] = "line"
    number: int  # 1-based physical line
    span: Span  # the content, without the line ending
    text: str
    newline: str
    tokens: tuple[Token, ...]

    @property
    def is_effective(self) -> bool:
        """True for lines the device executes (not blank, not comment, not error)."""
        return False

    def fields(self) -> dict:
        """Node-specific fields (for JSON and the tree printer)."""
        skip = {"number", "span", "text", "newline", "tokens"}
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
    error: Span


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
    """A parsed script: its source and one node per physical line."""

    __slots__ = ("source", "lines")

    def __init__(self, source: Source, lines: tuple[Line, ...]) -> None:
        self.source = source
        self.lines = lines

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def newline(self) -> str:
        """The dominant line-ending style ("\\r\\n", "\\n" or "\\r")."""
        return self.source.newline

    @property
    def syntax_errors(self) -> tuple[SyntaxErrorLine, ...]:
        return tuple(line for line in self.lines if isinstance(line, SyntaxErrorLine))

    def commands(self) -> list[Command]:
        return [line for line in self.lines if isinstance(line, Command)]

    def to_text(self) -> str:
        """The text rebuilt from the nodes (equals ``source.text``)."""
        return "".join(line.text + line.newline for line in self.lines)

    def __iter__(self):
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)
