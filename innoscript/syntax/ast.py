"""AST node types.

One node per physical line.  Every node keeps its raw text and line ending,
and every token its span, so the original text is rebuilt byte for byte by
``Script.to_text()`` and tools can point at any argument exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, NamedTuple

from ..catalog import Command as CommandSpec
from ..catalog import FinalCommand, SimpleVerb
from ..source import Source, Span
from ..values import Hour, Invalid, UrlParts  # noqa: F401  (the types of parsed values)


_node = dataclass(frozen=True, slots=True, kw_only=True)


class Token(NamedTuple):
    """One blank-separated word (a NamedTuple for the same reason as Span)."""

    text: str
    span: Span


@_node
class Meta:
    """A meta sequence such as `#h` or `#b5` inside a URL word."""

    text: str
    span: Span
    known: bool  # in the catalogue's table


@_node
class Url:
    token: Token
    metas: tuple[Meta, ...]
    parts: UrlParts | None  # scheme, host, path, query; None when the word is no URL

    @property
    def text(self) -> str:
        return self.token.text

    @property
    def span(self) -> Span:
        return self.token.span


@_node
class Option:
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


@_node
class Line:
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
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@_node
class Blank(Line):
    kind: ClassVar[str] = "blank"


@_node
class Comment(Line):
    kind: ClassVar[str] = "comment"
    body: str  # after the `#`


@_node
class Directive(Comment):
    """`# innolint: <action>=<codes> -- <reason>` (read by the linter)."""

    kind: ClassVar[str] = "directive"
    action: Token
    codes: tuple[Token, ...]
    reason: str | None


@_node
class SyntaxErrorLine(Line):
    kind: ClassVar[str] = "syntax-error"
    message: str
    error: Span


@_node
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


@_node
class ModCommand(Command):
    """`mod cmd <MODULE> <verb> ...`"""

    kind: ClassVar[str] = "mod-command"
    keywords: tuple[Token, ...]  # `mod`, `cmd`
    module: Token | None
    verb: Token | None
    spec: CommandSpec | None  # catalogue entry, None when unknown


@_node
class Times(ModCommand):
    kind: ClassVar[str] = "times"
    allow: Option | None
    initial: Option | None


@_node
class Check(ModCommand):
    kind: ClassVar[str] = "check"
    final: Token | None
    serial: Token | None


@_node
class Download(ModCommand):
    """`prot`, `boot` or `bmc`."""

    kind: ClassVar[str] = "download"
    url: Url | None
    final: Token | None
    serial: Token | None


@_node
class Scfg(ModCommand):
    kind: ClassVar[str] = "scfg"
    url: Url | None
    final: Token | None
    serial: Token | None
    force: Option | None
    always: Option | None


@_node
class Cfg(ModCommand):
    kind: ClassVar[str] = "cfg"
    url: Url | None
    final: Token | None
    serial: Token | None


@_node
class WlanPower(ModCommand):
    kind: ClassVar[str] = "wlan-power"
    activate: bool


@_node
class Up1Action(ModCommand):
    """`poll`, `reinit`, `provision <n>`."""

    kind: ClassVar[str] = "up1-action"


@_node
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


@_node
class VarsLine(Command):
    """`vars <verb> <name> ...`"""

    kind: ClassVar[str] = "vars"
    keyword: Token
    verb: Token | None
    name: Token | None


@_node
class FinalLine(Command):
    """A bare final command on its own line (`iresetn`)."""

    kind: ClassVar[str] = "final"
    word: Token
    final: FinalCommand


@_node
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
