"""Which local file a URL of a script stands for: one rule for the linter and the dry run.

`innolint` finds the file a `mod cmd UP0 cfg <url>` line loads (to lint it)
and `innoscript run` serves the downloads of a script from local folders;
both ask ``resolve`` with the same `url-map` setting (URL prefix -> folder,
from the command line or the `url-map` key of the configuration file):

1. The longest `url-map` prefix the URL starts with names the folder; the
   rest of the URL's path is the file under it.  Nothing else is tried.
2. Otherwise, for an http(s) URL, the URL's path under ``folder`` (the
   script's folder, or `--root`), as a web server would serve it.
3. Failing that, the URL's last path segment in ``folder`` (a payload kept
   next to the script).

The query and any `#` fragment are not part of the path (an HTTP client
does not send a fragment).  A path that climbs out with `..` is refused.
A URL with no file is a failed download (404), never an empty file.
"""

from __future__ import annotations

import os

from .records import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from pathlib import Path, PurePosixPath

NOT_FOUND, FORBIDDEN, NO_ANSWER = 404, 403, 502


class Resolution(NamedTuple):
    path: Path | None  # the file, when there is one
    status: int  # 200 found, 404 no such file, 403 refused path, 502 not an HTTP URL


def _bare(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def _safe(path: str) -> PurePosixPath | None:
    """A relative path without `..`; None when it tries to climb out."""
    from pathlib import PurePosixPath  # pathlib and urllib load when a URL is looked up, not at every start

    parts = [p for p in PurePosixPath("/" + path).parts[1:] if p not in ("", ".")]
    if any(p == ".." or "\\" in p or "\x00" in p for p in parts):
        return None
    return PurePosixPath(*parts) if parts else PurePosixPath()


def _file(folder: Path, relative: PurePosixPath) -> Path | None:
    if not relative.parts:
        return None
    candidate = folder.joinpath(*relative.parts)
    try:
        return candidate if candidate.is_file() else None
    except OSError:  # a name too long for the file system, a folder that may not be read: no file there
        return None


def sorted_map(url_map) -> tuple[tuple[str, Path], ...]:
    """(prefix, folder) pairs, longest prefix first; accepts a dict or pairs."""
    from pathlib import Path

    pairs = url_map.items() if isinstance(url_map, dict) else url_map
    return tuple(sorted(((p, Path(d)) for p, d in pairs), key=lambda item: -len(item[0])))


def _plain(bare: str, folder) -> Resolution | None:
    """Rules 2 and 3 for a plain `http://host/path` (no `%`, no brackets), with os.path alone.

    innolint's start need not load pathlib, urllib.parse and ipaddress for
    the cfg lines of a script whose payloads are not there; anything less
    plain (or a file found, which is answered as a Path) goes the long way,
    which gives the same answer.
    """
    scheme, sep, rest = bare.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not (bare.isascii() and bare.isprintable()):
        return None
    host, slash, path = rest.partition("/")
    if not host or "%" in path or "[" in host or "]" in host:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." or "\\" in p for p in parts):
        return None  # refused the long way
    if folder is None:
        return Resolution(None, NOT_FOUND)
    if not parts:
        return Resolution(None, NOT_FOUND)
    if os.path.isfile(os.path.join(folder, *parts)) or os.path.isfile(os.path.join(folder, parts[-1])):
        return None  # found: the long way builds its Path
    return Resolution(None, NOT_FOUND)


def resolve(url: str, url_map=(), folder: str | os.PathLike | None = None) -> Resolution:
    """The local file for ``url`` (see the module's rules)."""
    bare = _bare(url)
    if not url_map:
        quick = _plain(bare, folder)
        if quick is not None:
            return quick
    from pathlib import Path, PurePosixPath
    from urllib.parse import unquote, urlsplit

    for prefix, base in sorted_map(url_map):
        if bare.startswith(prefix):
            relative = _safe(unquote(bare[len(prefix):]))
            if relative is None:
                return Resolution(None, FORBIDDEN)
            found = _file(Path(base), relative)
            return Resolution(found, 200 if found else NOT_FOUND)
    try:
        parts = urlsplit(bare)
    except ValueError:
        return Resolution(None, NO_ANSWER)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return Resolution(None, NO_ANSWER)
    if folder is None:
        return Resolution(None, NOT_FOUND)
    relative = _safe(unquote(parts.path))
    if relative is None:
        return Resolution(None, FORBIDDEN)
    found = _file(Path(folder), relative)
    if found is None and relative.parts:
        found = _file(Path(folder), PurePosixPath(relative.parts[-1]))
    return Resolution(found, 200 if found else NOT_FOUND)
