"""``LazyRegex``: a module-level regular expression compiled when first used.

``innolint`` starts for every run of a pre-commit hook or an editor.
Compiling a pattern costs 0.05 to 0.4 ms, and most of a module's patterns
are not needed by a given run (no directive in the script, no tab, no
backup URL): together they cost a short run more than linting it.  A
``LazyRegex`` is written where ``re.compile`` was and used the same way
(``match``, ``fullmatch``, ``search``, ``finditer``, ``split``, ``sub`` ...,
``pattern``, ``flags``, ``groupindex``); its first use compiles the
pattern and keeps the compiled methods on the object, so later uses cost
what those of ``re.compile``'s pattern do.

A leaf module: it imports nothing from innoscript.
"""

from __future__ import annotations

import re

# The compiled pattern's methods, kept on the object after the first use.
_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "split", "sub", "subn", "scanner")


class LazyRegex:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    @property
    def compiled(self) -> bool:
        """True once the pattern has been compiled (by a first use)."""
        return "_compiled" in self.__dict__

    def __getattr__(self, name: str):
        # Called only for names the object does not have: before the first use,
        # or for the compiled pattern's other attributes (pattern, flags, groups ...).
        if name.startswith("__") or name in ("_source", "_compiled"):
            raise AttributeError(name)
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self._compiled = re.compile(*self._source)
            for method in _METHODS:
                setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyRegex({self._source[0]!r}, {self._source[1]!r})"
