"""AST nodes are plain __slots__ classes with the dataclasses' behaviour."""

from __future__ import annotations

import pickle

from innoscript.syntax import ast, parse_line


def test_nodes_have_slots_fields_and_value_equality():
    line = parse_line("mod cmd UP1 times /allow 23,0 /initial 6")
    assert not hasattr(line, "__dict__")
    assert ast.Times._fields[:5] == ("number", "offset", "text", "newline", "tokens")
    assert ast.Times._fields[-2:] == ("allow", "initial")
    again = ast.Times(*(getattr(line, name) for name in ast.Times._fields))
    by_name = ast.Times(**{name: getattr(line, name) for name in ast.Times._fields})
    assert line == again == by_name and hash(line) == hash(again)
    assert line != parse_line("mod cmd UP1 times /allow 23,1 /initial 6")
    assert line.fields()["allow"] is line.allow and "tokens" not in line.fields()
    assert pickle.loads(pickle.dumps(line)) == line
    assert repr(line.allow).startswith("Option(name=Token(text='/allow'")


def test_field_types_name_every_field():
    types = ast.field_types(ast.ConfigLine)
    assert list(types) == list(ast.ConfigLine._fields)
    assert types["sub"] == "Token | None" and types["options"] == "tuple[Option, ...]"
