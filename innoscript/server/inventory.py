"""The device inventory: what each device reported, kept in SQLite.

Devices identify themselves only through what their URLs carry: the standard
query parameters every poll appends (``ver``, ``BOOT``, ``CHECK``, ``PROT``,
``BMC``, ``CFG``, ``SCFG``, ``CFG-BACKUP-NUM`` and their ``...date``
companions, spec 2.2), identifiers a site put into the update URL with meta
sequences (``mac=#m``, ``sn=#m``, ``hwid=#h``, or ``#m``/``#h`` as a path
segment), and the client address.  A device is keyed by its MAC when known,
else its hardware id, else its address.

Every observation is one transaction, so a crash loses at most the request
in flight and never leaves a half-updated row.

Anyone who can reach the server can make up identifiers, so the inventory is
bounded: it holds at most ``max_devices`` devices (a new one beyond that is
not recorded; the ones known are still updated), and a device not seen for
``expiry`` seconds is forgotten.  Which requests are recorded at all is the
server's choice (only those that served a script or stored a backup);
requests that only fetch a file update a device already known and never
create one.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("innoscript.server")

MAX_DEVICES = 10_000
EXPIRY = 30 * 86400.0  # seconds
_EXPIRY_CHECK = 60.0  # seconds between two sweeps of expired devices

SERIAL_PARAMETERS = ("BOOT", "CHECK", "PROT", "BMC", "CFG", "SCFG", "CFG-BACKUP-NUM")
DATE_PARAMETERS = tuple(f"{name}date" for name in SERIAL_PARAMETERS)

# `6.00 dvl-sr1 IP6000[07-60600.03], Bootcode[145], HW[104] 16384/131072`
_VER = re.compile(
    r"^\s*(?P<release>.*?)\s*(?P<model>[A-Za-z][\w-]*)\[(?P<firmware>[^\]]*)\]"
    r"(?:\s*,\s*Bootcode\[(?P<bootcode>[^\]]*)\])?"
    r"(?:\s*,\s*HW\[(?P<hardware>[^\]]*)\])?"
    r"\s*(?P<memory>\S*)\s*$"
)
_MAC = re.compile(r"^(?:[0-9A-Fa-f]{2}[-:]?){5}[0-9A-Fa-f]{2}$")
# `IP1200-03-0d-f0`: a model name followed by the last three MAC bytes
_HWID = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[0-9A-Fa-f]{2}){3}$")
# a file name that starts with #m or #h and goes on: `#h-#b5.txt` is
# `IP1200-03-0d-f0-3.txt`, `#m_cfg.txt` is `00-90-33-03-0d-f0_cfg.txt`
_MAC_PREFIX = re.compile(r"^((?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2})[-_.]")
_HWID_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:-[0-9A-Fa-f]{2}){3})[-_.]")


def parse_ver(ver: str) -> dict[str, str]:
    """Model, firmware, boot code, hardware and release of a ``ver`` string.

    Unrecognised strings give ``{}``: the raw string is still recorded.
    """
    match = _VER.match(ver)
    if not match:
        return {}
    return {k: v for k, v in match.groupdict().items() if v}


_SCRIPT_MODELS: dict[str, str] | None = None


def model_hint(obs: Observation, hwid: str | None) -> str | None:
    """A catalogue model named by the user agent, the hardware id or the
    script's default name (`update-ip1200.htm`), for requests without `ver`."""
    global _SCRIPT_MODELS
    from .. import catalog

    for word in re.split(r"[^A-Za-z0-9]+", obs.agent or ""):
        found = catalog.find_model(word) if word else None
        if found is not None:
            return found.name
    if hwid:
        found = catalog.find_model(hwid.split("-", 1)[0])
        if found is not None:
            return found.name
    if _SCRIPT_MODELS is None:
        _SCRIPT_MODELS = {m.script_name: m.name for m in catalog.MODELS.values()}
    return _SCRIPT_MODELS.get(obs.path.rsplit("/", 1)[-1].lower())


def normalise_mac(text: str) -> str:
    """``00-90-33-03-0d-f0`` (lower case, dashes), the form devices print."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", text).lower()
    return "-".join(digits[i : i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True, slots=True)
class Observation:
    """One request as the inventory sees it."""

    client: str
    kind: str  # "poll" (a script), "fetch" (firmware, cfg), "backup" (PUT)
    path: str
    status: int
    query: dict[str, str] = field(default_factory=dict)
    size: int | None = None  # bytes stored, for backups
    when: float | None = None  # epoch seconds; None: now
    agent: str | None = None  # the User-Agent header


def identify(obs: Observation) -> dict[str, str]:
    """mac / hwid of a request, from the query or the path segments."""
    found: dict[str, str] = {}
    query = {k.lower(): v for k, v in obs.query.items()}
    for name in ("mac", "sn"):
        if name in query and _MAC.match(query[name].strip()):
            found["mac"] = normalise_mac(query[name])
            break
    if "hwid" in query and query["hwid"].strip():
        found["hwid"] = query["hwid"].strip()
    for segment in obs.path.split("/"):
        stem = segment.split(".", 1)[0]
        if "mac" not in found and _MAC.match(stem):
            found["mac"] = normalise_mac(stem)
        elif "hwid" not in found and _HWID.match(stem):
            found["hwid"] = stem
        elif "mac" not in found and (prefix := _MAC_PREFIX.match(segment)):
            found["mac"] = normalise_mac(prefix.group(1))
        elif "hwid" not in found and (prefix := _HWID_PREFIX.match(segment)):
            found["hwid"] = prefix.group(1)
    return found


_SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    key TEXT PRIMARY KEY,
    mac TEXT,
    hwid TEXT,
    model TEXT,
    firmware TEXT,
    bootcode TEXT,
    hardware TEXT,
    release TEXT,
    ver TEXT,
    address TEXT,
    serials TEXT NOT NULL DEFAULT '{}',
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    last_poll REAL,
    last_poll_path TEXT,
    polls INTEGER NOT NULL DEFAULT 0,
    last_backup REAL,
    last_backup_path TEXT,
    last_backup_size INTEGER,
    backups INTEGER NOT NULL DEFAULT 0,
    last_path TEXT,
    last_status INTEGER
);
CREATE INDEX IF NOT EXISTS devices_last_seen ON devices (last_seen);
"""

# Added columns (an older inventory gets them on open): the radio (BMC) code
# as reported, the user agent, since when the current firmware runs, and the
# gaps between the last polls.
_ADDED_COLUMNS = (("bmc", "TEXT"), ("agent", "TEXT"), ("firmware_since", "REAL"), ("poll_gaps", "TEXT"))
GAPS_KEPT = 5  # seconds between the last polls: their median is the device's poll interval

# The status pages' history: the last polls and backups of each device
# (HISTORY_PER_DEVICE kept) and every firmware change (for rollout charts).
# Rows go when their device goes.
HISTORY_PER_DEVICE = 100
FIRMWARE_CHANGES_PER_DEVICE = 100
_HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER,
    firmware TEXT,
    serials TEXT NOT NULL DEFAULT '{}',
    size INTEGER
);
CREATE INDEX IF NOT EXISTS history_key ON history (key, id);
CREATE TABLE IF NOT EXISTS firmware_changes (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at REAL NOT NULL,
    firmware TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS firmware_changes_key ON firmware_changes (key, id);
CREATE TRIGGER IF NOT EXISTS devices_history_gone AFTER DELETE ON devices BEGIN
    DELETE FROM history WHERE key = old.key;
    DELETE FROM firmware_changes WHERE key = old.key;
END;
"""


class Inventory:
    """The devices seen, persisted in one SQLite file.

    Thread-safe: one connection guarded by a lock, so a server can call it
    from a worker thread while the status page reads it.
    """

    def __init__(self, path: Path | str, *, max_devices: int = MAX_DEVICES, expiry: float = EXPIRY) -> None:
        self.max_devices = max_devices
        self.expiry = expiry
        self.refused = 0  # new devices not recorded because the inventory was full
        # the time of an observation without one, of expiry, and the status pages' "now"
        self.clock = time.time
        self._next_sweep = 0.0
        self._full_warned = 0.0
        self.path = Path(path) if path != ":memory:" else path
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if isinstance(self.path, Path):
            # WAL: readers never block the writer; NORMAL is durable across a
            # process crash (only an OS crash may drop the last transactions)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        known = {row[1] for row in self._db.execute("PRAGMA table_info(devices)")}
        for name, kind in _ADDED_COLUMNS:
            if name not in known:
                self._db.execute(f"ALTER TABLE devices ADD COLUMN {name} {kind}")
        self._db.executescript(_HISTORY_SCHEMA)
        self.expire()
        self._count = self._db.execute("SELECT COUNT(*) FROM devices").fetchone()[0]

    def __len__(self) -> int:
        return self._count

    def expire(self, now: float | None = None) -> int:
        """Forget devices not seen for ``expiry`` seconds; how many were removed."""
        now = self.clock() if now is None else now
        with self._lock:
            removed = self._db.execute("DELETE FROM devices WHERE last_seen < ?", (now - self.expiry,)).rowcount
            if removed:
                self._count = self._db.execute("SELECT COUNT(*) FROM devices").fetchone()[0]
            self._next_sweep = time.monotonic() + _EXPIRY_CHECK
        return removed

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, obs: Observation) -> str | None:
        """Store one observation; returns the device key (None: nothing to record)."""
        ids = identify(obs)
        query = obs.query
        ver = query.get("ver", "").strip()
        serials = {k: query[k] for k in SERIAL_PARAMETERS + DATE_PARAMETERS if k in query}
        if obs.kind == "fetch" and not (ids or ver or serials):
            return None  # a plain download tells nothing about a device
        if time.monotonic() >= self._next_sweep:
            self.expire()
        key = f"mac:{ids['mac']}" if "mac" in ids else f"hwid:{ids['hwid']}" if "hwid" in ids else f"ip:{obs.client}"
        now = obs.when if obs.when is not None else self.clock()
        parsed = parse_ver(ver) if ver else {}
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                if "mac" not in ids and "hwid" in ids:
                    # a backup URL often carries only #h while the poll carried #m
                    # (#h ends with the last three bytes of the MAC, spec 6.1)
                    suffix = ids["hwid"][-8:].lower()
                    known_key = cur.execute(
                        "SELECT key FROM devices WHERE hwid = ? OR (mac IS NOT NULL AND hwid IS NULL AND mac LIKE ?)"
                        " ORDER BY hwid = ? DESC, key LIMIT 1",
                        (ids["hwid"], "%-" + suffix, ids["hwid"]),
                    ).fetchone()
                    if known_key:
                        key = known_key[0]
                row = cur.execute(
                    "SELECT serials, model, firmware, last_poll, poll_gaps FROM devices WHERE key = ?", (key,)
                ).fetchone()
                if row is None and (obs.kind == "fetch" or self._count >= self.max_devices):
                    cur.execute("ROLLBACK")
                    if obs.kind != "fetch":
                        self._note_full(key)
                    return None
                if row is None:
                    cur.execute(
                        "INSERT INTO devices (key, first_seen, last_seen) VALUES (?, ?, ?)", (key, now, now)
                    )
                    self._count += 1
                    known: dict[str, str] = {}
                    stored_model = stored_firmware = None
                else:
                    known = json.loads(row[0] or "{}")
                    stored_model, stored_firmware = row[1], row[2]
                    if obs.kind == "poll" and row[3] is not None and now > row[3]:
                        gaps = json.loads(row[4] or "[]")[-(GAPS_KEPT - 1):] + [round(now - row[3], 1)]
                        cur.execute("UPDATE devices SET poll_gaps = ? WHERE key = ?", (json.dumps(gaps), key))
                known.update(serials)
                updates: dict[str, object] = {
                    "last_seen": now,
                    "address": obs.client,
                    "serials": json.dumps(known, sort_keys=True),
                    "last_path": obs.path,
                    "last_status": obs.status,
                }
                updates.update(ids)
                if ver:
                    updates["ver"] = ver
                    for name in ("model", "firmware", "bootcode", "hardware", "release"):
                        if name in parsed:
                            updates[name] = parsed[name]
                if obs.agent:
                    updates["agent"] = obs.agent[:200]
                # as reported: without a version line (or with an empty one)
                # the serials of the last prot / boot / bmc still tell
                if "firmware" not in updates and query.get("PROT"):
                    updates["firmware"] = query["PROT"]
                if "bootcode" not in updates and query.get("BOOT"):
                    updates["bootcode"] = query["BOOT"]
                if query.get("BMC"):
                    updates["bmc"] = query["BMC"]
                if "model" not in updates and stored_model is None:
                    hint = model_hint(obs, ids.get("hwid"))
                    if hint:
                        updates["model"] = hint
                firmware = updates.get("firmware")
                if firmware is not None and firmware != stored_firmware:
                    updates["firmware_since"] = now
                    self._log_firmware(cur, key, now, str(firmware))
                columns = ", ".join(f"{name} = ?" for name in updates)
                cur.execute(f"UPDATE devices SET {columns} WHERE key = ?", (*updates.values(), key))
                if obs.kind == "poll":
                    cur.execute(
                        "UPDATE devices SET last_poll = ?, last_poll_path = ?, polls = polls + 1 WHERE key = ?",
                        (now, obs.path, key),
                    )
                elif obs.kind == "backup" and 200 <= obs.status < 300:
                    cur.execute(
                        "UPDATE devices SET last_backup = ?, last_backup_path = ?, last_backup_size = ?,"
                        " backups = backups + 1 WHERE key = ?",
                        (now, obs.path, obs.size, key),
                    )
                if obs.kind == "poll" or (obs.kind == "backup" and 200 <= obs.status < 300):
                    self._log_history(cur, key, now, obs, updates.get("firmware") or stored_firmware, serials)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                self._count = self._db.execute("SELECT COUNT(*) FROM devices").fetchone()[0]
                raise
        return key

    @staticmethod
    def _log_history(cur, key: str, now: float, obs: Observation, firmware, serials: dict) -> None:
        cur.execute(
            "INSERT INTO history (key, at, kind, path, status, firmware, serials, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key, now, obs.kind, obs.path, obs.status, firmware, json.dumps(serials, sort_keys=True), obs.size),
        )
        cur.execute(
            "DELETE FROM history WHERE key = ? AND id <= (SELECT id FROM history WHERE key = ?"
            " ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (key, key, HISTORY_PER_DEVICE),
        )

    @staticmethod
    def _log_firmware(cur, key: str, now: float, firmware: str) -> None:
        cur.execute("INSERT INTO firmware_changes (key, at, firmware) VALUES (?, ?, ?)", (key, now, firmware))
        cur.execute(
            "DELETE FROM firmware_changes WHERE key = ? AND id <= (SELECT id FROM firmware_changes WHERE key = ?"
            " ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (key, key, FIRMWARE_CHANGES_PER_DEVICE),
        )

    def history(self, key: str, limit: int = HISTORY_PER_DEVICE) -> list[dict]:
        """The last polls and backups of a device, newest first."""
        found = self._dicts("SELECT at, kind, path, status, firmware, serials, size FROM history WHERE key = ?"
                            " ORDER BY id DESC LIMIT ?", (key, limit))
        for entry in found:
            entry["serials"] = json.loads(entry["serials"] or "{}")
        return found

    def _dicts(self, sql: str, params: tuple = ()) -> list[dict]:
        """The rows of a query as dictionaries by column name."""
        with self._lock:
            cur = self._db.execute(sql, params)
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        return [dict(zip(names, row)) for row in rows]

    def firmware_changes(self) -> list[tuple[str, float, str]]:
        """(device key, time, firmware) of every recorded change, oldest first."""
        with self._lock:
            return self._db.execute("SELECT key, at, firmware FROM firmware_changes ORDER BY at, id").fetchall()

    def _note_full(self, key: str) -> None:
        # called with the lock held; one warning a minute, not one per request
        self.refused += 1
        now = time.monotonic()
        if now - self._full_warned >= 60.0:
            self._full_warned = now
            log.warning("inventory full (%d devices, --max-devices): new device %s not recorded"
                        " (%d refused since the start)", self.max_devices, key, self.refused)

    def devices(self) -> list[dict]:
        """All devices, ordered by key (deterministic output)."""
        return [_device(row) for row in self._dicts("SELECT * FROM devices ORDER BY key")]

    def device(self, key: str) -> dict | None:
        found = self._dicts("SELECT * FROM devices WHERE key = ?", (key,))
        return _device(found[0]) if found else None


def _device(row: dict) -> dict:
    """A device row with its JSON columns read."""
    row["serials"] = json.loads(row["serials"] or "{}")
    row["poll_gaps"] = json.loads(row.get("poll_gaps") or "[]")
    return row
