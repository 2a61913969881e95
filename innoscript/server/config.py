"""Everything the server is told, in one frozen value (built by the CLI or tests)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from .gate import SCRIPT_PATTERNS

ANONYMOUS_CHOICES = {"none": frozenset(), "read": frozenset({"read"}), "write": frozenset({"write"}),
                     "all": frozenset({"read", "write"})}
STATE_FOLDER = ".innoscript-state"


@dataclass(frozen=True)
class ServerConfig:
    root: Path
    bind: str = "127.0.0.1"
    port: int = 8080  # 0: any free port (tests)
    state_dir: Path | None = None  # None: ROOT/.innoscript-state
    writable: tuple[str, ...] = ("backups",)
    max_upload: int = 1024 * 1024
    upload_timeout: float = 30.0  # seconds for a whole upload
    keep_versions: int = 5
    lint_gate: bool = True
    script_patterns: tuple[str, ...] = SCRIPT_PATTERNS
    users_file: Path | None = None
    anonymous: frozenset[str] = field(default_factory=frozenset)
    # backups hold passwords, status pages MAC addresses: anonymous read
    # covers them only when asked for by name
    anonymous_backups: bool = False
    anonymous_status: bool = False
    json_log: bool = False
    status: str = "read"  # the status pages: "read" (users with the read right), "none" (off)
    # limits against slow, hostile and anonymous clients (docs/server.md)
    header_timeout: float = 10.0  # seconds for a whole request head
    idle_timeout: float = 30.0  # seconds a connection may wait without a request
    max_connections: int = 512  # open connections in all
    max_per_address: int = 64  # open connections from one address
    max_header_size: int = 8192  # bytes of one request head
    max_uploads: int = 64  # PUT bodies being received at once
    gate_max_size: int = 256 * 1024  # larger scripts are withheld unlinted
    gate_timeout: float = 10.0  # seconds one lint of the gate may take
    max_devices: int = 10_000  # inventory rows
    device_expiry: float = 30 * 86400.0  # seconds without a request before a device is forgotten
    auth_burst: int = 10  # password checks an address may make at once ...
    auth_per_minute: float = 30.0  # ... and then per minute

    @property
    def state(self) -> Path:
        return self.state_dir if self.state_dir is not None else self.root / STATE_FOLDER

    def warnings(self) -> list[str]:
        """Things an operator should know before devices connect."""
        found = []
        if self.anonymous and not is_loopback(self.bind):
            rights = " and ".join(sorted(self.anonymous))
            found.append(
                f"anonymous {rights} access on {self.bind}: anyone who can reach this address can "
                + ("read every script and firmware" if "read" in self.anonymous else "upload backups")
            )
            if "read" in self.anonymous and self.anonymous_backups:
                found.append(f"anonymous read of backups on {self.bind}: configuration backups hold passwords")
            if "read" in self.anonymous and self.anonymous_status:
                found.append(f"anonymous status pages on {self.bind}: they list every device's MAC address")
        if not self.lint_gate:
            found.append("lint gate off: scripts are served even when they have errors")
        return found


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
