"""Reading JSON-RPC messages from a byte stream, recovering from bad framing.

Each message is a header block (``Content-Length: N``, optionally
``Content-Type``) ended by an empty line, then N bytes of JSON.  A reader
that trusts N blindly loses the stream for good on one wrong header: a
length too long swallows the messages that follow, one too short leaves the
rest of the body to be read as headers, and every later message is then
glued to garbage and never answered.

This reader resynchronises instead.  It relies on one fact: a header line
(``Content-Length: 12`` followed by a raw CR LF) cannot occur inside valid
JSON, where line breaks inside strings are escaped and bare words do not
exist.  So a header found inside a declared body marks where the next
message starts, and bytes that are not a message are skipped up to the next
header.  A body that is not valid JSON at its declared length is tried once
more up to the next header (the length was too short).
"""

from __future__ import annotations

import json
import re
from typing import Awaitable, Callable, Iterator

HEADER = re.compile(rb"(?i)content-(?:length|type)[ \t]*:[^\r\n]*\r\n")
LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$")
END_OF_HEADERS = b"\r\n\r\n"
MAX_HEADERS = 8192  # a header block longer than this is not one


class Framer:
    """Cuts bytes into message bodies.  Feed it bytes; take ``(body, error)`` pairs.

    ``body`` is the decoded JSON value of a message, or None with ``error``
    saying what was skipped.  Bytes that may still become a message stay
    buffered until more arrive (``feed``) or the stream ends (``close``).
    """

    def __init__(self) -> None:
        self.buf = bytearray()
        self.eof = False

    def feed(self, data: bytes) -> None:
        if data:
            self.buf += data
        else:
            self.eof = True

    def messages(self) -> Iterator[tuple[object | None, str | None]]:
        """The complete messages (and framing errors) in the buffer so far."""
        buf = self.buf
        while True:
            found = HEADER.search(buf)
            if found is None:
                # Keep a partial last line: it may be the start of a header.
                cut = buf.rfind(b"\n") + 1
                if self.eof or len(buf) - cut > MAX_HEADERS:
                    cut = len(buf)
                if buf[:cut].strip():
                    yield None, "bytes outside a message were skipped"
                del buf[:cut]
                return
            if found.start():
                if buf[: found.start()].strip():
                    yield None, "bytes outside a message were skipped"
                del buf[: found.start()]
            end = buf.find(END_OF_HEADERS)
            if end < 0 or end > MAX_HEADERS:
                if end < 0 and len(buf) <= MAX_HEADERS and not self.eof:
                    return  # the header block is not complete yet
                del buf[: HEADER.match(buf).end()]  # not a header block: skip its first line
                yield None, "a malformed header block was skipped"
                continue
            length = LENGTH.search(buf, 0, end)
            start = end + len(END_OF_HEADERS)
            if length is None:
                del buf[:start]  # its body follows; it is skipped as bytes outside a message
                yield None, "a message without a valid Content-Length was skipped"
                continue
            stop = start + int(length.group(1))
            inner = HEADER.search(buf, start, min(stop, len(buf)))
            if inner is None and stop > len(buf):
                if not self.eof:
                    early = _complete_json(buf, start)
                    if early is None:
                        return  # wait for the rest of the body
                    # The whole value is here and nothing more came: the length was too long.
                    del buf[:]
                    yield early, None
                    return
                inner_stop = len(buf)
            else:
                inner_stop = inner.start() if inner is not None else stop
            value = _json(buf[start:inner_stop])
            if value is None and inner is None:
                # Too short a length: the body may run on to the next header.
                following = HEADER.search(buf, stop)
                longer = following.start() if following is not None else len(buf)
                value = _json(buf[start:longer])
                if value is not None:
                    inner_stop = longer
            del buf[:inner_stop]
            if value is None:
                yield None, "a message body was not valid JSON (wrong Content-Length?)"
            else:
                yield value, None


_NOT_JSON = object()


def _json(data: bytes | bytearray):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _complete_json(buf: bytearray, start: int):
    """The JSON object at ``start`` if the buffer already holds all of it."""
    tail = buf[start:].rstrip()
    if not tail.endswith(b"}"):
        return None
    return _json(tail)


async def read_messages(
    read: Callable[[], Awaitable[bytes]],
    handle: Callable[[bytes], None],
    report: Callable[[str], None],
    stopped: Callable[[], bool],
) -> None:
    """Read until the stream ends: ``handle`` each message body, ``report`` each framing error.

    ``handle`` gets the body re-encoded as JSON bytes so the protocol decodes
    it its own way (with its hooks).
    """
    framer = Framer()
    while not stopped():
        data = await read()
        framer.feed(data)
        for value, error in framer.messages():
            if error is not None:
                report(error)
            else:
                handle(value)
        if framer.eof:
            return
