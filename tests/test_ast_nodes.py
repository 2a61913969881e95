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


def test_a_node_class_works_whichever_way_it_is_first_used():
    # In a fresh process: by keywords first, a subclass before its base, and
    # `placed` on a node that was unpickled (never built by its class's __init__).
    import subprocess
    import sys

    line = parse_line("mod cmd UP0 scfg http://10.0.0.5/backup/#h.txt ser W /force 24")
    data = pickle.dumps(line)
    code = (
        "import pickle, sys\n"
        "from innoscript.syntax import ast\n"
        "line = pickle.loads(sys.stdin.buffer.read())\n"
        "moved = line.placed(7, 300)\n"
        "assert type(moved) is ast.Scfg and (moved.number, moved.offset) == (7, 300)\n"
        "assert moved._values()[2:] == line._values()[2:]\n"
        "named = ast.Times(**{name: getattr(line, name, None) for name in ast.Times._fields})\n"
        "assert named.placed(2, 5).number == 2 and named.allow is None\n"
        "base = ast.ModCommand(*line._values()[:12]).placed(3, 9)\n"
        "assert type(base) is ast.ModCommand and base.offset == 9 and base.verb == line.verb\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True)
    assert done.stdout.decode().strip() == "ok", done.stderr.decode()


def test_a_class_with_its_own_fields_is_not_built_by_its_base_constructor():
    line = parse_line("config change PHONE SIG /prot SIP")
    again = ast.ConfigLine(*line._values())
    assert again == line and again.sub.text == "SIG" and again.placed(4, 10).target == "PHONE SIG"
    assert ast.Command(*line._values()[:8]).placed(2, 3).extra == line.extra


def test_node_classes_take_the_generated_constructors_and_other_classes_compile_theirs():
    classes = [c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast._Node) and c._fields]
    assert len(classes) > 15
    for cls in classes:
        assert cls.__init__.__module__ == "innoscript.syntax.node_constructors", cls
        assert cls.__init__.__qualname__ == f"{cls.__name__}.__init__"

    class Marked(ast.Times):  # a subclass elsewhere, with a field of its own
        mark: str

    line = parse_line("mod cmd UP1 times /allow 23,0 /initial 6")
    marked = Marked(*line._values(), "x")
    moved = marked.placed(3, 40)
    assert type(moved) is Marked and moved.mark == "x" and moved.allow == line.allow and moved.number == 3
    # A class whose generated constructor has other fields (the module not yet
    # generated again after a change) compiles its own.
    stale = ast._NodeType("Times", (ast._Node,), {"__module__": ast.__name__, "__annotations__": {"only": "int"}})
    assert stale(only=1).only == 1 and stale.__init__.__module__ != "innoscript.syntax.node_constructors"
