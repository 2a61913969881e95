"""Rule selection: which rules a `select`/`ignore` list names.

Works on anything with ``code``, ``name`` and ``group`` (a registry row or a
loaded Rule), so validating a configuration needs no rule module.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import registry

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import TypeVar

    R = TypeVar("R")


def rule_matches(rule, keys: tuple[str, ...]) -> bool:
    """True when a select/ignore list names the rule by code, name, group or prefix."""
    for key in keys:
        key = key.strip()
        if key.upper() in ("ALL", rule.code) or key == rule.name or key == rule.group:
            return True
        if key.upper().startswith("UPD-") and rule.code.startswith(key.upper()):
            return True  # a prefix such as UPD-02
    return False


def known_key(key: str) -> bool:
    """Does a select/ignore key name at least one rule?"""
    return any(rule_matches(entry, (key,)) for entry in registry.RULES)


def selected(rules: Iterable[R], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[R]:
    """The rules a selection keeps, in the given order (an empty ``select`` keeps all)."""
    chosen = list(rules)
    if select:
        chosen = [r for r in chosen if rule_matches(r, select)]
    return [r for r in chosen if not rule_matches(r, ignore)]
