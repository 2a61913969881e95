"""Access log lines: Combined Log Format, or one JSON object per line.

Pure functions over a plain record, so the format is tested without a server.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class AccessRecord:
    client: str
    user: str | None
    when: float  # epoch seconds, start of the request
    method: str
    target: str  # as sent (path and query)
    version: str  # "1.1"
    status: int
    size: int  # body bytes sent
    referer: str | None
    agent: str | None
    duration: float  # seconds
    note: str | None = None  # why a request was refused, gate state ...


def _quote(text: str | None) -> str:
    if not text:
        return "-"
    # a quote or control character in a logged header must not break the line
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped)


def combined(record: AccessRecord) -> str:
    """``host - user [date] "request" status size "referer" "agent"``."""
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(record.when))
    request = _quote(f"{record.method} {record.target} HTTP/{record.version}")
    return (
        f'{record.client} - {_quote(record.user)} [{stamp}] "{request}" {record.status} '
        f'{record.size if record.size else "-"} "{_quote(record.referer)}" "{_quote(record.agent)}"'
    )


def json_line(record: AccessRecord) -> str:
    data = asdict(record)
    data["time"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.when)) + f".{int(record.when % 1 * 1000):03d}Z"
    del data["when"]
    data["duration"] = round(record.duration, 6)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)
