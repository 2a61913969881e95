"""The server's copy of a document equals the editor's after any edits.

The editor model here is written independently of the server's: a plain
string, positions found by scanning for CR, LF and CRLF (the only line
breaks of the editor protocol), columns counted in the negotiated units.
"""

from __future__ import annotations

import asyncio

from hypothesis import given, settings, strategies as st
from lsprotocol import types as lsp

from innoscript.lsp import server as server_module
from innoscript.lsp.buffer import TextBuffer, split_lines
from innoscript.lsp.framing import Framer
from innoscript.lsp.server import InnoServer
from innoscript.source import Source
from innoscript.syntax import parse
from editor_model import editor_position, line_starts

# Characters Python's splitlines breaks at and the protocol does not, a BOM, and ordinary text.
PIECES = ["a", "mod cmd UP1 times /allow 3", " ", "\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c",
          "\x1c", "\x1e", "\ufeff", "\u00e9", "\U0001f600", "# x", "TIMES"]
ENCODINGS = ["utf-16", "utf-8", "utf-32"]


def boundaries(text: str) -> list[int]:
    """Offsets an editor can put a cursor at (not inside CRLF, not inside a line break)."""
    return [i for i in range(len(text) + 1) if not (0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")]


texts = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
edits = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), texts), min_size=1, max_size=6)


def editor_edit(text: str, where: int, length: int, new: str, encoding: str):
    """A random edit as the editor sends it: (start, end, new text), and the editor's result."""
    cursors = boundaries(text)
    start = cursors[where % len(cursors)]
    ends = [c for c in cursors if c >= start]
    end = ends[length % len(ends)] if length % 3 else start
    return editor_position(text, start, encoding), editor_position(text, end, encoding), text[:start] + new + text[end:]


@settings(max_examples=300, deadline=None)
@given(texts, edits, st.sampled_from(ENCODINGS))
def test_buffer_equals_the_editor_after_any_edits(text, changes, encoding):
    buffer = TextBuffer(text)
    for where, length, new in changes:
        start, end, text = editor_edit(text, where, length, new, encoding)
        buffer.apply(start, end, new, encoding)
        assert buffer.text == text
        assert len(buffer.lines) + (not buffer.lines or buffer.lines[-1].endswith(("\r", "\n"))) == len(line_starts(text))


def test_split_lines_breaks_only_at_cr_lf_and_crlf():
    text = "a\u2028b\x85c\x0bd\x0ce\x1ef\rg\r\nh\ni"
    assert split_lines(text) == ["a\u2028b\x85c\x0bd\x0ce\x1ef\r", "g\r\n", "h\n", "i"]
    assert "".join(split_lines(text)) == text


def test_an_edit_after_a_line_separator_lands_on_the_editors_line():
    # Line 1 of the editor is "mod cmd UP1 times /allow 3"; splitlines would call it line 2.
    buffer = TextBuffer("# note\u2028more\nmod cmd UP1 times /allow 3\n")
    buffer.apply((1, 12), (1, 17), "time")
    assert buffer.text == "# note\u2028more\nmod cmd UP1 time /allow 3\n"


def test_positions_past_the_end_are_clamped_like_the_editor():
    buffer = TextBuffer("ab\r\ncd")
    buffer.apply((0, 99), (0, 99), "X")  # past the content of line 0: at its end, before CRLF
    assert buffer.text == "abX\r\ncd"
    buffer.apply((9, 0), (9, 0), "!")  # past the last line: the end of the text
    assert buffer.text == "abX\r\ncd!"
    buffer.apply((1, 1), (0, 0), "-")  # an inverted range: an insertion at its start
    assert buffer.text == "abX\r\nc-d!"


def test_a_cr_and_an_lf_that_meet_become_one_line_ending():
    buffer = TextBuffer("a\rX\nb")
    buffer.apply((1, 0), (1, 1), "")
    assert buffer.lines == ["a\r\n", "b"]
    buffer = TextBuffer("a\rb")
    buffer.apply((1, 0), (1, 0), "\n")
    assert buffer.lines == ["a\r\n", "b"]


# -- the server, in process: handlers, worker threads and snapshots -----------------------


async def _server_text(initial: str, changes, encoding: str) -> tuple[str, str]:
    ls = InnoServer()
    ls.debounce = 0
    uri = "file:///tmp/innoscript-sync/update-ip232.htm"
    server_module.did_open(ls, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", 1, initial)))
    text = initial
    version = 1
    # The server in these tests has no client: it counts in UTF-16 units.
    for where, length, new in changes:
        start, end, text = editor_edit(text, where, length, new, "utf-16")
        version += 1
        change = lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=new)
        server_module.did_change(ls, lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]))
    snap = await ls.snapshot(uri, linted=True)
    for handle in ls._pending.values():
        handle.cancel()
    assert snap.version == version
    assert snap.source.text == Source(text).text
    assert snap.script.lines == parse(Source(text, snap.source.path)).lines
    return snap.text, text


@settings(max_examples=60, deadline=None)
@given(texts, edits)
def test_server_text_equals_the_editors_after_any_edits(initial, changes):
    server_text, editor_text = asyncio.run(_server_text(initial, changes, "utf-16"))
    assert server_text == editor_text


# -- framing -----------------------------------------------------------------------------


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def read_all(*chunks: bytes) -> list:
    framer = Framer()
    out = []
    for chunk in (*chunks, b""):
        framer.feed(chunk)
        out.extend(framer.messages())
    return out


def test_framing_reads_messages_split_anywhere():
    second = b'Content-Length: 8\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{"id":2}'
    data = frame(b'{"id":1}') + b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(b'{"id":2}') + second
    for cut in range(len(data) + 1):
        assert read_all(data[:cut], data[cut:]) == [({"id": 1}, None), ({"id": 2}, None), ({"id": 2}, None)]


def test_framing_recovers_from_wrong_lengths():
    good = frame(b'{"id":3}')
    # Too long: the next message's header is inside the declared body.
    assert read_all(frame(b'{"id":1}', 500) + good) == [({"id": 1}, None), ({"id": 3}, None)]
    # Too short: the body runs on to the next header.
    assert read_all(frame(b'{"id":1}', 4) + good) == [({"id": 1}, None), ({"id": 3}, None)]
    # Not a number, or no length at all: skipped, with an error, and the next message read.
    for bad in (b"Content-Length: x\r\n\r\n{\"id\":1}", b"Content-Type: text/plain\r\n\r\n{\"id\":1}"):
        result = read_all(bad + good)
        assert result[-1] == ({"id": 3}, None)
        assert all(value is None and error for value, error in result[:-1]) and result[:-1]
    # Garbage between messages, and a body that is not JSON at all.
    result = read_all(b"hello\r\n" + frame(b"{nope") + good)
    assert result[-1] == ({"id": 3}, None) and all(error for _, error in result[:-1])


def test_framing_answers_a_too_long_message_without_waiting_for_more():
    framer = Framer()
    framer.feed(frame(b'{"id":1}', 100))
    assert list(framer.messages()) == [({"id": 1}, None)]


# -- incremental lint and reused encodings equal a full lint --------------------------------

SCRIPT_LINES = [
    "mod cmd UP1 times /allow 22,23,0,1 /initial 6",
    "mod cmd UP1 time /allow 3",
    "mod cmd UP1 check iresetn 2024-06-01",
    "mod cmd UP1 check iresetn 2024-06-02",
    "mod cmd UP0 prot http://10.0.0.1/fw/ iresetn 13-1234",
    "mod cmd UP0 scfg http://srv/backup/#h-#b5.txt ser WEEKLY /force 24",
    "config add CMD0 /name Caf\u00e9 /ip 10.0.0.5",
    "config write",
    "config activate",
    "# innolint: disable-next-line=UPD-002 -- staged",
    "# a comment \U0001f600",
    "",
    "iresetn",
    "reset",
    "mod\x01cmd UP1 poll",
    "mod cmd UP1 TIMES /allow 3",
]
line_edits = st.lists(st.tuples(st.sampled_from(["replace", "insert", "delete", "type"]), st.integers(0, 1000),
                                st.sampled_from(SCRIPT_LINES)), min_size=1, max_size=6)


async def _incremental(lines: list[str], newline: str, bom: bool, changes) -> None:
    from innoscript.lint import lint_script
    from innoscript.lsp.encode import DiagnosticEncoder
    from innoscript.lsp.positions import Mapper

    ls = InnoServer()
    ls.debounce = 0
    uri = "file:///tmp/innoscript-sync/update-ip232.htm"
    text = ("\ufeff" if bom else "") + "".join(line + newline for line in lines)
    server_module.did_open(ls, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", 1, text)))
    await ls.snapshot(uri, linted=True)
    version = 1
    for kind, where, new in changes:
        count = len(lines)
        row = where % (count + 1) if kind == "insert" else where % max(count, 1)
        if kind == "insert" or not lines:
            start, end, insert = (row, 0), (row, 0), new + newline
            lines.insert(row, new)
        elif kind == "delete":
            start, end, insert = (row, 0), (row + 1, 0), ""
            del lines[row]
        elif kind == "replace":
            start, end, insert = (row, 0), (row, len(lines[row].encode("utf-16-le")) // 2), new
            lines[row] = new
        else:  # type one character in the middle of a line
            col = len(lines[row]) // 2
            units = len(lines[row][:col].encode("utf-16-le")) // 2
            start, end, insert = (row, units), (row, units), "x"
            lines[row] = lines[row][:col] + "x" + lines[row][col:]
        if bom and start[0] == 0:
            start, end = (0, start[1] + 1), (end[0], end[1] + (end[0] == 0))
        version += 1
        server_module.did_change(ls, lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(*start), lsp.Position(*end)), insert)]))
        snap = await ls.snapshot(uri, linted=True)  # linted after every edit: the reuse is exercised
        text = ("\ufeff" if bom else "") + "".join(line + newline for line in lines)
        assert snap.text == text
        source = Source(text, snap.source.path)
        full = lint_script(parse(source), snap.settings)
        assert snap.diagnostics == full
        fresh = DiagnosticEncoder().encode(full, Mapper(source.lines, bom, "utf-16"), uri, ls.rule_url, lambda p: p)
        assert snap.items == fresh
    for handle in ls._pending.values():
        handle.cancel()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SCRIPT_LINES), max_size=12), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(),
       line_edits)
def test_incremental_diagnostics_equal_a_full_lint(lines, newline, bom, changes):
    asyncio.run(_incremental(list(lines), newline, bom, changes))


def test_a_failed_analysis_answers_none_instead_of_starting_again(monkeypatch):
    """An analysis that raises (a bug, MemoryError on a huge buffer) must not leave requests spinning on it."""
    calls = []

    def broken(doc, job):
        calls.append(job.generation)
        raise MemoryError("too big")

    monkeypatch.setattr(server_module, "parse_job", broken)
    real_start = InnoServer.start_job
    starts = []

    def start_job(self, doc):  # the old loop asked for the same failed job for ever
        starts.append(doc.generation)
        if len(starts) > 50:
            raise RuntimeError("the request keeps waiting on a failed analysis")
        return real_start(self, doc)

    monkeypatch.setattr(InnoServer, "start_job", start_job)

    async def request():
        ls = InnoServer()
        ls.debounce = 0
        uri = "file:///tmp/innoscript-sync/update-ip232.htm"
        server_module.did_open(ls, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", 1, "x\n")))
        try:
            return await ls.snapshot(uri, linted=True)
        finally:
            for handle in ls._pending.values():
                handle.cancel()

    assert asyncio.run(request()) is None
    assert len(calls) == 1
