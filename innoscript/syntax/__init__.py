"""Parser and AST."""

from .parser import parse, parse_file, parse_line

__all__ = ["parse", "parse_file", "parse_line"]
