"""The language server's library-side pieces, without an editor."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from innoscript import catalog
from innoscript.lsp import positions
from innoscript.lsp.completion import complete
from innoscript.lsp.document import Document
from innoscript.lsp.hover import hours_in_words, hover
from innoscript.lsp.outline import folding_ranges
from innoscript.lsp.settings import SettingsResolver, client_overrides, kebab
from innoscript.source import Source
from innoscript.syntax import parse, parse_line

LINES = [
    "mod cmd UP1 times /allow 22,23,0,1 /initial 6",
    "mod cmd UP1 check iresetn 2024-06-01",
    "mod cmd UP0 prot http://10.0.0.1/fw/ iresetn 13-1234",
    "mod cmd UP0 scfg http://srv/backup/#h-#b5.txt ser WEEKLY /force 24",
    "config add CMD0 /name Caf\u00e9 /ip 10.0.0.5",
    "# innolint: disable-next-line=UPD-025 -- staged",
    "# a comment \U0001f600",
    "",
    "iresetn",
    "vars create UPDATE/X p 1",
    "mod\x01cmd UP1 poll",
    "mod cmd WLANMGR0 activate-pwr",
]

edit = st.tuples(
    st.integers(0, 10_000),  # where (modulo the text length)
    st.integers(0, 40),  # how many characters to remove
    st.sampled_from(["", "x", "\n", "\r\n", " /allow 1", "\nmod cmd UP1 time\n", "#", "\u00e9", "\U0001f600", "\r"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=30), st.sampled_from(["\n", "\r\n"]), st.lists(edit, max_size=8))
def test_incremental_parse_equals_a_fresh_parse(lines, newline, edits):
    text = newline.join(lines) + newline
    doc = Document("file:///x.htm", "/x.htm", text)
    for where, remove, insert in edits:
        at = where % (len(text) + 1)
        text = text[:at] + insert + text[at + remove :]
        doc.update(text)
        assert doc.script.lines == parse(Source(text, "/x.htm")).lines
        assert doc.script.to_text() == text


def test_update_parses_only_the_changed_line():
    text = "\n".join(LINES * 20) + "\n"
    doc = Document("file:///x.htm", "/x.htm", text)
    changed = text.replace("vars create UPDATE/X p 1", "vars create UPDATE/X p 2", 1)
    assert changed != text
    doc.update(changed)
    assert doc.reparsed == 1
    assert doc.script.lines == parse(Source(changed, "/x.htm")).lines
    doc.update(changed.replace("iresetn\n", "iresetn\n\n", 1))  # a line inserted: the lines below move
    assert doc.reparsed == 3  # the new line and the two whose line endings it stands between
    assert doc.script.lines == parse(Source(doc.text, "/x.htm")).lines
    assert doc.script.filled == parse(Source(doc.text, "/x.htm")).filled


def test_a_placed_line_equals_parsing_it_at_the_new_place():
    from innoscript.syntax import parse_line

    for text in LINES:
        node = parse_line(text, 3, 40, "\n")
        moved = node.placed(5, 57)
        assert moved == parse_line(text, 5, 57, "\n")
        assert [moved.at(t) for t in moved.tokens] == [parse_line(text, 5, 57, "\n").at(t) for t in moved.tokens]
        assert moved.tokens is node.tokens  # the parse is shared, only the position differs


def test_position_units():
    line = "a\u00e9\U0001f600b"
    assert [positions.units(line, n, positions.UTF16) for n in range(5)] == [0, 1, 2, 4, 5]
    assert [positions.units(line, n, positions.UTF8) for n in range(5)] == [0, 1, 3, 7, 8]
    assert [positions.units(line, n, positions.UTF32) for n in range(5)] == [0, 1, 2, 3, 4]
    for encoding in (positions.UTF8, positions.UTF16, positions.UTF32):
        for n in range(5):
            assert positions.chars(line, positions.units(line, n, encoding), encoding) == n
    assert positions.chars(line, 3, positions.UTF16) == 3  # inside the surrogate pair: after it
    assert positions.chars(line, 999, positions.UTF8) == 4
    assert positions.chars("abc", 99, positions.UTF16) == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab \u00e9\u20ac\U0001f600\t"), max_size=12), min_size=1, max_size=4),
       st.booleans())
def test_a_mappers_positions_count_as_units_does(texts, bom):
    """The mapper counts a line that is not ASCII once, into a table; each position is ``units``'s."""
    from types import SimpleNamespace

    lines = [SimpleNamespace(text=text, newline="\n") for text in texts]
    for encoding in (positions.UTF8, positions.UTF16, positions.UTF32):
        mapper = positions.Mapper(lines, bom, encoding)
        shift = positions.BOM_UNITS[encoding] if bom else 0
        for _ in range(2):  # the second round reads the tables the first one made
            for index, text in enumerate(texts):
                for column in range(-1, len(text) + 3):
                    expected = positions.units(text, column, encoding) + (shift if index == 0 else 0)
                    assert mapper.units(index, column) == expected
                    if 0 <= column <= len(text):
                        assert mapper.position(index + 1, column + 1) == (index, expected)


def test_utf16_agrees_with_source():
    source = Source("x\U0001f600y\u00e9z\n")
    text = source.lines[0].text
    for col in range(1, len(text) + 2):
        assert positions.units(text, col - 1, positions.UTF16) == source.utf16_col(1, col)


def test_hours_in_words():
    def words(hours: str) -> str:
        return hours_in_words(parse_line(f"mod cmd UP1 times /allow {hours}").allow.parsed)

    assert words("23,0,1,2,3,4") == "23:00-04:59"
    assert words("1,2,3,22") == "01:00-03:59, 22:00-22:59"
    assert words(",".join(str(h) for h in range(24))) == "every hour (00:00-23:59)"
    # A list the device cannot read restricts nothing: the interpreter logs an error and runs on.
    assert "`24` is not an hour 0-23" in words("23,24") and words("23,24").startswith("any hour")
    assert "`²` is not an hour" in words("2,\u00b2")


def test_hover_directly():
    script = parse("mod cmd UP0 prot http://srv/fw/#h.bin iresetn 1\nconfig add UP1 /url http://srv/#m/\n", "update-ip232.htm")
    text, span = hover(script, 0, 32)
    assert "not expanded here" in text and span.col == 32
    text, _ = hover(script, 1, 32)
    assert "MAC address" in text
    text, span = hover(script, 1, 8)  # `add`
    assert catalog.CONFIG_VERBS["add"].doc in text
    assert hover(script, 5, 0) is None


def test_completion_slots_directly():
    labels = lambda text, col=None: [i.label for i in complete(text, len(text) if col is None else col)]  # noqa: E731
    assert labels("mod ") == ["cmd"]
    assert labels("mod cmd WLANMGR0 ") == ["activate-pwr", "deactivate-pwr"]
    assert labels("mod cmd UP1 times /allow ")[:1] == ["22,23,0,1,2,3,4"]
    assert labels("mod cmd UP1 times /allow 1 /") == ["/initial"]
    assert labels("mod cmd UP0 prot http://x/ ") == list(catalog.FINAL_COMMANDS)
    assert labels("mod cmd UP0 prot http://x/ iresetn ") == []  # the serial is the author's
    assert labels("config ") == list(catalog.CONFIG_VERBS)
    assert labels("vars ") == list(catalog.VARS_VERBS)
    assert labels("# innolint: dis") == ["disable-next-line", "disable", "enable", "disable-file"]
    assert "UPD-002" in labels("# innolint: disable=UPD-001,")
    assert labels("# just a comment ") == []
    assert labels("mod cmd UP1 check iresetn 2024", 18) != []  # the cursor decides, not the rest of the line


def test_outline_folds_comment_and_config_blocks():
    script = parse("# a\n# b\nconfig write\nconfig activate\n# c\niresetn\n")
    assert folding_ranges(script) == [(0, 1, "comment"), (2, 3, "region")]


def test_client_settings():
    assert kebab("targetVersion") == "target-version"
    assert kebab("require_reason") == "require-reason"
    values, problems = client_overrides({"targetVersion": "V9", "model": "ip72", "select": ["UPD-002"], "bogus": 1})
    assert values == {"target-version": "v9", "model": "IP72", "select": ("UPD-002",)}
    assert len(problems) == 1 and "bogus" in problems[0]
    assert client_overrides("nonsense")[0] == {}


def test_config_file_edits_are_seen_without_notification(tmp_path):
    import os

    config = tmp_path / ".innolint.toml"
    config.write_text('target-version = "v8"\n')
    resolver = SettingsResolver()
    path = str(tmp_path / "update-ip232.htm")
    assert resolver.settings_for(path)[0].target_version == "v8"
    config.write_text('target-version = "v12r1"\n')
    os.utime(config, ns=(1, 3_000_000_000_000_000_000))
    assert resolver.settings_for(path)[0].target_version == "v12r1"
    config.write_text("target-version = [\n")
    os.utime(config, ns=(1, 4_000_000_000_000_000_000))
    settings, problem = resolver.settings_for(path)
    assert problem and "not valid TOML" in problem
    resolver.overrides = {"model": "IP72"}
    config.unlink()
    assert resolver.settings_for(path)[0].model == "IP72"


def test_the_next_version_reads_the_placed_lines_while_another_thread_places_more():
    """The server's loop places lines of the current version (hover, outline) while a
    worker hands its placed lines over to the next version: that must never fail."""
    import threading

    text = "".join(f"config add CMD0 /n{number}\n" for number in range(60_000))
    for _ in range(3):
        script = parse(Source(text, "/x.htm"))
        done = threading.Event()

        def place() -> None:
            for number in range(1, len(script.shapes) + 1):
                script.line(number)
            done.set()

        thread = threading.Thread(target=place)
        thread.start()
        try:
            while not done.is_set():
                script.placed_nodes(10, 20)  # raised "dictionary changed size during iteration"
        finally:
            thread.join()
        kept = script.placed_nodes(10, 20)
        assert len(kept) == len(script.shapes) - 10 and kept[0] is script.line(1)


def test_a_finding_above_an_edit_is_encoded_again_when_its_related_place_is_on_the_edited_line():
    """An equal finding whose related place stands on a changed line: columns in UTF-16 moved."""
    from innoscript.lint.diagnostic import Diagnostic, Related, Severity
    from innoscript.lsp.encode import DiagnosticEncoder
    from innoscript.lsp.positions import Mapper

    def encoded(encoder, text):
        source = Source(text, "/x.htm")
        script = parse(source)
        related = Related(source.span(text.index("abc"), text.index("abc") + 3), "the first one")
        finding = Diagnostic("UPD-032", "second-check", Severity.WARNING, "second", "/x.htm", source.span(0, 3),
                             related=(related,))
        mapper = Mapper(script.shapes, False, positions.UTF16)
        return encoder.encode([finding], mapper, "file:///x.htm", lambda code: None, lambda path: path)

    before, after = "one\ntwo\nxx abc\n", "one\ntwo\n\U0001f600x abc\n"  # the same offsets, other UTF-16 columns
    encoder = DiagnosticEncoder()
    first = encoded(encoder, before)
    again = encoded(encoder, after)
    assert again == encoded(DiagnosticEncoder(), after) and again != first
    assert '"character":4' in again[0]  # the emoji counts two code units


@pytest.mark.parametrize("version", [None, 7])
def test_the_publish_message_is_framed_json_with_its_length_in_bytes(version):
    """One piece, header and body: the length counts bytes, and the body reads back as the
    notification, whatever the document's name or the findings' text."""
    import json

    from innoscript.lsp.encode import _dumps, publish_message

    uri = "file:///sites/M\u00fcnchen/\U0001f600 update.htm"
    items = [_dumps({"message": "\u00e4\u4e2d\U0001f600 \"quoted\" \\", "code": "UPD-001"}), _dumps({"message": "two"})]
    message = b"".join(publish_message(uri, version, items * 100))
    header, _, body = message.partition(b"\r\n\r\n")
    assert header == b"Content-Length: %d" % len(body)
    expected = {"uri": uri, "diagnostics": [json.loads(item) for item in items * 100]}
    if version is not None:
        expected["version"] = version
    assert json.loads(body) == {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": expected}
    empty = b"".join(publish_message(uri, version, []))
    assert empty.endswith(b'"diagnostics":[]}}') and json.loads(empty.partition(b"\r\n\r\n")[2])


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_message_in_pieces_reaches_the_writer_whole_and_in_order(asynchronous):
    """The server writes a notification's pieces one after another, to a writer that
    writes at once (stdio, TCP) or one that returns something to await."""
    import asyncio

    from innoscript.lsp.server import InnoServer

    written: list[bytes] = []

    class Writer:
        def write(self, data: bytes):
            if not asynchronous:
                written.append(data)
                return None

            async def later() -> None:
                await asyncio.sleep(0)
                written.append(data)

            return later()

    async def send() -> None:
        server = InnoServer()
        server.protocol.set_writer(Writer())
        server.protocol.send_message([b"one", b"two", b"three"])
        for _ in range(10):
            await asyncio.sleep(0)

    asyncio.run(send())
    assert written == [b"one", b"two", b"three"]


@pytest.mark.parametrize("before, after", [("\ufeff\ufeffI", "\ufeffI"), ("\ufeffI", "I"), ("I", "\ufeffI"),
                                           ("\ufeff\ufeff", "\ufeff")])
def test_an_edit_of_a_leading_feff_is_seen_whatever_follows(before, after):
    """The editor's text with its first U+FEFF deleted can equal the old source's text (the
    BOM dropped, a second U+FEFF kept as content): it is a new text all the same."""
    document = Document("file:///x.htm", "/x.htm", before)
    document.update(after, 2)
    expected = Source(after, "/x.htm")
    assert (document.source.text, document.source.bom) == (expected.text, expected.bom)
    assert document.script.to_text() == expected.text
