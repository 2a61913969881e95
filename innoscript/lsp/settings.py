"""Settings per document: configuration files plus the editor's settings.

The same discovery as `innolint` (``innoscript.lint.config``), with the
editor's `innolint` settings section as the last layer (like the command
line).  Configuration files are re-checked on every lint by their
modification times, so an edited `.innolint.toml` takes effect without a
restart even in editors that do not send file-watch notifications.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..lint.settings import Settings

try:  # the configuration layer is optional for the server: defaults without it
    from ..lint import config as _config
except ImportError:  # pragma: no cover - only in a partial installation
    _config = None

CONFIG_NAMES = getattr(_config, "CONFIG_NAMES", (".innolint.toml", "pyproject.toml"))


def kebab(key: str) -> str:
    """`targetVersion` / `target_version` -> `target-version`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()


def client_overrides(section: Any) -> tuple[dict[str, Any], list[str]]:
    """The editor's `innolint` settings as configuration values, and the problems.

    A bad value drops that key only (with a message), never the others.
    """
    if section is None:
        return {}, []
    if not isinstance(section, dict):
        return {}, [f"innolint settings must be an object, got {type(section).__name__}"]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for raw_key, raw_value in section.items():
        if raw_value is None:
            continue
        key = kebab(str(raw_key))
        if _config is None:
            problems.append(f"innolint.{raw_key}: configuration support is not installed")
            continue
        try:
            values.update(_config.parse_values({key: raw_value}, "editor settings innolint", os.getcwd()))
        except _config.ConfigError as exc:
            problems.append(str(exc))
    return values, problems


class SettingsResolver:
    """Settings for a path, refreshed when a configuration file changes."""

    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}
        self._stamps: dict[str, tuple] = {}

    def invalidate(self) -> None:
        """Forget every configuration file read (a watched file changed)."""
        self._stamps.clear()
        if _config is not None:
            _config.clear_caches()

    def _stamp(self, directory: str) -> tuple:
        """Modification times of every configuration file from ``directory`` up."""
        stamp = []
        current = directory
        while True:
            for name in CONFIG_NAMES:
                try:
                    info = os.stat(os.path.join(current, name))
                except OSError:
                    continue
                stamp.append((current, name, info.st_mtime_ns, info.st_size))
            parent = os.path.dirname(current)
            if parent == current:
                return tuple(stamp)
            current = parent

    def settings_for(self, path: str) -> tuple[Settings, str | None]:
        """(Settings, problem) for a document path; the problem is one line or None."""
        if _config is None:
            return Settings(), None
        real = not (path in ("-", "") or path.startswith("<"))
        directory = os.path.dirname(os.path.abspath(path)) if real else os.getcwd()
        stamp = self._stamp(directory)
        if self._stamps.get(directory) != stamp:
            if directory in self._stamps:
                _config.clear_caches()
            self._stamps[directory] = stamp
        try:
            settings, _ = _config.settings_for_path(path if real else "<editor>", self.overrides or None)
            return settings, None
        except _config.ConfigError as exc:
            # A broken configuration file: lint with the editor's settings only.
            try:
                return _config.settings_from_values(self.overrides, "editor"), str(exc)
            except Exception:  # noqa: BLE001 - defaults beat no diagnostics at all
                return Settings(), str(exc)
