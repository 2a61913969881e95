"""Shared bits of the command-line faces: reading inputs, failing cleanly."""

from __future__ import annotations

import os
import sys

import click

from ..source import Source
from . import checks


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
    """`PREFIX=DIR` values as (prefix, folder) pairs; InputError for a bad shape or a missing folder."""
    try:
        return checks.url_map_pairs(values, option)
    except ValueError as exc:
        raise InputError(str(exc)) from None


show_progress = checks.show_progress
