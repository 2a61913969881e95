"""The linter: rules over the AST, diagnostics with fixes as data.

The names below are loaded on first use: importing a submodule (the cache,
the config, an output format) must not pull in the parser and the rules,
so that a cache hit in `innolint` never pays for them.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Diagnostic": "diagnostic",
    "Edit": "diagnostic",
    "Fix": "diagnostic",
    "Related": "diagnostic",
    "Severity": "diagnostic",
    "Settings": "settings",
    "lint_script": "engine",
    "lint_source": "engine",
    "lint_text": "engine",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
