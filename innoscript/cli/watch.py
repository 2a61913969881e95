"""`innolint --watch`: lint, then lint again whenever something changes.

Polling (twice a second) keeps this free of platform file-watch libraries.
What is watched: every file below the given folders (not hidden ones), the
given files, and the configuration files from the working folder upwards.
Each run uses the result cache, so only changed files are linted again.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

CONFIG_NAMES = (".innolint.toml", "pyproject.toml")


def snapshot(paths: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every watched file."""
    found: dict[str, tuple[int, int]] = {}

    def note(path: str) -> None:
        try:
            info = os.stat(path)
        except OSError:
            return
        found[path] = (info.st_mtime_ns, info.st_size)

    for path in paths:
        if os.path.isdir(path):
            for directory, subdirs, files in os.walk(path):
                subdirs[:] = [d for d in subdirs if not d.startswith(".") and d != "__pycache__"]
                for name in files:
                    note(os.path.join(directory, name))
        else:
            note(path)
    folder = os.getcwd()
    while True:
        for name in CONFIG_NAMES:
            note(os.path.join(folder, name))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def watch(paths: tuple[str, ...], options: dict[str, Any], lint_once: Callable[..., int],
          interval: float = 0.5) -> int:
    """Run ``lint_once`` now and after each change until interrupted; the last status."""
    import gc

    from ..lint.config import clear_caches
    from .lint import LintError, echo

    gc.enable()  # a long run: the collector is back (innolint switches it off for short ones)

    def one_run() -> int:
        try:
            return lint_once(paths, options)
        except LintError as exc:  # a bad configuration: say so, keep watching
            echo(f"error: {exc}", err=True)
            return 2

    status = one_run()
    state = snapshot(paths)
    echo("watching for changes (Ctrl-C stops)", err=True)
    try:
        while True:
            time.sleep(interval)
            current = snapshot(paths)
            if current == state:
                continue
            state = current
            clear_caches()
            echo(f"-- {time.strftime('%H:%M:%S')} files changed: linting again", err=True)
            status = one_run()
    except KeyboardInterrupt:
        return status
