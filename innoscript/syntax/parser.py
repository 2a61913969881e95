"""Parse a script into the AST.

The grammar of record is ``grammar/innoscript.lark`` (Lark, LALR).  Lines are
independent, so a script is parsed line by line, which gives error recovery
at line boundaries for free: one diagnostic per bad line, all of them in one
run.

Speed: most lines contain only printable characters and blanks, and for such
a line the grammar's tokens are exactly the blank-separated words and its
shape is decided by the first two words.  ``tokenize_line`` reads those lines
directly (about ten times faster than a Lark call, and it keeps ``import
lark`` off the start-up path of the command-line tools); every other line
goes through the Lark parser, which also words the syntax errors.  The tests
check, over the corpus and over hypothesis-generated lines, that both paths
give the same tokens and shapes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from sys import intern

from .. import catalog, values
from ..gcpause import paused_gc
from ..lazyregex import LazyRegex
from ..source import Cols, Source, split_lines
from . import ast

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from pathlib import Path

# A line the fast path can read: printable characters, blanks and tabs.  Compiled
# when first used: most scripts have no tab, no control character, no directive.
_PLAIN = LazyRegex(r"[^\x00-\x08\x0a-\x1f\x7f]*")
_WORD = LazyRegex(r"[^ \t]+")
_DIRECTIVE = LazyRegex(
    r"#\s*innolint\s*:\s*(?P<action>[A-Za-z][A-Za-z-]*)"
    r"(?:\s*=\s*(?P<codes>[^\s,]+(?:\s*,\s*[^\s,]+)*))?"
    r"(?:\s+--\s*(?P<reason>.*?))?\s*$"
)
_DIRECTIVE_START = LazyRegex(r"#\s*innolint\s*:", re.IGNORECASE)

# Shapes, named like the grammar's rules.
COMMENT, MOD, CONFIG, VARS, OTHER, EMPTY = (
    "comment",
    "mod_command",
    "config_command",
    "vars_command",
    "other_command",
    "empty",
)

_new_tuple = tuple.__new__

RawToken = tuple[str, int, int]  # text, start column, end column (0-based, in the line)


def grammar_path() -> Path:
    """The shipped grammar (inside the wheel) or the repository's copy."""
    from pathlib import Path  # only when lark is needed: pathlib costs every start

    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "grammar" / "innoscript.lark", here.parent / "grammar" / "innoscript.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("grammar/innoscript.lark not found")


@lru_cache(maxsize=1)
def lark_parser():
    """The Lark LALR parser for one line (built once, on first need)."""
    from lark import Lark

    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual", maybe_placeholders=False)


class LineSyntaxError(Exception):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def tokenize_line_lark(text: str) -> tuple[str, list[RawToken]]:
    """Shape and tokens of one line by the Lark parser; raises LineSyntaxError."""
    from lark import Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

    try:
        tree = lark_parser().parse(text)
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        raise LineSyntaxError(
            f"unexpected control character U+{ord(char):04X}; a command line may contain only "
            "printable characters, blanks and tabs",
            exc.pos_in_stream,
        ) from None
    except UnexpectedInput as exc:  # not reachable with this grammar, kept for safety
        column = getattr(exc, "pos_in_stream", 0) or 0
        raise LineSyntaxError(f"cannot read this line: {exc.__class__.__name__}", column) from None
    if not tree.children:
        return EMPTY, []
    node = tree.children[0]
    # The command rules nest the words in typed subtrees; in line order.
    return node.data, [(tok.value, tok.start_pos, tok.end_pos) for tok in node.scan_values(lambda v: isinstance(v, Token))]


def tokenize_line(text: str) -> tuple[str, list[RawToken]]:
    """Shape and tokens of one line; raises LineSyntaxError."""
    stripped = text.lstrip(" \t")
    if stripped.startswith("#"):
        start = len(text) - len(stripped)
        return COMMENT, [(text[start:], start, len(text))]
    # isprintable() is the quick yes (no control character, no tab); the pattern decides the rest.
    if not text.isprintable() and not _PLAIN.fullmatch(text):
        return tokenize_line_lark(text)
    if "\t" in text:
        tokens = [(m.group(), *m.span()) for m in _WORD.finditer(text)]
    else:
        # Blanks only: the words of split(" ") are the tokens, and where each
        # stands follows from the lengths (an empty piece is a blank more).
        tokens = []
        add = tokens.append
        start = 0
        for word in text.split(" "):
            end = start + len(word)
            if end > start:
                add((word, start, end))
            start = end + 1
    return _shape(tokens), tokens


def _shape(tokens: list) -> str:
    """A line's shape from its first words."""
    if not tokens:
        return EMPTY
    head = tokens[0][0].lower()
    if head == "mod" and len(tokens) > 1 and tokens[1][0].lower() == "cmd":
        return MOD
    if head == "config":
        return CONFIG
    if head == "vars":
        return VARS
    return OTHER


# -- AST building ---------------------------------------------------------------

# Tokens made lately, by (text, start, end): the same words stand at the same
# columns on many lines (`config` at 0, `CMD0` at 11 ...), so lines share them;
# a large generated script has ten times fewer distinct tokens than tokens.
# Bounded: emptied when full.
_TOKENS: dict[RawToken, ast.Token] = {}
_TOKENS_LIMIT = 500_000


# By the entry's identity: hashing a catalogue entry (all its fields) costs more than the look-up saves.
_OPTIONS_OF: dict[int, tuple[catalog.Command, dict[str, catalog.OptionSpec]]] = {}


def _command_options(spec: catalog.Command) -> dict[str, catalog.OptionSpec]:
    """A command's options by name (the first of a name, as ``Command.option`` finds it)."""
    known = _OPTIONS_OF.get(id(spec))
    if known is None or known[0] is not spec:
        found: dict[str, catalog.OptionSpec] = {}
        for option in spec.options:
            found.setdefault(option.name, option)
        known = _OPTIONS_OF[id(spec)] = (spec, found)  # the entry kept: its id stays its own
    return known[1]


def _module_settings(module: str) -> dict[str, catalog.OptionSpec] | None:
    """A module's configuration settings by name, as ``catalog.config_setting`` finds them; None: it has none."""
    return _settings_index(catalog.CONFIG_SETTINGS.get(module.upper(), ()))


@lru_cache(maxsize=256)  # by the catalogue's tuple itself: a changed catalogue is indexed anew
def _settings_index(settings: tuple[catalog.OptionSpec, ...]) -> dict[str, catalog.OptionSpec] | None:
    found: dict[str, catalog.OptionSpec] = {}
    for setting in settings:
        found.setdefault(setting.name, setting)
    return found or None


class _LineBuilder:
    """Builds one line's node from its shape and raw tokens, at line 1, offset 0."""

    __slots__ = ("text", "newline", "tokens")

    def __init__(self, text: str, newline: str) -> None:
        self.text = text
        self.newline = newline
        self.tokens: tuple[ast.Token, ...] = ()

    @staticmethod
    def span(start: int, end: int) -> Cols:
        # tuple.__new__ straight: the NamedTuple's own __new__ is one more
        # Python call, and a large file makes a million of these.
        return _new_tuple(Cols, (start, end))

    def line_fields(self) -> tuple:
        """The fields every line starts with, in order (nodes take them positionally)."""
        return 1, 0, self.text, self.newline, self.tokens

    def build(self) -> ast.Line:
        known = _TOKENS
        if len(known) > _TOKENS_LIMIT:
            known.clear()
        text = self.text
        tokens = []
        add = tokens.append
        try:
            shape, raw = tokenize_line(text)
        except LineSyntaxError as exc:
            column = min(exc.column, len(text))
            return ast.SyntaxErrorLine(*self.line_fields(), exc.message, self.span(column, min(column + 1, len(text))))
        for key in raw:
            token = known.get(key)
            if token is None:
                # Interned: the same few words (mod, cmd, UP0, config, /name ...) fill
                # most of a large file.
                word, start, end = key
                token = known[key] = _new_tuple(ast.Token, (intern(word), _new_tuple(Cols, (start, end))))
            add(token)
        self.tokens = tuple(tokens)
        if shape == CONFIG:
            return self.config_line()
        if shape == MOD:
            return self.mod_command()
        if shape == VARS:
            return self.vars_line()
        if shape == EMPTY:
            return ast.Blank(*self.line_fields())
        if shape == COMMENT:
            return self.comment()
        return self.other_line()

    # -- comments and directives

    def comment(self) -> ast.Line:
        token = self.tokens[0]
        body = token.text[1:]
        if ":" not in token.text or not _DIRECTIVE_START.match(token.text):
            return ast.Comment(*self.line_fields(), body)
        base = token.span.start
        match = _DIRECTIVE.match(token.text)
        if not match:
            # Looks like a directive but is malformed: the linter reports it.
            start = token.text.index(":") + 1
            action = ast.Token("", self.span(base + start, base + start))
            return ast.Directive(*self.line_fields(), body, action, (), None)
        action = ast.Token(text=match.group("action"), span=self.span(base + match.start("action"), base + match.end("action")))
        codes: list[ast.Token] = []
        if match.group("codes"):
            codes_start = match.start("codes")
            for code in re.finditer(r"[^\s,]+", match.group("codes")):
                codes.append(
                    ast.Token(text=code.group(), span=self.span(base + codes_start + code.start(), base + codes_start + code.end()))
                )
        reason = match.group("reason")
        return ast.Directive(*self.line_fields(), body, action, tuple(codes), reason or None)

    # -- arguments and options

    def split_args(self, tokens: tuple[ast.Token, ...], known=None, bare: bool = False, lower: bool = False):
        """Positional words and options, each option's value parsed by its kind.

        ``known`` maps option names to their catalogue entries (None: no
        option is known); with ``lower`` the name is looked up in lower case.
        An option takes the next word as its value when the catalogue says
        it has one, or, for options the catalogue does not know, when the
        next word is not itself an option (`config add CMD0 /name x /flag`).
        With ``bare`` options are names only (`config rem`).
        """
        for token in tokens:
            if token[0][:1] == "/":
                break
        else:
            return tuple(tokens), ()  # no option (a download, a check, a vars line): the words are the arguments
        args: list[ast.Token] = []
        options: list[ast.Option] = []
        if bare:
            known = None
        count = len(tokens)
        i = 0
        while i < count:
            token = tokens[i]
            name = token[0]
            if name[:1] != "/":
                args.append(token)
                i += 1
                continue
            spec = known.get(name.lower() if lower else name) if known is not None else None
            kind = spec.value if spec is not None else None
            value = None
            if not bare and (spec is None or kind is not None) and i + 1 < count and tokens[i + 1][0][:1] != "/":
                i += 1
                value = tokens[i]
            span = _new_tuple(Cols, (token[1][0], (value or token)[1][1]))
            if kind is not None:
                parsed = self.parse_value(kind, value, span, name)
                if kind == "url" and parsed.__class__ is not values.Invalid:
                    parsed = self.url(value)  # with its meta sequences
            else:
                parsed = value[0] if value is not None else True
            options.append(ast.Option(token, value, span, kind, parsed))
            i += 1
        return tuple(args), tuple(options)

    def parse_value(self, kind: str, token: ast.Token | None, missing: Cols, name: str = ""):
        """The catalogue's parser for ``kind`` over ``token``, its columns made the line's."""
        if token is None:
            return values.parse_value(kind, None, None, missing, name)
        base = token.span.start
        return values.parse_value(kind, token.text, lambda start, end: _new_tuple(Cols, (base + start, base + end)),
                                  missing, name)

    def url(self, token: ast.Token | None) -> ast.Url | None:
        if token is None:
            return None
        text = token.text
        metas: tuple[ast.Meta, ...] = ()
        if "#" in text:  # every meta sequence starts with `#`
            base = token.span.start
            metas = tuple(
                ast.Meta(m.group(), self.span(base + m.start(), base + m.end()),
                         catalog.meta_code(m.group()) in catalog.META_SEQUENCES)
                for m in catalog.META_PATTERN.finditer(text)
            )
        return ast.Url(token, metas, _split_url(text))

    # -- mod cmd

    def mod_command(self) -> ast.Line:
        tokens = self.tokens
        count = len(tokens)
        keywords = tokens[:2]
        module = verb = spec = None
        if count > 2 and tokens[2][0][:1] != "/":
            module = tokens[2]
            if count > 3 and tokens[3][0][:1] != "/":
                verb = tokens[3]
                spec = catalog.lookup(module[0], verb[0])
        rest = tokens[2 + (module is not None) + (verb is not None):]
        args, options = self.split_args(rest, _command_options(spec) if spec else None)
        taken = len(spec.params) if spec else len(args)
        # Line, Command and ModCommand fields, in order.
        common = (*self.line_fields(), args, options, args[taken:], keywords, module, verb, spec)
        kind = spec.kind if spec else None
        if kind is None:
            return ast.ModCommand(*common)
        first, second, third = (*args[:3], None, None, None)[:3]  # the positional words, None where missing
        if kind == "download":
            return ast.Download(*common, self.url(first), second, third)
        if kind == "times":
            return ast.Times(*common, _option(options, "/allow"), _option(options, "/initial"))
        if kind == "check":
            return ast.Check(*common, first, second)
        if kind == "cfg":
            return ast.Cfg(*common, self.url(first), second, third)
        if kind == "scfg":
            return ast.Scfg(*common, self.url(first), second, third, _option(options, "/force"), _option(options, "/always"))
        if kind == "wlan-power":
            return ast.WlanPower(*common, spec.verb == "activate-pwr")
        if kind == "up1-action":
            return ast.Up1Action(*common)
        return ast.ModCommand(*common)

    # -- config / vars / other

    def config_line(self) -> ast.Line:
        keyword, rest = self.tokens[0], self.tokens[1:]
        verb = rest[0] if rest and rest[0][0][:1] != "/" else None
        rest = rest[1:] if verb else rest
        known = catalog.CONFIG_VERBS.get(verb.text.lower()) if verb else None
        module = sub = None
        if verb and (known is None or known.takes_module) and rest and rest[0][0][:1] != "/":
            module, rest = rest[0], rest[1:]
            if known is not None and rest and catalog.is_subobject_name(rest[0].text):
                sub, rest = rest[0], rest[1:]
        settings = _module_settings(module.text) if module is not None and sub is None else None
        args, options = self.split_args(rest, settings, bare=known is not None and not known.option_values, lower=True)
        return ast.ConfigLine(*self.line_fields(), args, options, args, keyword, verb, module, sub, known)

    def vars_line(self) -> ast.Line:
        keyword, rest = self.tokens[0], self.tokens[1:]
        verb = rest[0] if rest and rest[0][0][:1] != "/" else None
        rest = rest[1:] if verb else rest
        name = rest[0] if verb and rest and rest[0][0][:1] != "/" else None
        rest = rest[1:] if name else rest
        args, options = self.split_args(rest)
        expected = 2 if verb and verb.text.lower() == "create" else 0
        return ast.VarsLine(*self.line_fields(), args, options, args[expected:], keyword, verb, name)

    def other_line(self) -> ast.Line:
        head, rest = self.tokens[0], self.tokens[1:]
        args, options = self.split_args(rest)
        final = catalog.FINAL_COMMANDS.get(head.text.lower())
        if final is not None:
            return ast.FinalLine(*self.line_fields(), args, options, args, head, final)
        return ast.GenericLine(*self.line_fields(), args, options, (), head)


# URL words are split once per distinct text: a script fetches from the same few URLs on many lines.
_split_url = lru_cache(maxsize=8192)(values.split_url)


def _option(options: tuple[ast.Option, ...], name: str) -> ast.Option | None:
    """The first option of that name (as written)."""
    for option in options:
        if option.name.text == name:
            return option
    return None


def parse_line(text: str, number: int = 1, offset: int = 0, newline: str = "") -> ast.Line:
    """Parse one physical line (without its line ending), placed at ``number``/``offset``."""
    node = _LineBuilder(text, newline).build()
    return node if number == 1 and offset == 0 else node.placed(number, offset)


# Lines parsed lately, by line ending and text: generated scripts and the
# files of one site repeat most of their lines.  Nodes are immutable, so one
# parse serves every line with the same text.  Bounded: emptied when full.
_SHAPES: dict[str, dict[str, ast.Line]] = {}
_SHAPES_LIMIT = 200_000
_shapes_count = 0


def parse(source: Source | str | bytes, path: str = "<string>", *, check=None) -> ast.Script:
    """Parse a whole script.  Never raises on any input.

    ``check`` (optional) is called every few thousand lines and may raise to
    abandon the parse (the language server does when a newer edit came).
    """
    if isinstance(source, bytes):
        source = Source.from_bytes(source, path)
    elif isinstance(source, str):
        source = Source(source, path)
    if source.binary:
        return ast.Script(source, ())
    shapes, filled = _parse_lines(split_lines(source.text), check)
    return ast.Script(source, shapes, filled)


def _parse_lines(lines, check=None) -> tuple[list[ast.Line], list[int]]:
    """The shared parse of each (content, line ending), and the numbers (from 1) of those not blank."""
    global _shapes_count
    if _shapes_count > _SHAPES_LIMIT:
        _SHAPES.clear()
        _shapes_count = 0
    shapes: list[ast.Line] = []
    filled: list[int] = []  # the lines that are not blank
    add, blank = shapes.append, ast.Blank
    with paused_gc():
        for number, (text, newline) in enumerate(lines, 1):
            if check is not None and not number & 8191:
                check()
            known = _SHAPES.get(newline)
            if known is None:
                known = _SHAPES[newline] = {}
            shape = known.get(text)
            if shape is None:
                shape = known[text] = _LineBuilder(text, newline).build()
                _shapes_count += 1
            add(shape)
            if shape.__class__ is not blank:
                filled.append(number)
    return shapes, filled


def reparse(previous: ast.Script, text: str, *, check=None) -> tuple[ast.Script, int]:
    """``parse(Source(text, ...))`` for a new version of ``previous``'s text, and how many lines it read.

    Only the lines of the changed region are read; the others keep their
    parses (the lines after it are placed again when asked: their offsets
    moved).  The language server calls this after each edit.
    """
    source, region = previous.source.edited(text)
    if region is None:
        script = parse(source, check=check)
        return script, len(script.shapes)
    first, end = region.first, region.end
    middle, middle_filled = _parse_lines(region.lines, check)
    old = previous.shapes
    # The index of lines that are not blank: kept before the region, read in
    # it, moved after it.
    filled = previous.filled
    low, high = bisect_right(filled, first), bisect_right(filled, end)
    moved = len(middle) - (end - first)
    after = filled[high:]
    # Nodes placed in the previous version stay valid where number and offset did not move.
    placed = previous.placed_nodes(first, end, moved or region.shift)
    script = ast.Script(source, [*old[:first], *middle, *old[end:]],
                        [*filled[:low], *map(first.__add__, middle_filled), *(map(moved.__add__, after) if moved else after)],
                        placed)
    return script, len(middle)


def parse_file(path: str | Path) -> ast.Script:
    """Read and parse a file.  Raises OSError for unreadable paths."""
    return parse(Source.from_path(path))
