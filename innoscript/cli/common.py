"""Shared bits of the command-line faces: reading inputs, failing cleanly."""

from __future__ import annotations

import os
import sys

import click

from ..source import Source


class InputError(click.ClickException):
    """An input that cannot be read: exit code 2, one line, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: D102 - click's signature
        click.echo(f"error: {self.format_message()}", err=True)


def read_source(path: str, stdin_filename: str | None = None) -> Source:
    """A Source for a path or `-` (stdin); raises InputError."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return Source.from_bytes(data, stdin_filename or "<stdin>")
    try:
        return Source.from_path(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory (give a file)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def url_map_pairs(values: tuple[str, ...] | list[str], option: str = "--url-map") -> list[tuple[str, str]]:
    """`PREFIX=DIR` values as (prefix, folder) pairs; InputError for a bad shape or a missing folder.

    The folder is what follows the last `=` (a URL prefix may hold a query).
    One check for every command that maps URLs to folders (`run`, `innolint`).
    """
    pairs = []
    for value in values:
        prefix, sep, folder = value.rpartition("=")
        if not sep or not prefix.strip() or not folder.strip():
            raise InputError(f"{option} {value!r}: expected PREFIX=DIR")
        folder = folder.strip()
        if not os.path.isdir(folder):
            raise InputError(f"{option} {value!r}: {folder}: no such folder")
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
