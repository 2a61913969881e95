"""Request paths: normalisation and confinement to the served root.

The request target is taken raw (before any decoding by the HTTP library) so
that every trick is seen as the client sent it: ``..`` segments, percent-
encoded dots and slashes, doubled encodings, backslashes, NUL bytes, drive
letters, absolute-form targets and symlinks that lead out of ROOT.  All of
them are refused rather than "repaired": a device never sends them, an
attacker does, and a refusal is easier to reason about than a rewrite.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

MAX_PATH = 1024  # characters of the raw path (query excluded)
MAX_SEGMENT = 255  # bytes of one name in UTF-8: a longer one cannot exist on common file systems
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_DRIVE = re.compile(r"^[A-Za-z]:")


class PathRefused(Exception):
    """A request path the server will not map to a file."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Resolved:
    """A confined request path."""

    relative: str  # posix, no leading slash: "configs/update-ip1200.htm"
    path: Path  # the file system path (symlinks resolved, inside the root)
    trailing_slash: bool


def split_target(raw_target: str) -> tuple[str, str]:
    """(raw path, raw query) of a request target."""
    path, _, query = raw_target.partition("?")
    return path, query


def resolve(root: Path, raw_path: str) -> Resolved:
    """Map a raw, still percent-encoded URL path onto a file under ``root``.

    ``root`` must already be resolved (``Path.resolve()``).  Raises
    PathRefused with 400 for malformed paths, 403 for paths that leave the
    root or name hidden files, 414 for overlong paths.
    """
    if len(raw_path) > MAX_PATH:
        raise PathRefused(414, f"path longer than {MAX_PATH} characters")
    if not raw_path.startswith("/"):
        # absolute-form targets (http://host/...) and garbage: devices send origin-form
        raise PathRefused(400, "request target is not an absolute path")
    if "\\" in raw_path or "\x00" in raw_path:
        raise PathRefused(400, "backslash or NUL in path")
    segments: list[str] = []
    raw_segments = raw_path.split("/")
    for raw in raw_segments:
        if not raw:
            continue  # `//` collapses, as in every static server
        try:
            segment = unquote(raw, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise PathRefused(400, "path is not UTF-8 after percent-decoding") from None
        if _PERCENT.search(segment):
            raise PathRefused(400, "doubly percent-encoded path")
        if "/" in segment or "\\" in segment:
            raise PathRefused(400, "encoded slash or backslash in path")
        if "\x00" in segment or any(ord(c) < 0x20 or c == "\x7f" for c in segment):
            raise PathRefused(400, "control character in path")
        if segment in (".", ".."):
            raise PathRefused(403, "dot segment in path")
        if segment.startswith("."):
            # hidden files: the state folder, version folders, temporary uploads
            raise PathRefused(403, "hidden file or folder")
        if _DRIVE.match(segment):
            raise PathRefused(400, "drive letter in path")
        if len(segment.encode("utf-8")) > MAX_SEGMENT:
            # counted in bytes, as file systems count: 129 `é` are 258 bytes
            raise PathRefused(414, f"name longer than {MAX_SEGMENT} bytes")
        segments.append(segment)
    candidate = root.joinpath(*segments) if segments else root
    real = Path(os.path.realpath(candidate))
    if not is_inside(root, real):
        raise PathRefused(403, "path leaves the served root (symlink)")
    trailing = raw_path.endswith("/") and bool(segments)
    # the relative name of the real file: a symlink inside ROOT cannot smuggle
    # a write into a folder that is not writable
    relative = "" if real == root else real.relative_to(root).as_posix()
    if any(part.startswith(".") for part in relative.split("/")):
        raise PathRefused(403, "path leads to a hidden file or folder (symlink)")
    return Resolved(relative, real, trailing)


def is_inside(root: Path, path: Path) -> bool:
    """True when ``path`` is ``root`` or below it (both resolved)."""
    return path == root or root in path.parents


def under_folder(relative: str, folders: tuple[str, ...]) -> str | None:
    """The folder of ``folders`` that contains ``relative``, or None.

    A folder is a relative posix path such as ``backups`` or ``site/backups``;
    the file must be strictly below it (a PUT to the folder itself is not a
    file).
    """
    for folder in folders:
        prefix = folder.strip("/") + "/"
        if relative.startswith(prefix) and len(relative) > len(prefix):
            return folder
    return None


def normalise_folder(folder: str) -> str:
    """A writable-folder setting as a clean relative posix path; ValueError if it escapes."""
    parts = [p for p in folder.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or folder.startswith("/"):
        raise ValueError(f"writable folder {folder!r} must be a relative path inside ROOT")
    if not parts:
        raise ValueError("writable folder must not be ROOT itself")
    return "/".join(parts)
