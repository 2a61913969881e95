"""Semantic tokens: the AST's idea of each word, for editors that colour by it."""

from __future__ import annotations

from ..syntax import ast

TYPES = ("keyword", "namespace", "function", "enumMember", "parameter", "string", "macro", "comment", "number", "variable")
_INDEX = {name: index for index, name in enumerate(TYPES)}
_NUMBERS = ("hour-list", "minutes", "hours", "integer")  # value kinds shown as numbers

Token = tuple[int, int, int, int]  # 0-based line, 0-based character column, length in characters, type index


def _word(out: list[Token], token: ast.Token | None, kind: str) -> None:
    if token is not None and token.text:
        out.append((0, token.span.start, len(token.text), _INDEX[kind]))


def _url(out: list[Token], token: ast.Token, metas) -> None:
    """A URL as string pieces around its meta sequences (tokens may not overlap)."""
    line, start = 0, token.span.start
    position = start
    for begin, length in metas:
        if begin > position:
            out.append((line, position, begin - position, _INDEX["string"]))
        out.append((line, begin, length, _INDEX["macro"]))
        position = begin + length
    end = start + len(token.text)
    if end > position:
        out.append((line, position, end - position, _INDEX["string"]))


def _options(out: list[Token], node: ast.Command) -> None:
    for option in node.options:
        _word(out, option.name, "parameter")
        _word(out, option.value, "number")


def line_tokens(node: ast.Line) -> list[Token]:
    """The tokens of one line, on line 0 (a function of the line's parse alone)."""
    out: list[Token] = []
    if isinstance(node, ast.Comment):
        token = node.tokens[0]
        _word(out, token, "comment")
    elif isinstance(node, ast.ModCommand):
        for keyword in node.keywords:
            _word(out, keyword, "keyword")
        _word(out, node.module, "namespace")
        _word(out, node.verb, "function")
        url = getattr(node, "url", None)
        final = getattr(node, "final", None)
        serial = getattr(node, "serial", None)
        for arg in node.args:
            if url is not None and arg is url.token:
                _url(out, arg, [(m.span.start, len(m.text)) for m in url.metas if m.text != "#"])
            elif arg is final:
                _word(out, arg, "enumMember")
            elif arg is serial:
                _word(out, arg, "number")
        _options(out, node)
    elif isinstance(node, ast.ConfigLine):
        _word(out, node.keyword, "keyword")
        _word(out, node.verb, "function")
        _word(out, node.module, "namespace")
        _word(out, node.sub, "namespace")
        for option in node.options:
            _word(out, option.name, "parameter")
            value = option.value
            if isinstance(option.parsed, ast.Url):
                url = option.parsed
                _url(out, url.token, [(m.span.start, len(m.text)) for m in url.metas if m.text != "#"])
            elif option.kind in _NUMBERS:
                _word(out, value, "number")
            else:
                _word(out, value, "string")
    elif isinstance(node, ast.VarsLine):
        _word(out, node.keyword, "keyword")
        _word(out, node.verb, "function")
        _word(out, node.name, "variable")
        _options(out, node)
    elif isinstance(node, ast.FinalLine):
        _word(out, node.word, "enumMember")
    return sorted(out)


def semantic_tokens(script: ast.Script) -> list[Token]:
    out: list[Token] = []
    for index, node in enumerate(script.shapes):
        out.extend([(index, col, length, kind) for _, col, length, kind in line_tokens(node)])
    return out
