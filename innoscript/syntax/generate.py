"""Generate the grammars of record from the command catalogue, and the AST's constructors.

    python -m innoscript.syntax.generate          write the files
    python -m innoscript.syntax.generate --check  exit 1 when one is out of date

These files come from here, all checked in:

- ``grammar/innoscript.lark``: the Lark grammar of one line.  Its fixed
  part decides a line's shape (comment, `mod cmd`, `config`, `vars`,
  other); the command rules below it are generated, one per catalogue
  entry, so `mod cmd UP0 prot <url> <final> <serial>` parses into a tree
  `up0_prot(url, final, serial, option ...)`.
- ``editors/vscode/syntaxes/innoscript.tmLanguage.json``: the TextMate
  grammar editors colour with; its word lists (final commands, verbs,
  meta sequences) come from the catalogue.
- ``innoscript/syntax/node_constructors.py``: the ``__init__`` and
  ``placed`` of each AST node class, from the classes' fields (ast.py says why).

Nothing here runs when a script is parsed: the parser reads the generated
files.  A test checks that they are current.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .. import catalog
from . import ast

ROOT = Path(__file__).resolve().parent.parent.parent
LARK_PATH = ROOT / "grammar" / "innoscript.lark"
TEXTMATE_PATH = ROOT / "editors" / "vscode" / "syntaxes" / "innoscript.tmLanguage.json"
CONSTRUCTORS_PATH = Path(__file__).resolve().parent / "node_constructors.py"

# A word ends at a blank or a control character: keywords, modules and verbs
# are whole words only (`cmdx` is a word, not `cmd` and `x`).
_END = r"(?![^\x00-\x20\x7f])"

_LARK_HEAD = r"""// innoscript.lark: the grammar of one line of an innovaphone update script.
//
// GENERATED from the command catalogue (innoscript/catalog.py) by
// `python -m innoscript.syntax.generate`; edit the generator, not this file.
//
// A script is a sequence of physical lines (CR, LF or CRLF); every line is
// independent (spec section 3), so the parser is fed one line at a time and
// recovers at line boundaries by construction.
//
// The first rules decide the *shape* of a line: a comment, a module command
// (`mod cmd ...`), a configuration command (`config ...`), a variable command
// (`vars ...`) or any other command.  The command rules after them give each
// catalogue command its typed arguments: `mod cmd UP0 prot <url> <final>
// <serial>` is `up0_prot(url, final, serial)`, options with their values
// wherever they stand.  A missing or extra argument is a lint finding, not a
// syntax error: every argument is optional here and words beyond the last
// one are `extra`.  A syntax error is a line that cannot be tokenised:
// control characters other than the tab.
//
// An option takes the next word as its value (a shift/reduce choice Lark's
// LALR resolves as shift), as the AST builder does for every option of a
// module command.

start: comment
     | mod_command
     | config_command
     | vars_command
     | other_command
     |

// Whole-line comment: the first non-blank character is `#`.  There are no
// end-of-line comments; a `#` later in a line is data (meta sequences).
comment: COMMENT

mod_command: MOD CMD _arg*
           | MOD CMD _command
config_command: CONFIG _arg*
vars_command: VARS _arg*

// Anything else: bare final commands (`iresetn`), other keywords, typos.
// `mod` not followed by `cmd` is an ordinary command word.
other_command: (_head | OPTION) _arg*
             | MOD (_not_cmd _arg*)?

_arg: _word | OPTION
_not_cmd: _word_not_cmd | OPTION

// Keywords are recognised in any case (spec Q7); the linter and the formatter
// report and restore the canonical lower case.
MOD.2: /mod{end}/i
CMD.2: /cmd{end}/i
CONFIG.2: /config{end}/i
VARS.2: /vars{end}/i

COMMENT.3: /#[^\r\n]*/
// `/name` options and their bare flags; values are ordinary words.
OPTION: /\/[^\x00-\x20\x7f]*/
// Any run of printable characters.  URLs, serials, hour lists, `%20`-encoded
// values and `#` meta sequences are all words at this level.
WORD: /[^\x00-\x20\x7f\/][^\x00-\x20\x7f]*/

BLANK: /[ \t]+/
%ignore BLANK
"""


def _name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _module_terminal(module: str) -> str:
    return f"M_{_name(module).upper()}"


def _verb_terminal(verb: str) -> str:
    return f"V_{_name(verb).upper()}"


def _verbs(command: catalog.Command) -> list[str]:
    aliases = [alias for (module, alias), verb in catalog.VERB_ALIASES.items() if module == command.module and verb == command.verb]
    return [command.verb, *aliases]


def command_rule(command: catalog.Command) -> str:
    """The Lark rule name of a catalogue command: `up0_prot`."""
    return f"{_name(command.module)}_{_name(command.verb)}"


# Positional parameters by kind: the rule that holds the word.
PARAM_RULES = {"url": "url", "final": "final", "serial": "serial", "integer": "number", "word": "word"}


def lark_grammar() -> str:
    modules = list(dict.fromkeys(c.module for c in catalog.COMMANDS))
    verbs = list(dict.fromkeys(v for c in catalog.COMMANDS for v in _verbs(c)))
    keyword_words = ["MOD", "CMD", "CONFIG", "VARS"]
    catalogue_words = [_module_terminal(m) for m in modules] + [_verb_terminal(v) for v in verbs]
    out = [_LARK_HEAD.replace("{end}", _END), ""]
    out.append("// -- generated from the catalogue " + "-" * 44)
    out.append("")
    out.append("// Module and verb names are words everywhere else; where a command can")
    out.append("// start they begin its typed rule.  Modules in any case, verbs as written.")
    out.append("_word: WORD | " + " | ".join(keyword_words + catalogue_words))
    out.append("_head: WORD | CMD | " + " | ".join(catalogue_words))
    out.append("_word_not_cmd: WORD | " + " | ".join([w for w in keyword_words if w != "CMD"] + catalogue_words))
    out.append("")
    out.append("_command: " + "\n        | ".join(command_rule(c) for c in catalog.COMMANDS))
    out.append("")
    for command in catalog.COMMANDS:
        verb = " | ".join(_verb_terminal(v) for v in _verbs(command))
        verb = f"({verb})" if len(_verbs(command)) > 1 else verb
        # Each positional parameter may be missing; options stand anywhere.
        body = "(_option | extra)*"
        for param in reversed(command.params):
            body = f"_option* ({PARAM_RULES[param.kind]} {body})?"
        out.append(f"// {command.syntax}")
        out.append(f"{command_rule(command)}: {_module_terminal(command.module)} {verb} {body}")
    out.append("")
    out.append("url: _word")
    out.append("final: _word")
    out.append("serial: _word")
    out.append("number: _word")
    out.append("word: _word")
    out.append("extra: _word")
    out.append("_option: option")
    out.append("option: OPTION value?")
    out.append("value: _word")
    out.append("")
    for module in modules:
        out.append(f"{_module_terminal(module)}.2: /{re.escape(module)}{_END}/i")
    for verb in verbs:
        out.append(f"{_verb_terminal(verb)}.2: /{re.escape(verb)}{_END}/")
    return "\n".join(out) + "\n"


# -- TextMate -----------------------------------------------------------------------


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in words)


def textmate_grammar() -> dict:
    finals = _alternation(catalog.FINAL_COMMANDS)
    config_verbs = _alternation(catalog.CONFIG_VERBS)
    vars_verbs = _alternation(catalog.VARS_VERBS)
    modules = _alternation(dict.fromkeys(c.module for c in catalog.COMMANDS))
    verbs = _alternation(dict.fromkeys(v for c in catalog.COMMANDS for v in _verbs(c)))
    letters = "".join(sorted({code[1] for code in catalog.META_SEQUENCES}, key=lambda c: (c.lower(), c)))
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "innoscript",
        "scopeName": "source.innoscript",
        "fileTypes": ["upd"],
        "patterns": [
            {"include": "#directive"},
            {"include": "#comment"},
            {"include": "#mod-command"},
            {"include": "#config-command"},
            {"include": "#vars-command"},
            {"include": "#final-line"},
            {"include": "#words"},
        ],
        "repository": {
            "directive": {
                "match": r"^\s*(#\s*innolint\s*:)\s*([A-Za-z-]+)(?:\s*(=)\s*([^\s]+(?:\s*,\s*[^\s,]+)*))?(?:\s+(--)(.*))?$",
                "captures": {
                    "1": {"name": "comment.line.number-sign.innoscript keyword.other.directive.innoscript"},
                    "2": {"name": "keyword.other.directive.action.innoscript"},
                    "3": {"name": "punctuation.separator.key-value.innoscript"},
                    "4": {"patterns": [{"match": r"(?i)UPD-\d{3}|all|[a-z][a-z0-9-]*", "name": "constant.other.rule.innoscript"}]},
                    "5": {"name": "punctuation.separator.reason.innoscript"},
                    "6": {"name": "comment.line.reason.innoscript"},
                },
            },
            "comment": {"match": r"^\s*#.*$", "name": "comment.line.number-sign.innoscript"},
            "mod-command": {
                # Catalogue modules and verbs first, then any other module command.
                "begin": rf"^\s*(?i:(mod))\s+(?i:(cmd))(?:\s+((?i:{modules})(?=\s|$)|[^\s/]+))?(?:\s+((?:{verbs})(?=\s|$)|[^\s/]+))?",
                "beginCaptures": {
                    "1": {"name": "keyword.control.innoscript"},
                    "2": {"name": "keyword.control.innoscript"},
                    "3": {"name": "entity.name.namespace.module.innoscript"},
                    "4": {"name": "entity.name.function.verb.innoscript"},
                },
                "end": "$",
                "patterns": [{"include": "#words"}],
            },
            "config-command": {
                "begin": rf"^\s*(?i:(config))(?:\s+({config_verbs}|[^\s/]+))?(?:\s+([^\s/]+))?(?:\s+([A-Z][A-Z0-9_-]*)(?=\s|$))?",
                "beginCaptures": {
                    "1": {"name": "keyword.control.innoscript"},
                    "2": {"name": "entity.name.function.verb.innoscript"},
                    "3": {"name": "entity.name.namespace.module.innoscript"},
                    "4": {"name": "entity.name.namespace.sub-object.innoscript"},
                },
                "end": "$",
                "patterns": [{"include": "#words"}],
            },
            "vars-command": {
                "begin": rf"^\s*(?i:(vars))(?:\s+({vars_verbs}|[^\s/]+))?(?:\s+([^\s/]+))?",
                "beginCaptures": {
                    "1": {"name": "keyword.control.innoscript"},
                    "2": {"name": "entity.name.function.verb.innoscript"},
                    "3": {"name": "variable.other.innoscript"},
                },
                "end": "$",
                "patterns": [{"include": "#words"}],
            },
            "final-line": {
                "match": rf"^\s*(?i:({finals}))(?=\s|$)",
                "captures": {"1": {"name": "constant.language.final-command.innoscript"}},
            },
            "words": {
                "patterns": [
                    {"include": "#url"},
                    {"match": r"(?<=\s)/[A-Za-z][A-Za-z0-9_-]*", "name": "variable.parameter.option.innoscript"},
                    {"match": rf"(?<=\s)(?i:{finals})(?=\s|$)", "name": "constant.language.final-command.innoscript"},
                    # ASCII digits only, like the catalogue's number parsers.
                    {"match": r"(?<=\s)[0-9]+(?:,[0-9]+)*(?=\s|$)", "name": "constant.numeric.innoscript"},
                ]
            },
            "url": {
                "begin": r"(?i)(?<=\s)(?=(?:https?|tftp)://)",
                "end": r"(?=\s|$)",
                "name": "string.unquoted.url.innoscript",
                "patterns": [{"match": rf"#(?:b[0-9]+|bn|[{letters}])", "name": "constant.character.escape.meta.innoscript"}],
            },
        },
    }


def textmate_text() -> str:
    return json.dumps(textmate_grammar(), indent=2, ensure_ascii=False) + "\n"


def outputs() -> dict[Path, str]:
    return {LARK_PATH: lark_grammar(), TEXTMATE_PATH: textmate_text(), CONSTRUCTORS_PATH: ast.constructors_source()}


def stale() -> list[Path]:
    return [path for path, text in outputs().items() if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--check"]:
        found = stale()
        for path in found:
            print(f"out of date: {path} (run `python -m innoscript.syntax.generate`)")
        return 1 if found else 0
    if argv:
        print("usage: python -m innoscript.syntax.generate [--check]", file=sys.stderr)
        return 2
    for path, text in outputs().items():
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
