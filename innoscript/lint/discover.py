"""Which files to lint: explicit files, folders walked for update scripts.

A file named on the command line is always linted.  A folder is walked
(sorted, so output order is stable) for names matching the `include` globs of
the configuration that applies there (default `update-*.htm`, `*.upd` and
the per-device names `<MAC>.txt` and `<hwid>.htm`), minus `exclude`, minus
what `.gitignore` files ignore.  Hidden folders (`.git`, `.venv`, the cache)
are never entered.  A folder named on the command line that holds no update
script is an error: a run that lints nothing must not look like a clean one.
"""

from __future__ import annotations

import os

from ..records import NamedTuple
from .globs import path_matches

STDIN = "-"


class DiscoveryError(Exception):
    """A path that does not exist or cannot be read."""


class Target(NamedTuple):
    path: str  # as the user will see it (relative when under the cwd)
    explicit: bool  # named on the command line


def discover(
    paths: list[str] | tuple[str, ...],
    cli_overrides: dict | None = None,
    *,
    resolver=None,
    errors: list[str] | None = None,
) -> list[Target]:
    """The files to lint, in a stable order, each once.

    A path that does not exist raises DiscoveryError, or, when ``errors`` is
    given, is recorded there and skipped.  ``resolver`` (config.Resolver)
    gives the settings of each folder walked.
    """
    if resolver is None:
        from .config import Resolver

        resolver = Resolver(cli_overrides)
    targets: list[Target] = []
    seen: set[str] = set()
    real_folders: dict[str, str] = {}

    def real(path: str) -> str:
        # os.path.realpath(path), resolving each folder once: it costs a system call per component.
        folder, name = os.path.split(path)
        if not name or name in (".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        if folder not in real_folders:
            real_folders[folder] = os.path.realpath(folder or os.curdir)
        return os.path.join(real_folders[folder], name)

    def add(path: str, explicit: bool) -> None:
        key = path if path == STDIN else real(path)
        if key not in seen:
            seen.add(key)
            targets.append(Target(path, explicit))

    for path in paths:
        try:
            if path == STDIN:
                add(STDIN, True)
            elif os.path.isdir(path):
                found_here = walk(path, resolver)
                if not found_here:
                    raise DiscoveryError(nothing_found(path, resolver))
                for found in found_here:
                    add(found, False)
            elif os.path.isfile(path):
                add(path, True)
            elif os.path.lexists(path):
                raise DiscoveryError(f"{path}: not a regular file or folder")
            else:
                raise DiscoveryError(f"{path}: no such file or folder")
        except DiscoveryError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
    return targets


def nothing_found(folder: str, resolver) -> str:
    """Why a folder gave no file to lint, and how to change that."""
    resolved = resolver(folder)
    where = f" ({resolved.config.path})" if resolved.config else " (.innolint.toml or [tool.innolint] in pyproject.toml)"
    from .config import DEFAULT_INCLUDE

    if tuple(resolved.include) == DEFAULT_INCLUDE:
        shown = "update-*.htm, *.upd, <MAC>.txt, <hwid>.htm"
    else:
        shown = ", ".join(resolved.include) or "nothing"
    return (f"{folder}: no update scripts found (include: {shown}); to lint other names, "
            f"set `include` in the configuration{where} or name the files")


def walk(root: str, resolve_dir) -> list[str]:
    """Update scripts under ``root``; ``resolve_dir(folder)`` gives the config there."""
    found: list[str] = []
    ignores = _GitIgnores(root)
    try:
        os.listdir(root)
    except OSError as exc:
        raise DiscoveryError(f"{root}: cannot read folder ({exc.strerror or exc})") from None
    for directory, subdirs, files in os.walk(root):
        resolved = resolve_dir(directory)
        base = resolved.config.root if resolved.config else os.path.abspath(root)
        gitignore = ignores.enter(directory) if resolved.respect_gitignore else None

        # The folder relative to the configuration root once, not once per name.
        here = os.path.relpath(os.path.abspath(directory), base).replace(os.sep, "/")
        prefix = "" if here == "." else here + "/"

        def relative(name: str) -> str:
            return prefix + name.replace(os.sep, "/")

        def skipped(name: str, is_dir: bool) -> bool:
            rel = relative(name)
            if any(path_matches(rel, pattern) for pattern in resolved.exclude):
                return True
            return gitignore is not None and gitignore(os.path.join(directory, name), is_dir)

        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "__pycache__" and not skipped(d, True))
        for name in sorted(files):
            if any(path_matches(name, pattern) or path_matches(relative(name), pattern) for pattern in resolved.include):
                if not skipped(name, False):
                    found.append(os.path.normpath(os.path.join(directory, name)))
    return sorted(found, key=lambda path: path.split(os.sep))


class _GitIgnores:
    """`.gitignore` files from the repository root down to each walked folder.

    pathspec is imported here, only when a folder is walked.
    """

    def __init__(self, root: str) -> None:
        self.specs: dict[str, object] = {}  # folder -> compiled spec (or None)
        self.top = _repository_root(os.path.abspath(root))

    def _spec(self, folder: str):
        if folder not in self.specs:
            path = os.path.join(folder, ".gitignore")
            spec = None
            if os.path.isfile(path):
                import pathspec

                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        spec = pathspec.GitIgnoreSpec.from_lines(handle)
                except OSError:
                    spec = None
            self.specs[folder] = spec
        return self.specs[folder]

    def enter(self, directory: str):
        folder = os.path.abspath(directory)
        chain = []
        current = folder
        while True:
            chain.append(current)
            if current == self.top:
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        specs = [(f, s) for f in reversed(chain) if (s := self._spec(f)) is not None]
        if not specs:
            return None

        def ignored(path: str, is_dir: bool) -> bool:
            absolute = os.path.abspath(path)
            for spec_folder, spec in specs:
                rel = os.path.relpath(absolute, spec_folder).replace(os.sep, "/")
                if is_dir:
                    rel += "/"
                if spec.match_file(rel):
                    return True
            return False

        return ignored


def _repository_root(folder: str) -> str:
    """The folder holding `.git` above ``folder``, else ``folder`` itself."""
    current = folder
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return folder
        current = parent
