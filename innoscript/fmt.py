"""The formatter: canonical spacing and case, nothing else.

What it changes, line by line (docs/fmt.md has the reasons):

* command lines: words joined by one blank, no leading or trailing blanks;
  `mod cmd`, `config`, `vars` in lower case; module names the catalogue knows
  in upper case (`up0` -> `UP0`).  Every other word is kept as written;
* comment lines: leading and trailing blanks removed, the rest verbatim;
* blank lines: emptied (except one whose LF would merge with the CR ending
  the line before it); a run of more than ``MAX_BLANK_LINES`` is cut to
  that many (its first and last lines are kept, so a missing final newline
  stays missing);
* lines with a syntax error: verbatim;
* line endings: each line keeps its own, including a missing final one.

The device splits a line into words at blanks, so the number of blanks
between words does not change what it executes (innovaphone-spec.md section
3: the official server itself writes two blanks).  Whether keywords are case
sensitive is an open question (spec Q7).  The formatter keeps this
project's own reading of every line: it changes the case only of the words
that the parser, the linter and the interpreter all read case-insensitively
(the keywords and module names).  Verbs, config and vars verbs and final
commands are read as written (`mod cmd UP1 TIMES` is an unknown command), so
writing them in lower case would change what runs: that is a fix the linter
offers, not formatting.  As a last guard, a formatted line whose reading
differs from the original (``reading``) is kept as it was.
"""

from __future__ import annotations

import codecs

from . import catalog
from .source import BOM, Source
from .syntax import ast, parse
from .syntax.parser import parse_line

MAX_BLANK_LINES = 2
_BLANKS = " \t"


def format_source(source: Source) -> str:
    """The formatted text of ``source`` (``source.text`` for a binary file)."""
    if source.binary:
        return source.text
    script = parse(source)
    out: list[str] = []
    run: list[ast.Line] = []  # the current run of blank lines

    def flush_blanks() -> None:
        kept = run if len(run) <= MAX_BLANK_LINES else run[: MAX_BLANK_LINES - 1] + run[-1:]
        for line in kept:
            if line.newline.startswith("\n") and out and out[-1].endswith("\r"):
                # Emptied, this line's LF would join the CR before it into one
                # CRLF line ending: the line would vanish.  Its blanks stay.
                out.append(line.text + line.newline)
            else:
                out.append(line.newline)
        run.clear()

    for line in script.shapes:  # formatting reads no positions: the shared parses will do
        if isinstance(line, ast.Blank):
            run.append(line)
            continue
        flush_blanks()
        out.append(format_line(line) + line.newline)
    flush_blanks()
    if out and _reads_as_bom(out[0], source.encoding):
        # A U+FEFF word (or, in a latin-1 file, the characters `ï»¿` or `ÿþ`)
        # moved to the very start of the text would be read back as a
        # byte-order mark: the first line stays as it was.
        first = script.shapes[0]
        out[0] = first.text + first.newline
    return "".join(out)


# Byte-order marks a reader may take the first bytes for (UTF-32-LE's starts
# like UTF-16-LE's, so the two UTF-16 marks cover it).
_MARKS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)


def _reads_as_bom(text: str, encoding: str) -> bool:
    if text.startswith(BOM):
        return True
    try:
        return text[:4].encode(encoding).startswith(_MARKS)
    except UnicodeEncodeError:
        return False


def format_text(text: str, path: str = "<string>") -> str:
    return format_source(Source(text, path))


def format_line(line: ast.Line) -> str:
    """One line's formatted content (without its line ending)."""
    if isinstance(line, ast.SyntaxErrorLine):
        return line.text
    if isinstance(line, ast.Blank):
        return ""
    if isinstance(line, ast.Comment):
        return line.text.strip(_BLANKS)
    if isinstance(line, ast.Command):
        canonical = _canonical_words(line)
        formatted = " ".join(canonical.get(token.span.start, token.text) for token in line.tokens)
        if formatted != line.text and reading(parse_line(formatted)) != reading(line):
            return line.text
        return formatted
    return line.text


def reading(line: ast.Line) -> tuple:
    """What a line means to this project: what the formatter must keep.

    The node kind, the catalogue entry and every word as the parser, the
    linter and the interpreter read it: keywords (`mod`, `cmd`, `config`,
    `vars`) and module names case-insensitively, everything else as written.
    """
    if isinstance(line, ast.Blank):
        return ("blank",)
    if isinstance(line, ast.Comment):
        return (line.kind, line.text.strip(_BLANKS))
    if not isinstance(line, ast.Command):
        return (line.kind, line.text)
    keywords: tuple = ()
    module = None
    if isinstance(line, ast.ModCommand):
        keywords = line.keywords
        module = line.module
    elif isinstance(line, (ast.ConfigLine, ast.VarsLine)):
        keywords = (line.keyword,)
        module = getattr(line, "module", None)
    folded = {token.span.start: token.text.lower() for token in keywords}
    if module is not None:
        folded[module.span.start] = module.text.upper()
    words = [folded.get(token.span.start, token.text) for token in line.tokens]
    options = tuple((o.name.text, o.value.text if o.value else None) for o in line.options)
    args = tuple(a.text for a in line.args)
    return (type(line).__name__, getattr(line, "spec", None), tuple(words), args, options)


def _canonical_words(line: ast.Command) -> dict[int, str]:
    """Replacement text by token start offset, for the words with a canonical case."""
    words: dict[int, str] = {}

    def put(token: ast.Token | None, text: str) -> None:
        if token is not None:
            words[token.span.start] = text

    if isinstance(line, ast.ModCommand):
        for keyword, text in zip(line.keywords, ("mod", "cmd")):
            put(keyword, text)
        module = line.module.text.upper() if line.module else None
        if line.module is not None and module in catalog.MODULES:
            put(line.module, module)
    elif isinstance(line, ast.ConfigLine):
        put(line.keyword, "config")
        if line.module is not None and line.module.text.upper() in catalog.MODULES:
            put(line.module, line.module.text.upper())
    elif isinstance(line, ast.VarsLine):
        put(line.keyword, "vars")
    return words
