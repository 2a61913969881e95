"""Backups on disk: atomic replacement, previous versions kept.

An upload is written to a hidden temporary file in the target's own folder
(same file system, so the final rename is atomic), flushed to disk, and then
renamed over the target.  A reader therefore sees either the old file or the
new one, never a torn one; a crash leaves at most a hidden temporary file,
which ``sweep_temporaries`` removes at the next start.

Previous versions live next to the file in a hidden ``.versions/`` folder:
``.versions/<name>.1`` is the version before the current one, ``<name>.2``
the one before that, up to ``keep`` versions.  The current file is
hard-linked (copied where links are not possible) into ``.versions/`` before
the rename, so the target name never disappears, not even for a moment.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

TEMP_PREFIX = ".upload-"
TEMP_SUFFIX = ".tmp"
VERSIONS = ".versions"


NAME_MAX = 255  # bytes of a file name on common file systems


class UploadTooLarge(Exception):
    pass


def longest_name(keep: int) -> int:
    """The longest backup name (bytes of UTF-8) whose previous versions still
    fit: ``.versions/<name>.<keep>`` and the ``.tmp`` of a copied version."""
    if keep <= 0:
        return NAME_MAX
    return NAME_MAX - len(f".{keep}") - len(TEMP_SUFFIX)


class Upload:
    """One upload in progress: ``write`` chunks, then ``commit`` or ``abort``.

    Chunks go straight to the temporary file, so memory does not grow with
    the size or the number of uploads.
    """

    def __init__(self, target: Path, limit: int) -> None:
        self.target = target
        self.limit = limit
        self.size = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = _mkstemp(target.parent)
        self.temp = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._done = False

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadTooLarge(f"upload larger than {self.limit} bytes")
        self._file.write(chunk)

    def commit(self, keep: int, lock: threading.Lock | None = None) -> None:
        """Flush, keep the previous version, rename into place.  Blocking."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        with lock or threading.Lock():
            keep_previous(self.target, keep)
            os.replace(self.temp, self.target)
        _fsync_dir(self.target.parent)
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._file.close()
        finally:
            try:
                self.temp.unlink()
            except FileNotFoundError:
                pass


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)


def version_path(target: Path, number: int) -> Path:
    return target.parent / VERSIONS / f"{target.name}.{number}"


def keep_previous(target: Path, keep: int) -> None:
    """Shift ``.versions/<name>.N`` up by one and save the current file as ``.1``."""
    if keep <= 0 or not target.is_file():
        return
    (target.parent / VERSIONS).mkdir(exist_ok=True)
    oldest = version_path(target, keep)
    if oldest.exists():
        oldest.unlink()
    for number in range(keep - 1, 0, -1):
        older = version_path(target, number)
        if older.exists():
            os.replace(older, version_path(target, number + 1))
    first = version_path(target, 1)
    try:
        os.link(target, first)
    except OSError:
        # no hard links on this file system: a copy is still a whole file
        tmp = first.with_name(first.name + TEMP_SUFFIX)
        shutil.copy2(target, tmp)
        os.replace(tmp, first)


def versions(target: Path) -> list[Path]:
    """Stored previous versions, newest first."""
    found = []
    number = 1
    while (path := version_path(target, number)).exists():
        found.append(path)
        number += 1
    return found


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove temporary upload files left by a crash under ``folder``."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    for path in folder.rglob(f"{VERSIONS}/*{TEMP_SUFFIX}"):
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return sorted(removed)


def write_atomically(target: Path, data: bytes) -> None:
    """Replace a small file (server state) atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = _mkstemp(target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, target)
    except BaseException:
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
        raise


def _fsync_dir(folder: Path) -> None:
    # makes the rename itself durable; not available everywhere (Windows)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
