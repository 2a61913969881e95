"""Path globs as configuration files write them (`include`, `exclude`, `[[overrides]] paths`).

A leaf module: discovery and configuration both match paths, neither
imports the other for it.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern:
    """gitignore-like glob: `*` and `?` stay within a folder, `**` crosses folders."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def path_matches(relative: str, pattern: str) -> bool:
    """Does a `/`-separated relative path match a glob?

    A pattern without `/` matches a name at any depth (`*.upd`, `legacy`);
    one with `/` is anchored at the configuration's folder
    (`legacy/*.htm`).  A pattern that matches a folder matches everything in it.
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.rstrip("/")
    if not pattern:
        return False
    regex = _glob_regex(pattern.lstrip("/"))
    parts = relative.split("/")
    if "/" not in pattern.lstrip("/"):
        return any(regex.match(part) for part in parts)
    return any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1))
