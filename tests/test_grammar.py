"""The grammars of record are generated from the catalogue, and the Lark
grammar reads every command the way the AST builder does, value by value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from innoscript import catalog
from innoscript.source import Source
from innoscript.syntax import ast, generate, parse_line
from innoscript.syntax.parser import lark_parser

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted(p for p in (ROOT / "corpus").rglob("*") if p.is_file())


def test_generated_grammars_are_current():
    assert generate.stale() == [], "run `python -m innoscript.syntax.generate`"
    assert generate.main(["--check"]) == 0


def test_every_catalogue_command_has_a_rule():
    text = generate.LARK_PATH.read_text(encoding="utf-8")
    for command in catalog.COMMANDS:
        assert re.search(rf"^{generate.command_rule(command)}: ", text, re.MULTILINE), command.verb


def test_a_line_is_a_typed_tree_of_command_and_arguments():
    tree = lark_parser().parse("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234 /x y")
    (command,) = [c for c in tree.children[0].children if isinstance(c, Tree)]
    assert command.data == "up0_prot"
    roles = [(c.data, [str(t) for t in c.scan_values(lambda v: isinstance(v, Token))]) for c in command.children if isinstance(c, Tree)]
    assert roles == [("url", ["http://10.0.0.5/fw/"]), ("final", ["ireset"]), ("serial", ["13-5001234"]),
                     ("option", ["/x", "y"])]


def _word(node: Tree) -> tuple[str, int]:
    (token,) = node.scan_values(lambda v: isinstance(v, Token))
    return str(token), token.start_pos


def lark_reading(text: str) -> dict | None:
    """What the Lark tree says a `mod cmd` line's words are."""
    tree = lark_parser().parse(text)
    node = tree.children[0] if tree.children else None
    if node is None or node.data != "mod_command":
        return None
    commands = [c for c in node.children if isinstance(c, Tree)]
    if not commands:
        return {"command": None}
    reading: dict = {"command": commands[0].data, "extra": [], "options": []}
    for child in commands[0].children:
        if not isinstance(child, Tree):
            continue
        if child.data == "option":
            name = child.children[0]
            value = _word(child.children[1]) if len(child.children) > 1 else None
            reading["options"].append(((str(name), name.start_pos), value))
        elif child.data == "extra":
            reading["extra"].append(_word(child))
        else:
            reading[child.data] = _word(child)
    return reading


def ast_reading(text: str) -> dict | None:
    """What the AST builder says the same line's words are."""
    line = parse_line(text)
    if not isinstance(line, ast.ModCommand):
        return None
    if line.spec is None:
        return {"command": None}
    at = lambda token: (token.text, token.span.start)  # noqa: E731
    reading: dict = {
        "command": generate.command_rule(line.spec),
        "extra": [at(t) for t in line.extra],
        "options": [(at(o.name), at(o.value) if o.value else None) for o in line.options],
    }
    for param, token in zip(line.spec.params, line.args):
        reading[generate.PARAM_RULES[param.kind]] = at(token)
    return reading


WORDS = st.sampled_from(
    ["mod", "cmd", "UP0", "UP1", "up0", "Up1", "WLANMGR0", "X509", "prot", "PROT", "boot", "bmc", "scfg", "cfg", "check",
     "times", "time", "poll", "reinit", "provision", "activate-pwr", "config", "vars", "ireset", "ser", "/allow",
     "/initial", "/force", "/always", "/x", "23,0,1", "6", "²", "http://10.0.0.5/fw/", "http://1.2.3.4/b/#h-#b5.txt",
     "13-5001234", "#", "café"]
)


HEADS = st.sampled_from([[c.module, c.verb] for c in catalog.COMMANDS] + [["UP1", "time"], ["up0", "prot"], []])


@st.composite
def mod_lines(draw):
    # Mostly catalogue commands, then any words.
    words = ["mod", "cmd", *draw(HEADS), *draw(st.lists(WORDS, max_size=8))]
    separators = [draw(st.sampled_from([" ", "  ", "\t"])) for _ in words]
    return draw(st.sampled_from(["", " "])) + "".join(w + s for w, s in zip(words, separators)).rstrip()


@settings(max_examples=300, deadline=None)
@given(mod_lines())
def test_lark_and_the_ast_builder_read_commands_alike(text):
    assert lark_reading(text) == ast_reading(text)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(ROOT / "corpus")) for p in CORPUS_FILES])
def test_lark_and_the_ast_builder_read_the_corpus_alike(path):
    for pl in Source.from_bytes(path.read_bytes()).lines[:500]:
        try:
            expected = lark_reading(pl.text)
        except UnexpectedInput:  # a syntax error: test_parser checks both paths agree
            continue
        assert expected == ast_reading(pl.text), pl.text


def test_textmate_grammar_colours_catalogue_words():
    rules = json.loads(generate.TEXTMATE_PATH.read_text(encoding="utf-8"))["repository"]
    command = re.compile(rules["mod-command"]["begin"])
    for entry in catalog.COMMANDS:
        assert command.match(f"mod cmd {entry.module.lower()} {entry.verb} x").group(3, 4) == (entry.module.lower(), entry.verb)
    config = re.compile(rules["config-command"]["begin"])
    assert config.match("config change PHONE SIG /prot SIP").group(2, 3, 4) == ("change", "PHONE", "SIG")
    assert config.match("config rem UP1 /provision").group(2, 3, 4) == ("rem", "UP1", None)
    numbers = re.compile(rules["words"]["patterns"][3]["match"])
    assert numbers.search(" 23,0,1") and not numbers.search(" 2,²")
