"""Connection limits, enforced below HTTP: how many connections, from whom,
how long a request head may take and how large it may be.

aiohttp parses requests but does not bound how long a client may take to send
one: a client that sends half a request head and then nothing keeps its
socket, and a thousand such clients exhaust the file descriptors every device
needs.  Each connection is therefore wrapped in a ``GuardedProtocol`` that
forwards everything to aiohttp's own protocol and adds:

- a cap on open connections, in all and per client address (over it the
  connection gets ``503`` at once and is closed);
- an idle timeout before the first request (a connection that sends nothing);
- a header timeout: once the first byte of a request head has arrived, the
  whole head must arrive within it (``408``, then closed);
- a cap on the size of a request head (``431``, then closed).

Between requests aiohttp's own keep-alive timeout (set to the same idle
timeout) closes connections that stay quiet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger("innoscript.server")

LINGER = 1.0  # seconds a refused connection is read (and dropped) before it is closed
_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout: float = 10.0  # seconds from a head's first byte to its end
    idle_timeout: float = 30.0  # seconds a connection may stay without a request
    max_connections: int = 512  # open connections in all
    max_per_address: int = 64  # open connections from one client address
    max_header_size: int = 8192  # bytes of one request head (request line and headers)


def plain_response(status: int, text: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP response that closes the connection, for refusals made
    before aiohttp has seen the request."""
    body = f"{status} {text}\n".encode("utf-8")
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: text/plain; charset=utf-8\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    if retry_after is not None:
        head += f"Retry-After: {retry_after}\r\n"
    return head.encode("ascii") + b"\r\n" + body


class _Throttled:
    """Logs a refusal at most once per interval, with the count since the last line:
    a flood must not become a flood of log lines."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    def warn(self, reason: str, address: str) -> None:
        self._counts[reason] = self._counts.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._last.get(reason, -self.interval) < self.interval:
            return
        count = self._counts.pop(reason)
        self._last[reason] = now
        more = f" ({count} times in the last {self.interval:g} s)" if count > 1 else ""
        log.warning("refused connection from %s: %s%s", address, reason, more)


class ConnectionGuard:
    """Counts open connections and makes the protocol of each one.

    Used as the protocol factory of ``loop.create_server``; ``inner`` makes
    aiohttp's protocol for an admitted connection.  Runs on the event loop
    only, so the counters need no lock.
    """

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.inner: Callable[[], asyncio.Protocol] | None = None
        self.open = 0
        self.per_address: dict[str, int] = {}
        self.refused = 0
        self._by_transport: dict[object, GuardedProtocol] = {}
        self._refusing: set[GuardedProtocol] = set()  # answered, closing after LINGER
        self._log = _Throttled()

    def close_refused(self) -> None:
        """Close the connections refused and still lingering (at shutdown;
        aiohttp closes the others itself, after their requests)."""
        for protocol in list(self._refusing):
            if protocol.transport is not None:
                protocol.transport.close()
        self._refusing.clear()

    def __call__(self) -> "GuardedProtocol":
        return GuardedProtocol(self)

    def admit(self, address: str) -> str | None:
        """None when a new connection from ``address`` may open, else why not."""
        if self.open >= self.limits.max_connections:
            return f"{self.open} connections open (--max-connections {self.limits.max_connections})"
        if self.per_address.get(address, 0) >= self.limits.max_per_address:
            return f"{self.limits.max_per_address} connections open from this address (--max-per-address)"
        self.open += 1
        self.per_address[address] = self.per_address.get(address, 0) + 1
        return None

    def release(self, address: str, transport: object) -> None:
        self.open -= 1
        left = self.per_address.get(address, 1) - 1
        if left > 0:
            self.per_address[address] = left
        else:
            self.per_address.pop(address, None)
        self._by_transport.pop(transport, None)

    # the request handler says when a request starts and ends, so that the
    # header timeout applies to every request of a kept-alive connection
    def request_started(self, transport: object) -> None:
        protocol = self._by_transport.get(transport)
        if protocol is not None:
            protocol.head_done()

    def request_finished(self, transport: object) -> None:
        protocol = self._by_transport.get(transport)
        if protocol is not None:
            protocol.between_requests()

    def note_refusal(self, reason: str, address: str) -> None:
        self.refused += 1
        self._log.warn(reason, address)


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's protocol for one connection, with the guard's limits around it."""

    # states: "new" (nothing received), "head" (a request head is arriving),
    # "busy" (a request is being handled), "idle" (between requests)
    def __init__(self, guard: ConnectionGuard) -> None:
        self.guard = guard
        self.inner: asyncio.Protocol | None = None
        self.transport: asyncio.BaseTransport | None = None
        self.address = "-"
        self.state = "new"
        self._timer: asyncio.TimerHandle | None = None
        self._head_size = 0
        self._tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "-"
        self.transport = transport
        refusal = self.guard.admit(self.address)
        if refusal is not None:
            self._refuse(503, refusal, retry_after=10)
            return
        self.guard._by_transport[transport] = self
        assert self.guard.inner is not None
        self.inner = self.guard.inner()
        self.inner.connection_made(transport)
        self._arm(self.guard.limits.idle_timeout, self._idle_expired)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.guard._refusing.discard(self)
        if self.inner is None:
            return  # refused at once: never counted
        self.state = "closed"
        self.guard.release(self.address, self.transport)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.inner is None or self.state == "refused":
            return  # a refused connection's bytes are read and dropped until it closes
        if self.state in ("new", "idle"):
            self.state = "head"
            self._head_size = 0
            self._tail = b""
            self._arm(self.guard.limits.header_timeout, self._head_expired)
        if self.state == "head" and not self._scan_head(data):
            return
        self.inner.data_received(data)

    def _scan_head(self, data: bytes) -> bool:
        """Count head bytes and look for its end (an empty line); False when
        the head has grown past the limit and the connection was refused."""
        window = self._tail + data
        end = _head_end(window)
        if end >= 0:
            self._head_size += end - len(self._tail)
        else:
            self._head_size += len(data)
        if self._head_size > self.guard.limits.max_header_size:
            self._refuse(431, f"request head larger than {self.guard.limits.max_header_size} bytes")
            return False
        if end >= 0:
            self.head_done()
        else:
            self._tail = window[-3:]
        return True

    def head_done(self) -> None:
        self.state = "busy"
        self._disarm()

    def between_requests(self) -> None:
        # aiohttp's keep-alive timer guards the quiet time from here on; the
        # next byte starts the header timeout of the next request
        if self.state == "busy":
            self.state = "idle"

    def eof_received(self) -> bool | None:
        if self.inner is None:
            return None
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def _arm(self, delay: float, callback: Callable[[], None]) -> None:
        self._disarm()
        self._timer = asyncio.get_running_loop().call_later(delay, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _idle_expired(self) -> None:
        self._timer = None
        if self.state == "new" and self.transport is not None:
            self.transport.close()

    def _head_expired(self) -> None:
        self._timer = None
        if self.state == "head":
            self._refuse(408, f"request head not complete within {self.guard.limits.header_timeout:g} s")

    def _refuse(self, status: int, reason: str, retry_after: int | None = None) -> None:
        """Answer, stop sending, and close after a moment: closing at once with
        unread bytes would reset the connection and lose the answer."""
        self.guard.note_refusal(reason, self.address)
        self.guard._refusing.add(self)
        self.state = "refused"
        transport = self.transport
        assert transport is not None
        transport.write(plain_response(status, reason, retry_after))  # type: ignore[attr-defined]
        if transport.can_write_eof():  # type: ignore[attr-defined]
            transport.write_eof()  # type: ignore[attr-defined]
        self._arm(LINGER, transport.close)


def _head_end(window: bytes) -> int:
    """Index just past the empty line that ends a request head, or -1.
    Bare LF line ends are accepted, as HTTP parsers do."""
    ends = [i for i in (window.find(b"\n\r\n"), window.find(b"\n\n")) if i >= 0]
    if not ends:
        return -1
    first = min(ends)
    return first + (3 if window.startswith(b"\n\r\n", first) else 2)
