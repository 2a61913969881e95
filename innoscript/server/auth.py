"""HTTP Basic authentication against a users file with hashed passwords.

File format (one user per line, ``#`` comments and blank lines ignored)::

    # name:rights:scrypt$<n>$<r>$<p>$<salt-hex>$<hash-hex>
    backup:write:scrypt$16384$8$1$9f...$4a...
    admin:read,write:scrypt$16384$8$1$...$...

``rights`` is ``read``, ``write`` or ``read,write``.  Write ``innoscript
serve --add-user NAME --users FILE`` to add a user or change a password.

Devices repeat the same credentials on every poll, and scrypt is slow on
purpose, so a verified header is remembered (by its SHA-256) until the users
file changes; so is a header that failed, so repeating it costs nothing.
Only a header never seen before needs scrypt: ``quick_check`` answers every
other one at once, and the server runs ``check`` for the rest on a thread of
its own, after ``RateLimiter`` has allowed the client address another try.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .storage import write_atomically

RIGHTS = ("read", "write")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_CACHE_LIMIT = 4096


class UsersFileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class User:
    name: str
    rights: frozenset[str]
    hashed: str


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, hashed: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = hashed.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(expected), maxmem=128 * int(r) * int(n) * 2 + 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def parse_rights(text: str) -> frozenset[str]:
    rights = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not rights or not rights <= set(RIGHTS):
        raise UsersFileError(f"rights must be read, write or read,write, not {text!r}")
    return rights


def load_users(path: Path) -> dict[str, User]:
    """Read a users file; UsersFileError with the line number when malformed."""
    users: dict[str, User] = {}
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise UsersFileError(f"{path}: no such users file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: cannot read users file ({exc})") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) != 3 or not parts[0] or not parts[2].startswith("scrypt$"):
            raise UsersFileError(f"{path}:{number}: expected name:rights:scrypt$..., see docs/server.md")
        try:
            rights = parse_rights(parts[1])
        except UsersFileError as exc:
            raise UsersFileError(f"{path}:{number}: {exc}") from None
        users[parts[0]] = User(parts[0], rights, parts[2])
    return users


def add_user(path: Path, name: str, password: str, rights: frozenset[str]) -> bool:
    """Add a user or replace its password and rights; True when it existed.

    Other lines (users, comments) are kept as they are.
    """
    if not name or ":" in name or any(c.isspace() for c in name):
        raise UsersFileError("a user name must be non-empty, without ':' or blanks")
    line = f"{name}:{','.join(r for r in RIGHTS if r in rights)}:{hash_password(password)}"
    lines = path.read_text("utf-8").splitlines() if path.exists() else [
        "# innoscript serve users: name:rights:scrypt-hash (see docs/server.md)"
    ]
    existed = False
    for index, old in enumerate(lines):
        if old.split(":", 1)[0] == name and not old.lstrip().startswith("#"):
            lines[index] = line
            existed = True
    if not existed:
        lines.append(line)
    write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"))
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
    return existed


class Authenticator:
    """Decides whether a request's Authorization header grants a right."""

    def __init__(self, users_file: Path | None, anonymous: frozenset[str]) -> None:
        self.users_file = users_file
        self.anonymous = anonymous
        self._users: dict[str, User] = {}
        self._stamp: tuple[int, int] | None = None
        self._cache: dict[bytes, str] = {}
        self._failed: dict[bytes, str] = {}  # headers whose password was wrong
        self._lock = threading.Lock()
        if users_file is not None:
            self._reload()

    def _reload(self) -> None:
        assert self.users_file is not None
        stat = self.users_file.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._users = load_users(self.users_file)
            self._cache.clear()
            self._failed.clear()
            self._stamp = stamp

    def needs_credentials(self, right: str) -> bool:
        return right not in self.anonymous

    def _lookup(self, header: str) -> tuple[str | None, str | None, bytes, User | None, bool, bool]:
        """(name, password, key, user, known, failed) for a Basic header.

        ``user`` is None when the header names no user or the users file
        cannot be read (then every check refuses rather than guesses);
        ``known`` and ``failed`` say whether this very header was verified
        or refused before.  Cheap: a stat of the users file and a SHA-256.
        """
        name, password = _decode_basic(header)
        if name is None or self.users_file is None:
            return name, password, b"", None, False, False
        with self._lock:
            try:
                self._reload()
            except (OSError, UsersFileError):
                return name, password, b"", None, False, False
            key = hashlib.sha256(header.encode("utf-8", "surrogateescape")).digest()
            known = self._cache.get(key) == name
            return name, password, key, self._users.get(name), known, self._failed.get(key) == name

    def quick_check(self, header: str, right: str) -> tuple[bool, str | None, bool] | None:
        """``check``'s answer when it needs no password hashing (a header seen
        before, malformed, or naming no user), else None."""
        name, _, _, user, known, failed = self._lookup(header)
        if user is None or failed:
            return False, name, False
        if known:
            return right in user.rights, name, True
        return None

    def check(self, header: str | None, right: str) -> tuple[bool, str | None, bool]:
        """(allowed, user name, authenticated).  Blocking (scrypt): call it off the event loop.

        A request without credentials is allowed only when ``right`` is
        anonymous; credentials that are sent but wrong are refused even then,
        so a misconfigured device shows up as 401 rather than passing silently.
        """
        if not header:
            return right in self.anonymous, None, False
        name, password, key, user, known, _ = self._lookup(header)
        if user is None:
            return False, name, False
        if not known:
            if not verify_password(password or "", user.hashed):
                with self._lock:
                    if len(self._failed) >= _CACHE_LIMIT:
                        self._failed.clear()
                    self._failed[key] = name
                return False, name, False
            with self._lock:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[key] = name
        return right in user.rights, name, True


class RateLimiter:
    """Password checks per client address: a burst, then a steady rate (a
    token bucket).  Used on the event loop only, so it needs no lock."""

    def __init__(self, burst: int, per_minute: float, max_addresses: int = 10_000) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0  # tokens per second
        self.max_addresses = max_addresses
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def allow(self, address: str, now: float | None = None) -> float:
        """0 when ``address`` may try a password now (the try is counted), else
        the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, when = self._buckets.get(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - when) * self.rate)
        if tokens < 1.0:
            self._buckets[address] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 3600.0
        if address not in self._buckets and len(self._buckets) >= self.max_addresses:
            self._forget_rested(now)
        self._buckets[address] = (tokens - 1.0, now)
        return 0.0

    def _forget_rested(self, now: float) -> None:
        # addresses whose bucket has filled up again are as good as new
        for address, (tokens, when) in list(self._buckets.items()):
            if tokens + (now - when) * self.rate >= self.burst:
                del self._buckets[address]
        if len(self._buckets) >= self.max_addresses:
            self._buckets.clear()  # memory stays bounded, whatever the flood


def _decode_basic(header: str) -> tuple[str | None, str | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    name, sep, password = decoded.partition(":")
    if not sep:
        return None, None
    return name, password
