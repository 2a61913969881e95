"""Grammar, parser and AST (issue: foundation, items 3 and 4)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript import catalog
from innoscript.source import Source
from innoscript.syntax import ast, parse, parse_line
from innoscript.syntax.parser import LineSyntaxError, tokenize_line, tokenize_line_lark

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".py"))


def kinds(text: str) -> list[str]:
    return [line.kind for line in parse(text).lines]


# -- shapes and node kinds from the catalogue ----------------------------------


@pytest.mark.parametrize(
    "line, kind",
    [
        ("", "blank"),
        ("   \t ", "blank"),
        ("# a comment", "comment"),
        ("   # indented comment", "comment"),
        ("# innolint: disable-next-line=UPD-025 -- staged rollout", "directive"),
        ("mod cmd UP1 times /allow 23,0,1 /initial 6", "times"),
        ("mod cmd UP1 time /allow 23,0,1", "times"),
        ("mod cmd UP1 check iresetn 2024-06-01", "check"),
        ("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234", "download"),
        ("mod cmd UP0 boot http://10.0.0.5/fw/ ireboot 140", "download"),
        ("mod cmd UP0 bmc http://10.0.0.5/fw/PCS04fd.bin ireset PCS04fd", "download"),
        ("mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5.txt ser WEEKLY /force 168", "scfg"),
        ("mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser CFG-7", "cfg"),
        ("mod cmd WLANMGR0 activate-pwr", "wlan-power"),
        ("mod cmd WLANMGR0 deactivate-pwr", "wlan-power"),
        ("mod cmd UP1 poll", "up1-action"),
        ("mod cmd UP1 reinit", "up1-action"),
        ("mod cmd UP1 provision 1", "up1-action"),
        ("mod cmd UP0 firmware http://x/ ireset 1", "mod-command"),
        ("mod cmd X509 xml-info", "mod-command"),
        ("mod cmd", "mod-command"),
        ("config add CMD0 /name Lobby", "config"),
        ("config write", "config"),
        ("vars create UPDATE/CHECK p 2024", "vars"),
        ("iresetn", "final"),
        ("reboot", "final"),
        ("mod foo", "generic"),
        ("restart now", "generic"),
        ("/flag value", "generic"),
    ],
)
def test_line_kinds(line, kind):
    assert kinds(line) == [kind]


def test_keywords_and_modules_any_case():
    node = parse("MOD Cmd up1 check iresetn 1").lines[0]
    assert isinstance(node, ast.Check)
    assert node.module.text == "up1" and node.spec is catalog.lookup("UP1", "check")


def test_download_fields_and_positions():
    node = parse("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234").lines[0]
    assert isinstance(node, ast.Download)
    assert node.url.text == "http://10.0.0.5/fw/"
    assert (node.at(node.url).col, node.at(node.url).end_col) == (18, 37)
    assert node.final.text == "ireset" and node.at(node.final).col == 38
    assert node.serial.text == "13-5001234" and node.at(node.serial).col == 45
    assert node.extra == ()


def test_missing_url_reads_option_as_option():
    node = parse("mod cmd UP0 prot /ser 04-5679").lines[0]
    assert isinstance(node, ast.Download)
    assert node.url is None and node.final is None
    assert node.options[0].name.text == "/ser" and node.options[0].value.text == "04-5679"


def test_scfg_options_and_metas():
    node = parse("mod cmd UP0 scfg http://10.0.0.5/bak/#h-#b5-#q.txt ser WEEKLY /force 168").lines[0]
    assert isinstance(node, ast.Scfg)
    assert [m.text for m in node.url.metas] == ["#h", "#b5", "#q"]
    assert [m.known for m in node.url.metas] == [True, True, False]
    assert node.at(node.url.metas[0]).col == node.at(node.url).col + len("http://10.0.0.5/bak/")
    assert node.force.value.text == "168"
    assert node.serial.text == "WEEKLY"


def test_times_options_and_extra_tokens():
    node = parse("mod cmd UP1 times /allow 22, 23, 0 /initial 6").lines[0]
    assert isinstance(node, ast.Times)
    assert node.allow.value.text == "22,"
    assert [t.text for t in node.extra] == ["23,", "0"]
    assert node.initial.value.text == "6"


def test_config_line_split_value_is_extra():
    node = parse("config add CMD0 /name Front Desk").lines[0]
    assert isinstance(node, ast.ConfigLine)
    assert node.verb.text == "add" and node.module.text == "CMD0"
    assert node.option("/name").value.text == "Front"
    assert [t.text for t in node.extra] == ["Desk"]


def test_trailing_hash_is_data_not_comment():
    node = parse("mod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001234 # new firmware").lines[0]
    assert [t.text for t in node.extra] == ["#", "new", "firmware"]


def test_directive_fields():
    node = parse("# innolint: disable=UPD-025, time-alias -- staged rollout").lines[0]
    assert isinstance(node, ast.Directive)
    assert node.action.text == "disable"
    assert [c.text for c in node.codes] == ["UPD-025", "time-alias"]
    assert node.at(node.codes[1]).col == node.text.index("time-alias") + 1
    assert node.reason == "staged rollout"


def test_malformed_directive_has_empty_action():
    node = parse("# innolint: disable UPD-025").lines[0]
    assert isinstance(node, ast.Directive) and node.action.text == ""


# -- positions with CRLF, BOM and tabs ----------------------------------------


def test_positions_with_crlf_bom_and_tabs():
    data = codecs.BOM_UTF8 + b"# head\r\n\tmod  cmd\tUP1 check\tiresetn  7\r\nconfig write"
    script = parse(Source.from_bytes(data, "t.htm"))
    check = script.lines[1]
    assert isinstance(check, ast.Check)
    assert check.span.start == len("# head\r\n")
    assert check.at(check.keywords[0]).col == 2  # after the tab
    assert check.at(check.module).col == 11
    assert check.final.text == "iresetn" and check.at(check.final).col == 21
    assert check.at(check.serial).col == 30
    text = script.source.text
    for token in check.tokens:
        span = check.at(token)
        assert text[span.start : span.end] == token.text
    assert script.lines[2].span.line == 3 and script.lines[2].newline == ""
    assert script.newline == "\r\n"


# -- syntax errors and recovery -------------------------------------------------


def test_every_bad_line_reported_and_parsing_continues():
    script = parse("config write\nmod\x01cmd\ncheck\nfoo\x02\x03bar\r\nconfig activate\n")
    errors = script.syntax_errors
    assert [(e.number, e.at(e.error).col) for e in errors] == [(2, 4), (4, 4)]
    assert "U+0001" in errors[0].message
    assert [l.kind for l in script.lines] == ["config", "syntax-error", "generic", "syntax-error", "config"]


def test_control_characters_in_comments_are_fine():
    assert kinds("# weird \x01 comment") == ["comment"]


def test_unknown_command_is_not_a_syntax_error():
    assert parse("mod cmd UP0 frobnicate\nmod cmd UP1 check").syntax_errors == ()


# -- lossless round trip ----------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_corpus_parses_and_round_trips(path):
    data = path.read_bytes()
    source = Source.from_bytes(data, str(path))
    script = parse(source)
    assert source.encode(script.to_text()) == data
    for line in script.lines:
        for token in line.tokens:
            span = line.at(token)
            assert source.text[span.start : span.end] == token.text


def test_corpus_is_there():
    assert len(CORPUS_FILES) >= 30


LINE_WORDS = st.sampled_from(
    ["mod", "cmd", "MOD", "UP0", "UP1", "up0", "WLANMGR0", "prot", "boot", "bmc", "scfg", "cfg", "check", "times",
     "time", "poll", "config", "add", "change", "write", "vars", "create", "ireset", "iresetn", "ser", "no-op",
     "/allow", "/initial", "/force", "/name", "23,0,1", "6", "http://10.0.0.5/fw/", "http://1.2.3.4/b/#h-#b5.txt",
     "13-5001234", "#", "#h", "caf\u00e9", "x\U0001F600", "a\x01b", "\x0c"]
)
SEPARATORS = st.sampled_from([" ", "  ", "\t", " \t "])


@st.composite
def script_lines(draw):
    words = draw(st.lists(LINE_WORDS, max_size=8))
    out = draw(st.sampled_from(["", " ", "\t"]))
    for word in words:
        out += word + draw(SEPARATORS)
    if draw(st.booleans()):
        out = out.rstrip(" \t")
    return out


@st.composite
def scripts(draw):
    lines = draw(st.lists(script_lines(), max_size=12))
    ends = [draw(st.sampled_from(["\r\n", "\n", "\r"])) for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends))
    if draw(st.booleans()) and text:
        text = text.rstrip("\r\n")
    return text


@settings(max_examples=200, deadline=None)
@given(scripts())
def test_generated_scripts_round_trip(text):
    script = parse(text)
    assert script.to_text() == text
    for line in script.lines:
        for token in line.tokens:
            span = line.at(token)
            assert text[span.start : span.end] == token.text


@settings(max_examples=300, deadline=None)
@given(script_lines())
def test_fast_path_equals_lark_grammar(line):
    try:
        expected = tokenize_line_lark(line)
    except LineSyntaxError as exc:
        with pytest.raises(LineSyntaxError) as info:
            tokenize_line(line)
        assert info.value.column == exc.column
        return
    shape, tokens = tokenize_line(line)
    lark_shape, lark_tokens = expected
    assert (shape, tokens) == ("empty" if lark_shape == "empty" else lark_shape, lark_tokens)


@settings(max_examples=300, deadline=None)
@given(script_lines())
def test_a_line_node_has_the_tokens_the_grammar_reads(line):
    """The builder reads plain lines itself: its tokens are the grammar's, word and columns."""
    try:
        _, expected = tokenize_line_lark(line)
    except LineSyntaxError:
        assert isinstance(parse_line(line), ast.SyntaxErrorLine)
        return
    node = parse_line(line)
    assert [(token.text, *token.span) for token in node.tokens] == expected
    # ... and its node is of the grammar's shape (the builder decides it from its own tokens).
    shape, _ = tokenize_line_lark(line)
    assert isinstance(node, _NODES_OF_SHAPE[shape]), (shape, node)


_NODES_OF_SHAPE = {
    "empty": ast.Blank, "comment": ast.Comment, "mod_command": ast.ModCommand, "config_command": ast.ConfigLine,
    "vars_command": ast.VarsLine, "other_command": (ast.FinalLine, ast.GenericLine),
}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_fast_path_equals_lark_grammar_on_corpus(path):
    source = Source.from_bytes(path.read_bytes())
    for pl in source.lines[:3000]:
        try:
            expected = tokenize_line_lark(pl.text)
        except LineSyntaxError:
            with pytest.raises(LineSyntaxError):
                tokenize_line(pl.text)
            continue
        assert tokenize_line(pl.text) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    script = parse(data)
    if not script.source.binary:
        assert script.source.encode(script.to_text()) == data


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_random_text_never_raises(text):
    line = text.replace("\r", "").replace("\n", "")
    node = parse_line(line)
    assert node.text == line


def test_lines_share_the_tokens_they_have_in_common():
    """A word at the same columns of two lines is one token: a large generated script keeps few."""
    script = parse("config add CMD0 /name a /ip 10.0.0.5\nconfig add CMD0 /name b /ip 10.0.0.5\n"
                   "config  add CMD0 /name a\tx\n")
    first, second, third = (line.tokens for line in script.shapes)
    assert [a is b for a, b in zip(first, second)] == [True, True, True, True, False, True, True]
    assert third[0] is first[0] and third[1] != first[1]  # `add` one column later is another token
    assert [(t.text, tuple(t.span)) for t in third] == [("config", (0, 6)), ("add", (8, 11)), ("CMD0", (12, 16)),
                                                         ("/name", (17, 22)), ("a", (23, 24)), ("x", (25, 26))]
