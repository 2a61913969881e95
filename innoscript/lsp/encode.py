"""Diagnostics as the JSON text of a publishDiagnostics notification.

Converting a finding means mapping its columns into the editor's code units
and encoding a small object; over a whole document after every keystroke
that costs more than linting the line that changed.  So each finding's JSON
is kept, keyed by everything it depends on except its line number: what the
editor sees of it (code, message, severity, columns, tags, fixability,
related places) and its lines (columns depend on the characters before
them).  A finding on a line an edit did not touch is then reused as text,
as it was last put together when it stands on the same line number; one
that moved (lines inserted or deleted above it) gets its new line number
spliced in.  The findings above an edit are the last call's own, on
the same lines: their text is taken as it was, without a look-up each.
"""

from __future__ import annotations

import json
from typing import Callable

from ..source import common_prefix
from .positions import Mapper

SOURCE = "innolint"
# lsprotocol's DiagnosticSeverity numbers, by the linter's severity names.
SEVERITY = {"ERROR": 1, "WARNING": 2, "INFO": 3, "HINT": 4}
UNNECESSARY = 1  # DiagnosticTag.Unnecessary

_dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


class DiagnosticEncoder:
    """JSON text per diagnostic, reused across edits (one per open document)."""

    def __init__(self) -> None:
        self._cache: dict[tuple, tuple] = {}
        self._setup: tuple | None = None  # (encoding, bom shift): a change empties the cache
        self._last: tuple | None = None  # (diagnostics, their JSON, the lines) of the last call
        self.encoded = 0  # diagnostics encoded afresh by the last call (for the benchmark)

    def encode(self, diagnostics, mapper: Mapper, uri: str, rule_url: Callable[[str], str | None],
               uri_of: Callable[[str | None], str], check: Callable[[], None] | None = None) -> list[str]:
        setup = (mapper.encoding, mapper.shift)
        same = setup == self._setup and self._last is not None
        previous = self._cache if same else {}
        self._setup = setup
        lines = mapper.lines
        count = len(lines)
        if same and len(previous) <= 2 * len(diagnostics) + 64:
            # The diagnostics above the edit are the last call's, on the same lines: their
            # JSON is taken as it was, and the keys of the others are added to the cache.
            start = self._unchanged(diagnostics, lines)
            cache, out = previous, self._last[1][:start]
        else:  # the first call, another setup, or a cache grown with old keys: a fresh one
            start, cache, out = 0, {}, []
        fresh = 0
        carry = cache is not previous  # a fresh cache: the entries still in use move over
        get, put = previous.get, out.append
        for index in range(start, len(diagnostics)):
            d = diagnostics[index]
            if check is not None and not index & 1023:
                check()
            span = d[5]
            line, end_line = span[2], span[4]
            related = d[7]
            if end_line > count or (related and any(r.span[4] > count for r in related)):
                put(self._encode(d, mapper, uri, rule_url, uri_of))
                fresh += 1
                continue
            first, last = lines[line - 1], lines[end_line - 1]
            # The lines count by identity: a parsed line is shared by every line with its text
            # and ending, and each entry keeps its lines alive, so their ids stay theirs.
            key = (d[0], d[1], d[2], d[3], span[3], span[5], end_line - line, d[8], d[6] is not None,
                   id(first), id(last), line == 1)
            if related:
                # Related places are encoded with their own (absolute) lines: they are part of the key.
                key += tuple([(r[1], r[2], r[0][2:], id(lines[r[0][2] - 1]), id(lines[r[0][4] - 1])) for r in related])
            entry = get(key)
            if entry is None:
                others = [lines[r[0][at] - 1] for r in related for at in (2, 4)]  # kept alive with their ids
                # [the JSON's parts, the lines, the line it was last put together for, that text]
                entry = cache[key] = [self._parts(d, mapper, uri, rule_url, uri_of), first, last, others, 0, ""]
                fresh += 1
            elif carry:
                cache[key] = entry
            if entry[4] != line:  # first used, or moved: the line numbers put in
                head, start_shift, middle, end_shift, tail = entry[0]
                entry[4], entry[5] = line, f"{head}{line - 1 + start_shift}{middle}{end_line - 1 + end_shift}{tail}"
            put(entry[5])
        self._cache, self._last = cache, (diagnostics, out, lines)
        self.encoded = fresh
        return out

    def _unchanged(self, diagnostics, lines) -> int:
        """How many leading diagnostics are the last call's, on lines that did not change."""
        old_diagnostics, _, old_lines = self._last
        top = common_prefix(old_lines, lines)  # lines 1..top: the same parses (the same text and ending)
        same = common_prefix(old_diagnostics, diagnostics)  # equal records, compared in C
        for index in range(same):
            d = diagnostics[index]
            if d.span[4] > top or (d.related and any(r.span[4] > top for r in d.related)):
                return index
        return same

    def _parts(self, d, mapper: Mapper, uri: str, rule_url, uri_of) -> tuple:
        """The JSON of ``d`` cut around its two line numbers, and how they relate to the span's lines."""
        span = d.span
        start_line, start_char = mapper.position(span[2], span[3])
        end_line, end_char = mapper.position(span[4], span[5])
        head = '{"range":{"start":{"line":'
        middle = f',"character":{start_char}}},"end":{{"line":'
        tail = f',"character":{end_char}}}}},' + _dumps(self._fields(d, mapper, uri, rule_url, uri_of))[1:]
        return head, start_line - (span[2] - 1), middle, end_line - (span[4] - 1), tail

    def _encode(self, d, mapper: Mapper, uri: str, rule_url, uri_of) -> str:
        fields = {"range": _range(mapper, d.span)}
        fields.update(self._fields(d, mapper, uri, rule_url, uri_of))
        return _dumps(fields)

    @staticmethod
    def _fields(d, mapper: Mapper, uri: str, rule_url, uri_of) -> dict:
        fields: dict = {"message": d.message, "severity": SEVERITY[d.severity.name], "code": d.code}
        url = rule_url(d.code)
        if url:
            fields["codeDescription"] = {"href": url}
        fields["source"] = SOURCE
        if d.unnecessary:
            fields["tags"] = [UNNECESSARY]
        fields["data"] = {"name": d.name, "fixable": d.fix is not None}
        if d.related:
            fields["relatedInformation"] = [
                {"location": {"uri": uri if r.path is None or r.path == d.path else uri_of(r.path),
                              "range": _range(mapper, r.span)}, "message": r.message}
                for r in d.related
            ]
        return fields


def _range(mapper: Mapper, span) -> dict:
    start = mapper.position(span[2], span[3])
    end = mapper.position(span[4], span[5])
    return {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}


# Diagnostics per piece of a notification (tens of kilobytes; see ``publish_message``).
_PIECE = 64


def publish_message(uri: str, version: int | None, items: list[str]) -> list[bytes]:
    """The whole publishDiagnostics notification, framed, as pieces of bytes to write in order.

    Every piece is ASCII (the items and the URI are encoded with
    ``ensure_ascii``), so the body's length in bytes is counted from the
    items' lengths.  A large document's diagnostics are hundreds of
    kilobytes: made in one piece, the buffers are mapped afresh from the
    system at each edit, and filling them costs more than a small document's
    whole edit; pieces of a few dozen diagnostics reuse the allocator's memory.
    """
    version_part = f'"version":{int(version)},' if version is not None else ""
    head = f'{{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{_dumps(uri)},{version_part}"diagnostics":['
    length = len(head) + sum(map(len, items)) + max(len(items) - 1, 0) + 3
    pieces = [f"Content-Length: {length}\r\n\r\n{head}".encode("ascii")]
    for start in range(0, len(items), _PIECE):
        piece = ",".join(items[start : start + _PIECE])
        pieces.append((piece if start == 0 else "," + piece).encode("ascii"))
    pieces.append(b"]}}")
    return pieces
