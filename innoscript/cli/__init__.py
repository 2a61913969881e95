"""The `innoscript` command: a thin face over the library.

The click group lives in group.py and is loaded when `main` is asked for, so
that `innolint` (innoscript.cli.lint) can start without importing click.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("main", "LazyGroup", "SUBCOMMANDS"):
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
