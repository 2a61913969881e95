"""The AST as plain data (JSON, documented in docs/ast.md) and as a tree."""

from __future__ import annotations

from typing import Any

from ..catalog import Command as CommandSpec
from ..catalog import FinalCommand, SimpleVerb
from ..source import Cols, Span
from ..values import Hour, Invalid, UrlParts
from . import ast

SCHEMA_VERSION = 1
NEWLINE_NAMES = {"\r\n": "crlf", "\n": "lf", "\r": "cr"}


def value_to_data(value: Any, line: ast.Line) -> Any:
    """``value`` of a field of ``line`` as plain data (positions as file spans)."""
    if isinstance(value, Cols):
        return line.at(value)._asdict()
    if isinstance(value, Span):
        return value._asdict()
    if isinstance(value, ast.Token):
        return {"text": value.text, "span": line.at(value)._asdict()}
    if isinstance(value, ast.Url):
        return {
            "text": value.text,
            "span": line.at(value)._asdict(),
            "metas": [{"text": m.text, "known": m.known, "span": line.at(m)._asdict()} for m in value.metas],
            "parts": value.parts._asdict() if value.parts is not None else None,
        }
    if isinstance(value, ast.Option):
        return {
            "name": value_to_data(value.name, line),
            "value": value_to_data(value.value, line),
            "span": line.at(value)._asdict(),
            "kind": value.kind,
            "parsed": value_to_data(value.parsed, line),
        }
    if isinstance(value, Invalid):
        return {"error": value.kind, "message": value.message, "span": value_to_data(value.span, line)}
    if isinstance(value, Hour):
        return {"hour": value.value, "span": line.at(value)._asdict()}
    if isinstance(value, UrlParts):
        return value._asdict()
    if isinstance(value, CommandSpec):
        return f"{value.module} {value.verb}"
    if isinstance(value, SimpleVerb):
        return value.verb
    if isinstance(value, FinalCommand):
        return value.word
    if isinstance(value, tuple):
        return [value_to_data(v, line) for v in value]
    return value


def line_to_data(line: ast.Line) -> dict:
    data = {
        "line": line.number,
        "kind": line.kind,
        "span": line.span._asdict(),
        "text": line.text,
        "newline": line.newline,
    }
    for name, value in line.fields().items():
        data[name] = value_to_data(value, line)
    return data


def script_to_data(script: ast.Script) -> dict:
    source = script.source
    return {
        "schema": SCHEMA_VERSION,
        "path": script.path,
        "encoding": source.encoding,
        "bom": source.bom,
        "newline": NEWLINE_NAMES[script.newline],
        "lines": [line_to_data(line) for line in script.lines],
        "diagnostics": syntax_diagnostics(script),
    }


def syntax_diagnostics(script: ast.Script) -> list[dict]:
    """Problems of the bytes and syntax errors, as plain data."""
    out = []
    for problem in script.source.problems:
        line, col = script.source.position(problem.offset) if not script.source.binary else (1, 1)
        out.append({"kind": problem.kind, "message": problem.message, "line": line, "col": col})
    for line in script.syntax_errors:
        out.append({"kind": "syntax-error", "message": line.message, "line": line.number, "col": line.error.start + 1})
    return out


def format_tree(script: ast.Script) -> str:
    """A readable outline: one line per node, its fields indented below."""
    newline = NEWLINE_NAMES[script.newline].upper()
    out = [f"Script {script.path} ({len(script.lines)} lines, {script.source.encoding}, {newline})"]
    for line in script.lines:
        out.append(f"  {line.number}:{line.span.col}-{line.span.end_col} {line.kind}")
        for name, value in line.fields().items():
            if value in (None, (), ""):
                continue
            out.append(f"    {name}: {_short(value, line)}")
    return "\n".join(out) + "\n"


def _short(value: Any, line: ast.Line) -> str:
    if isinstance(value, Cols):
        value = line.at(value)
    if isinstance(value, Span):
        return f"{value.line}:{value.col}-{value.end_col}"
    if isinstance(value, ast.Token):
        return f"{value.text!r} @{value.span.start + 1}"
    if isinstance(value, ast.Url):
        metas = " ".join(m.text for m in value.metas)
        return f"{value.text!r} @{value.span.start + 1}" + (f" metas[{metas}]" if metas else "")
    if isinstance(value, ast.Option):
        return f"{value.name.text} {value.value.text if value.value else ''}".rstrip() + f" @{value.span.start + 1}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v, line) for v in value) + "]"
    return str(value_to_data(value, line))
