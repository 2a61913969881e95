"""Document symbols (the outline) and folding ranges, over the AST."""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax import ast
from .hover import hours_in_words


@dataclass(frozen=True)
class Symbol:
    name: str
    detail: str
    kind: str  # event (times) | key (check) | package (download) | file (backup) | namespace (config, cfg)
    first: int  # 0-based first line
    last: int  # 0-based last line (inclusive)
    select_line: int


def symbols(script: ast.Script) -> list[Symbol]:
    found: list[Symbol] = []
    lines = script.shapes  # the shared parses: an outline needs line numbers only, the index gives them
    index = 0
    while index < len(lines):
        node = lines[index]
        number = index
        if isinstance(node, ast.ConfigLine):
            end = index
            while end + 1 < len(lines) and isinstance(lines[end + 1], ast.ConfigLine):
                end += 1
            count = end - index + 1
            modules = sorted({n.module.text for n in lines[index : end + 1] if n.module is not None})
            found.append(Symbol("config", f"{count} line{'s' if count != 1 else ''}"
                                + (f": {', '.join(modules)}" if modules else ""), "namespace", number, end, number))
            index = end + 1
            continue
        if isinstance(node, ast.Times):
            detail = hours_in_words(node.allow.parsed) if node.allow and node.allow.value else "no /allow"
            if node.initial and node.initial.invalid is None:
                detail += f", not within {node.initial.parsed} min after boot"
            found.append(Symbol("times", detail, "event", number, number, number))
        elif isinstance(node, ast.Check):
            found.append(Symbol(f"check {node.serial.text if node.serial else '?'}",
                                f"then {node.final.text if node.final else '?'}", "key", number, number, number))
        elif isinstance(node, ast.Download):
            found.append(Symbol(f"{node.verb.text} {node.serial.text if node.serial else '?'}",
                                node.url.text if node.url else "", "package", number, number, number))
        elif isinstance(node, ast.Scfg):
            found.append(Symbol("backup", node.url.text if node.url else "", "file", number, number, number))
        elif isinstance(node, ast.Cfg):
            found.append(Symbol(f"cfg {node.serial.text if node.serial else '?'}",
                                node.url.text if node.url else "", "namespace", number, number, number))
        index += 1
    return found


def folding_ranges(script: ast.Script) -> list[tuple[int, int, str]]:
    """(first, last, kind) 0-based, for comment blocks and config blocks of two lines or more."""
    ranges: list[tuple[int, int, str]] = []
    lines = script.shapes
    index = 0
    while index < len(lines):
        node = lines[index]
        kind = "comment" if isinstance(node, ast.Comment) else "region" if isinstance(node, ast.ConfigLine) else None
        if kind is None:
            index += 1
            continue
        cls = ast.Comment if kind == "comment" else ast.ConfigLine
        end = index
        while end + 1 < len(lines) and isinstance(lines[end + 1], cls):
            end += 1
        if end > index:
            ranges.append((index, end, kind))
        index = end + 1
    return ranges
