"""The formatter: canonical spacing and case, nothing else.

What it changes, line by line (docs/fmt.md has the reasons):

* command lines: words joined by one blank, no leading or trailing blanks;
  `mod cmd`, `config`, `vars` in lower case; module names the catalogue knows
  in upper case (`up0` -> `UP0`); verbs the catalogue knows and final
  command words in lower case.  Every other word is kept as written;
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
sensitive is an open question (spec Q7); every source writes module names
upper case and keywords, verbs and final commands lower case, so the
formatter writes what every source writes and leaves words it does not know
alone.
"""

from __future__ import annotations

from . import catalog
from .source import BOM, Source
from .syntax import ast, parse

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

    for line in script.lines:
        if isinstance(line, ast.Blank):
            run.append(line)
            continue
        flush_blanks()
        out.append(format_line(line) + line.newline)
    flush_blanks()
    if out and out[0].startswith(BOM):
        # A U+FEFF word moved to the very start of the text would be read
        # back as a byte-order mark and vanish: the first line stays as it was.
        first = script.lines[0]
        out[0] = first.text + first.newline
    return "".join(out)


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
        return " ".join(canonical.get(token.span.start, token.text) for token in line.tokens)
    return line.text


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
            # The spec the line will have once its verb is lower case, so a
            # second run finds nothing more to change (`Prot ... IRESET`).
            spec = catalog.lookup(module, line.verb.text.lower()) if line.verb is not None else None
            if spec is not None:
                put(line.verb, line.verb.text.lower())
                for param, arg in zip(spec.params, line.args):
                    if param.kind == "final" and _is_final(arg.text):
                        put(arg, arg.text.lower())
    elif isinstance(line, ast.ConfigLine):
        put(line.keyword, "config")
        if line.verb is not None and line.verb.text.lower() in catalog.CONFIG_VERBS:
            put(line.verb, line.verb.text.lower())
        if line.module is not None and line.module.text.upper() in catalog.MODULES:
            put(line.module, line.module.text.upper())
    elif isinstance(line, ast.VarsLine):
        put(line.keyword, "vars")
        if line.verb is not None and line.verb.text.lower() in catalog.VARS_VERBS:
            put(line.verb, line.verb.text.lower())
    elif isinstance(line, ast.FinalLine):
        put(line.word, line.word.text.lower())
    return words


def _is_final(word: str) -> bool:
    lowered = word.lower()
    return lowered in catalog.FINAL_COMMANDS or lowered in catalog.NOOP_ALIASES
