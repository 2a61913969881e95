"""Checks the command-line faces share, free of click (innolint runs without it)."""

from __future__ import annotations

import os
import sys


def url_map_pairs(values: tuple[str, ...] | list[str], option: str = "--url-map") -> list[tuple[str, str]]:
    """`PREFIX=DIR` values as (prefix, folder) pairs; ValueError (a one-line message) for a bad one.

    The folder is what follows the last `=` (a URL prefix may hold a query).
    One check for every command that maps URLs to folders (`run`, `innolint`).
    """
    pairs = []
    for value in values:
        prefix, sep, folder = value.rpartition("=")
        if not sep or not prefix.strip() or not folder.strip():
            raise ValueError(f"{option} {value!r}: expected PREFIX=DIR")
        folder = folder.strip()
        if not os.path.isdir(folder):
            raise ValueError(f"{option} {value!r}: {folder}: no such folder")
        pairs.append((prefix.strip(), folder))
    return pairs


def show_progress(stream=None) -> bool:
    """Progress bars only on a terminal: never in a pipe, a file or a CI log."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS") == "true" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
