"""The language server, driven by a real client over stdio (pytest-lsp)."""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from innoscript.fmt import format_text
from innoscript.lint import lint_text
from innoscript.lint.fixes import apply_fixes
from innoscript.lint.rule import find_rule
from innoscript.source import Source
from lsp_support import CONFIG, apply_text_edits, edits_of, open_doc, published, start

pytestmark = pytest.mark.asyncio

SCRIPT = """mod cmd UP1 time /allow 22,23,0,1 /initial 6
mod cmd UP1 check iresetn 2024-06-01
mod cmd UP0 prot http://fw.example.com/fw/ iresetn 13-1234
"""


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    await start(lsp_client, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def nvim(lsp_client: LanguageClient):
    await start(lsp_client, "neovim@v0.11.0")
    yield
    await lsp_client.shutdown_session()


def uri_for(tmp_path, name: str = "update-ip232.htm") -> str:
    return from_fs_path(str(tmp_path / name))


def expected(text: str, path: str):
    return [(d.code, d.span.line - 1, d.span.col - 1, d.message) for d in lint_text(text, path)]


def got(diagnostics):
    return [(d.code, d.range.start.line, d.range.start.character, d.message) for d in diagnostics]

def change(client, uri: str, version: int, edit) -> None:
    """Send one content change of a document (whole text or a range)."""
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [edit]))


async def format_document(client, uri: str):
    return await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        lsp.TextDocumentIdentifier(uri), lsp.FormattingOptions(tab_size=4, insert_spaces=True)))



# -- initialize ------------------------------------------------------------------


async def test_initialize_vscode_capabilities():
    client = CONFIG.client_factory()
    await client.start_io(*CONFIG.server_command)
    try:
        result = await start(client, "visual-studio-code")
        caps = result.capabilities
        assert caps.position_encoding in (None, lsp.PositionEncodingKind.Utf16)
        assert caps.text_document_sync.change == lsp.TextDocumentSyncKind.Incremental
        assert caps.hover_provider and caps.completion_provider and caps.document_formatting_provider
        assert caps.document_range_formatting_provider and caps.document_symbol_provider and caps.folding_range_provider
        assert "source.fixAll.innolint" in caps.code_action_provider.code_action_kinds
        assert caps.diagnostic_provider.identifier == "innolint"
        assert result.server_info.name == "innoscript"
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_initialize_neovim_negotiates_utf8():
    client = CONFIG.client_factory()
    await client.start_io(*CONFIG.server_command)
    try:
        result = await start(client, "neovim@v0.11.0")
        assert result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf8
    finally:
        await client.shutdown_session()
        await client.stop()


# -- diagnostics -----------------------------------------------------------------


async def test_open_publishes_the_linters_diagnostics(client: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    diagnostics = await published(client, uri, 1)
    assert got(diagnostics) == expected(SCRIPT, str(tmp_path / "update-ip232.htm"))
    first = diagnostics[0]
    assert first.code == "UPD-002" and first.source == "innolint"
    assert first.severity == lsp.DiagnosticSeverity.Warning
    assert first.code_description is None and find_rule("UPD-002").url is None  # no published docs address
    assert (first.range.start.character, first.range.end.character) == (12, 16)
    levels = {"ERROR": 1, "WARNING": 2, "INFO": 3, "HINT": 4}
    library = lint_text(SCRIPT, str(tmp_path / "update-ip232.htm"))
    assert [d.severity for d in diagnostics] == [levels[d.severity.name] for d in library]


async def test_related_information_and_unnecessary_tag(client: LanguageClient, tmp_path):
    text = (
        "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
        "mod cmd UP1 check iresetn 2024-06-01\n"
        "mod cmd UP1 check iresetn 2024-06-02\n"
        "reset\n"
        "config write\n"
    )
    uri = uri_for(tmp_path)
    open_doc(client, uri, text)
    diagnostics = await published(client, uri, 1)
    by_code = {d.code: d for d in diagnostics}
    second_check = by_code["UPD-032"]
    assert second_check.related_information[0].location.range.start.line == 1
    assert second_check.related_information[0].location.uri == uri
    unreachable = by_code["UPD-008"]
    assert list(unreachable.tags) == [lsp.DiagnosticTag.Unnecessary]
    assert all(d.tags is None for d in diagnostics if d.code != "UPD-008")


WIDE = "# Zürich 😀\nmod cmd UP0 prot http://10.0.0.1/fw/é😀.bin iresetn 13-1234 extra\n"
UNITS = {
    "utf-8": lambda text: len(text.encode("utf-8")),
    "utf-16": lambda text: len(text.encode("utf-16-le")) // 2,
    "utf-32": len,
}


@pytest.mark.parametrize("spec, encoding, pull", [
    ("visual-studio-code", "utf-16", False),
    ("neovim@v0.11.0", "utf-8", True),
    ("emacs", "utf-32", False),
])
async def test_positions_in_the_negotiated_encoding(spec, encoding, pull, tmp_path):
    client = CONFIG.client_factory()
    await client.start_io(*CONFIG.server_command)
    try:
        result = await start(client, spec)
        assert (result.capabilities.position_encoding or "utf-16") == encoding
        uri = uri_for(tmp_path)
        open_doc(client, uri, WIDE)
        if pull:
            report = await client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
            diagnostics = report.items
            assert not client.published  # a client that pulls is not also pushed to
        else:
            diagnostics = await published(client, uri, 1)
        lines = WIDE.splitlines()
        library = expected(WIDE, str(tmp_path / "update-ip232.htm"))
        want = [(code, line, UNITS[encoding](lines[line][:col]), message) for code, line, col, message in library]
        assert got(diagnostics) == want
        # The file is chosen so that the encodings disagree on some column.
        assert len({UNITS[e](lines[line][:col]) for e in UNITS for _, line, col, _ in library[-1:]}) == 3
        line = lines[1]
        at = UNITS[encoding](line[: line.index("iresetn")])
        hover = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, at + 2)))
        assert "final command `iresetn`" in hover.contents.value
        assert (hover.range.start.character, hover.range.end.character) == (at, at + 7)
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_rapid_edits_in_a_large_document(client: LanguageClient, tmp_path):
    lines = [
        "mod cmd UP1 times /allow 22,23,0,1 /initial 6",
        "mod cmd UP1 check iresetn 2024-06-01",
    ] + [f"config add CMD0 /name Phone%20{i} /ip 10.0.0.{i % 250}" for i in range(1998)]
    text = "\n".join(lines) + "\n"
    uri = uri_for(tmp_path, "update-ip1200.htm")
    open_doc(client, uri, text)
    await published(client, uri, 1)
    version = 1
    import random

    rnd = random.Random(7)
    for _ in range(60):
        version += 1
        row = rnd.randrange(len(lines))
        kind = rnd.choice(("type", "line", "delete", "time"))
        if kind == "type":
            col = rnd.randrange(len(lines[row]) + 1)
            edit = lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(row, col), lsp.Position(row, col)), "x")
            lines[row] = lines[row][:col] + "x" + lines[row][col:]
        elif kind == "line":
            new = "mod cmd up1 time /allow 1,2"
            edit = lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(row, 0), lsp.Position(row, 0)), new + "\n")
            lines.insert(row, new)
        elif kind == "delete" and len(lines) > 10:
            edit = lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(row, 0), lsp.Position(row + 1, 0)), "")
            del lines[row]
        else:
            edit = lsp.TextDocumentContentChangePartial(
                lsp.Range(lsp.Position(row, 0), lsp.Position(row, len(lines[row]))), "mod cmd UP1 time /allow 3")
            lines[row] = "mod cmd UP1 time /allow 3"
        change(client, uri, version, edit)
    final = "\n".join(lines) + "\n"
    diagnostics = await published(client, uri, version)
    assert got(diagnostics) == expected(final, str(tmp_path / "update-ip1200.htm"))


async def test_full_sync_change(client: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    await published(client, uri, 1)
    new = SCRIPT.replace("time ", "times ")
    change(client, uri, 2, lsp.TextDocumentContentChangeWholeDocument(new))
    diagnostics = await published(client, uri, 2)
    assert got(diagnostics) == expected(new, str(tmp_path / "update-ip232.htm"))
    assert "UPD-002" not in {d.code for d in diagnostics}


# -- settings ------------------------------------------------------------------------


async def test_editor_settings_and_config_files(client: LanguageClient, tmp_path):
    config = tmp_path / ".innolint.toml"
    config.write_text('ignore = ["UPD-002"]\n')
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    codes = {d.code for d in await published(client, uri, 1)}
    assert "UPD-002" not in codes and "UPD-015" in codes
    # The file changes: picked up on the next lint, without a restart.
    config.write_text('ignore = ["UPD-015"]\n')
    os.utime(config, ns=(1, 2_000_000_000_000_000_000))
    client.published.clear()
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        [lsp.FileEvent(from_fs_path(str(config)), lsp.FileChangeType.Changed)]))
    codes = {d.code for d in await published(client, uri)}
    assert "UPD-002" in codes and "UPD-015" not in codes
    # Editor settings are the last layer.
    client.published.clear()
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(
        {"innolint": {"select": ["UPD-002"], "targetVersion": "v9"}}))
    codes = {d.code for d in await published(client, uri)}
    assert codes == {"UPD-002"}


async def test_bad_editor_settings_are_reported_not_fatal(client: LanguageClient, tmp_path):
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(
        {"innolint": {"targetVersion": "v99", "select": ["UPD-002"]}}))
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    codes = {d.code for d in await published(client, uri, 1)}
    assert codes == {"UPD-002"}  # the good key still applies
    assert any("v99" in m.message for m in client.messages)


# -- code actions ----------------------------------------------------------------------


async def actions_at(client, uri, line, only=None):
    return await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)),
        lsp.CodeActionContext(diagnostics=[], only=only)))


async def test_quick_fix_and_suppressions(client: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    path = str(tmp_path / "update-ip232.htm")
    open_doc(client, uri, SCRIPT)
    await published(client, uri, 1)
    actions = await actions_at(client, uri, 0)
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.diagnostics[0].code == "UPD-002"
    fixed = apply_text_edits(SCRIPT, edits_of(fix, uri))
    assert fixed.splitlines()[0] == "mod cmd UP1 times /allow 22,23,0,1 /initial 6"
    assert "UPD-002" not in {d.code for d in lint_text(fixed, path)}

    next_line = next(a for a in actions if a.title.startswith("Suppress UPD-002 on the next line"))
    suppressed = apply_text_edits(SCRIPT, edits_of(next_line, uri))
    assert suppressed.splitlines()[0].startswith("# innolint: disable-next-line=UPD-002 -- ")
    assert "UPD-002" not in {d.code for d in lint_text(suppressed, path)}

    in_file = next(a for a in actions if a.title == "Suppress UPD-002 in this file")
    suppressed = apply_text_edits(SCRIPT, edits_of(in_file, uri))
    assert suppressed.splitlines()[0] == "# innolint: disable-file=UPD-002"
    assert "UPD-002" not in {d.code for d in lint_text(suppressed, path)}


async def test_fix_all(client: LanguageClient, tmp_path):
    text = "mod cmd up1 time /allow 22,23,0,1 /initial 6\nmod cmd UP1 check iresetn 2024-06-01\n"
    uri = uri_for(tmp_path)
    path = str(tmp_path / "update-ip232.htm")
    open_doc(client, uri, text)
    await published(client, uri, 1)
    actions = await actions_at(client, uri, 0, only=["source.fixAll.innolint"])
    assert [a.kind for a in actions] == ["source.fixAll.innolint"]
    fixed = apply_text_edits(text, edits_of(actions[0], uri))
    library = apply_fixes(Source(text, path), lambda s: lint_text(s.text, path)).text
    assert fixed == library != text


# -- hover -----------------------------------------------------------------------------


async def hover_at(client, uri, line, character):
    return await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character)))


async def test_hover(client: LanguageClient, tmp_path):
    text = (
        "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
        "mod cmd UP1 check iresetn 2024-06-01\n"
        "mod cmd UP0 scfg http://10.0.0.1/backup/#h-#b5.txt ser WEEKLY\n"
        "# innolint: disable-next-line=UPD-046 -- reviewed\n"
    )
    uri = uri_for(tmp_path, "update-ip72.htm")
    open_doc(client, uri, text)
    command = await hover_at(client, uri, 1, 13)
    assert "mod cmd UP1 check <final-command> <serial>" in command.contents.value
    assert "reads UPDATE/CHECK" in command.contents.value
    final = await hover_at(client, uri, 1, 20)
    assert "reset when not in use, only if a reset is required" in final.contents.value
    assert (final.range.start.character, final.range.end.character) == (18, 25)
    line = text.splitlines()[2]
    meta = await hover_at(client, uri, 2, line.index("#h") + 1)
    assert "hardware id" in meta.contents.value and "IP72-03-0d-f0" in meta.contents.value
    rolling = await hover_at(client, uri, 2, line.index("#b5") + 1)
    assert "0..4" in rolling.contents.value
    allow = await hover_at(client, uri, 0, 27)
    assert "23:00-04:59" in allow.contents.value
    rule = await hover_at(client, uri, 3, 32)
    assert "UPD-046" in rule.contents.value and find_rule("UPD-046").summary in rule.contents.value
    assert await hover_at(client, uri, 1, 40) is None  # past the end of the line


# -- completion ------------------------------------------------------------------------


async def labels(client, uri, text, line, character):
    change(client, uri, 0, lsp.TextDocumentContentChangeWholeDocument(text))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character)))
    return {item.label: item for item in result.items}


async def test_completion_slots(client: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    open_doc(client, uri, "")
    modules = await labels(client, uri, "mod cmd ", 0, 8)
    assert {"UP0", "UP1", "WLANMGR0"} <= set(modules)
    verbs = await labels(client, uri, "mod cmd UP1 ", 0, 12)
    assert {"times", "check", "poll"} <= set(verbs)
    check = verbs["check"]
    assert check.insert_text_format == lsp.InsertTextFormat.Snippet
    assert check.text_edit.new_text == "check ${1:final-command} ${2:serial}"
    finals = await labels(client, uri, "mod cmd UP1 check ir", 0, 20)
    assert {"iresetn", "ireset", "reset", "ser"} <= set(finals)
    assert finals["iresetn"].text_edit.range.start.character == 18
    options = await labels(client, uri, "mod cmd UP1 times /", 0, 19)
    assert set(options) == {"/allow", "/initial"}
    metas = await labels(client, uri, "mod cmd UP0 scfg http://x/backup/#", 0, 34)
    assert {"#h", "#m", "#b5"} <= set(metas)
    assert metas["#b5"].text_edit.new_text == "#b${1:5}"
    assert await labels(client, uri, "mod cmd UP0 prot http://x/fw/#", 0, 30) == {}  # not expanded there
    up1_url = await labels(client, uri, "config add UP1 /url http://x/#", 0, 30)
    assert "#m" in up1_url
    rules = await labels(client, uri, "# innolint: disable-next-line=UPD-0", 0, 35)
    assert "UPD-046" in rules and rules["UPD-046"].text_edit.range.start.character == 30
    start = await labels(client, uri, "", 0, 0)
    assert {"mod cmd", "config", "vars", "iresetn"} <= set(start)


# -- formatting and outline --------------------------------------------------------------


async def test_formatting(client: LanguageClient, tmp_path):
    text = "mod  cmd up1 check  iresetn 2024-06-01\n#  comment\nconfig   write\n"
    uri = uri_for(tmp_path)
    open_doc(client, uri, text)
    edits = await format_document(client, uri)
    formatted = format_text(text, str(tmp_path / "update-ip232.htm"))
    assert formatted != text
    assert apply_text_edits(text, edits) == formatted
    ranged = await client.text_document_range_formatting_async(lsp.DocumentRangeFormattingParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(2, 0), lsp.Position(2, 3)),
        lsp.FormattingOptions(tab_size=4, insert_spaces=True)))
    result = apply_text_edits(text, ranged)
    assert result.splitlines()[0] == text.splitlines()[0]
    assert result.splitlines()[2] == formatted.splitlines()[2]


async def test_symbols_and_folding(client: LanguageClient, tmp_path):
    text = (
        "# site rollout\n# phones only\n"
        "mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6\n"
        "mod cmd UP0 scfg http://10.0.0.1/backup/#h.txt\n"
        "mod cmd UP1 check iresetn 2024-06-01\n"
        "mod cmd UP0 prot http://10.0.0.1/fw/ip232.bin iresetn 13-1234\n"
        "config add CMD0 /name a\nconfig add CMD0 /name b\nconfig write\n"
    )
    uri = uri_for(tmp_path)
    open_doc(client, uri, text)
    symbols = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri)))
    assert [(s.name, s.range.start.line, s.range.end.line) for s in symbols] == [
        ("times", 2, 2), ("backup", 3, 3), ("check 2024-06-01", 4, 4), ("prot 13-1234", 5, 5), ("config", 6, 8)]
    assert symbols[0].detail.startswith("23:00-04:59")
    folds = await client.text_document_folding_range_async(lsp.FoldingRangeParams(lsp.TextDocumentIdentifier(uri)))
    assert [(f.start_line, f.end_line, f.kind) for f in folds] == [(0, 1, "comment"), (6, 8, "region")]


# -- robustness ---------------------------------------------------------------------------


async def test_malformed_requests_do_not_kill_the_server(client: LanguageClient, tmp_path):
    unknown = lsp.TextDocumentIdentifier("file:///nowhere/update-ip232.htm")
    assert await client.text_document_hover_async(lsp.HoverParams(unknown, lsp.Position(0, 0))) is None
    assert await client.text_document_formatting_async(
        lsp.DocumentFormattingParams(unknown, lsp.FormattingOptions(tab_size=4, insert_spaces=True))) is None
    # A URI that is not a file, and one that is not a URI at all.
    for uri in ("untitled:Untitled-1", "not a uri %%"):
        open_doc(client, uri, SCRIPT)
        assert "UPD-002" in {d.code for d in await published(client, uri, 1)}
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    await published(client, uri, 1)
    far = lsp.Position(10_000, 10_000)
    assert await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), far)) is None
    completion = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), far))
    assert completion is None or completion.items == []
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(far, far), lsp.CodeActionContext(diagnostics=[])))
    assert actions == [] or all(a.kind == "source.fixAll.innolint" for a in actions)
    # A change for a document that was never opened is ignored.
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=unknown.uri, version=3), [lsp.TextDocumentContentChangeWholeDocument("x")]))
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 20)))
    assert "iresetn" in hover.contents.value


async def test_pulled_diagnostics_follow_edits(nvim: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    path = str(tmp_path / "update-ip232.htm")
    open_doc(nvim, uri, SCRIPT)

    async def pull():
        report = await nvim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
        return got(report.items)

    assert await pull() == expected(SCRIPT, path)
    change(nvim, uri, 2, lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(0, 12), lsp.Position(0, 16)), "times"))
    fixed = SCRIPT.replace("time ", "times ", 1)
    assert await pull() == expected(fixed, path)
    assert "UPD-015" in {d[0] for d in expected(fixed, path)}
    nvim.workspace_did_change_configuration(lsp.DidChangeConfigurationParams({"innolint": {"ignore": ["UPD-015"]}}))
    assert await pull() == [d for d in expected(fixed, path) if d[0] != "UPD-015"]
    assert not nvim.published


async def test_code_actions_right_after_an_edit_use_the_new_text(client: LanguageClient, tmp_path):
    uri = uri_for(tmp_path)
    open_doc(client, uri, SCRIPT)
    await published(client, uri, 1)
    # A line inserted above; the code action request arrives before any new publish.
    change(client, uri, 2,
           lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), "# header\n"))
    text = "# header\n" + SCRIPT
    actions = await actions_at(client, uri, 1)
    fix = next(a for a in actions if a.is_preferred)
    assert apply_text_edits(text, edits_of(fix, uri)).splitlines()[1] == "mod cmd UP1 times /allow 22,23,0,1 /initial 6"


async def test_semantic_tokens(client: LanguageClient, tmp_path):
    from innoscript.lsp.tokens import TYPES

    text = "# note\nmod cmd UP0 scfg http://s/#h-#b5.txt ser WEEKLY /force 24\niresetn\nconfig add UP1 /url http://s/#m/\n"
    uri = uri_for(tmp_path)
    open_doc(client, uri, text)
    result = await client.text_document_semantic_tokens_full_async(lsp.SemanticTokensParams(lsp.TextDocumentIdentifier(uri)))
    decoded, line, start = [], 0, 0
    data = list(result.data)
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index : index + 5]
        line += delta_line
        start = start + delta_start if delta_line == 0 else delta_start
        decoded.append((text.splitlines()[line][start : start + length], TYPES[kind]))
    assert decoded == [
        ("# note", "comment"),
        ("mod", "keyword"), ("cmd", "keyword"), ("UP0", "namespace"), ("scfg", "function"),
        ("http://s/", "string"), ("#h", "macro"), ("-", "string"), ("#b5", "macro"), (".txt", "string"),
        ("ser", "enumMember"), ("WEEKLY", "number"), ("/force", "parameter"), ("24", "number"),
        ("iresetn", "enumMember"),
        ("config", "keyword"), ("add", "function"), ("UP1", "namespace"), ("/url", "parameter"),
        ("http://s/", "string"), ("#m", "macro"), ("/", "string"),
    ]


# -- the server's text is the editor's -------------------------------------------------


async def test_edits_after_line_separators_land_on_the_editors_line(client: LanguageClient, tmp_path):
    # Python's splitlines breaks at U+2028, U+0085, VT, FF and U+001E; editors do not.
    text = ("# note\u2028more\x85even\x0bmore\x0cstill\x1eend\n"
            "mod cmd UP1 times /allow 3 /initial 6\n"
            "mod cmd UP1 check iresetn 2024-06-01\n")
    uri = uri_for(tmp_path)
    path = str(tmp_path / "update-ip232.htm")
    open_doc(client, uri, text)
    await published(client, uri, 1)
    change(client, uri, 2, lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(1, 12), lsp.Position(1, 17)), "TIME"))
    edited = text.replace("times /allow", "TIME /allow")
    diagnostics = await published(client, uri, 2)
    assert got(diagnostics) == expected(edited, path)
    assert "UPD-001" in {d.code for d in diagnostics}
    edits = await format_document(client, uri)
    assert apply_text_edits(edited, edits) == format_text(edited)


async def test_a_leading_bom_does_not_shift_first_line_columns(client: LanguageClient, tmp_path):
    text = "\ufeffmod cmd UP1 time /allow 3\n"
    uri = uri_for(tmp_path)
    open_doc(client, uri, text)
    diagnostics = await published(client, uri, 1)
    alias = next(d for d in diagnostics if d.code == "UPD-002")
    assert (alias.range.start.character, alias.range.end.character) == (13, 17)  # the BOM is column 0
    actions = await actions_at(client, uri, 0)
    fix = next(a for a in actions if a.diagnostics[0].code == "UPD-002" and a.is_preferred)
    # It once gave `mod cmd UP1timese /allow 3`.
    assert apply_text_edits(text, edits_of(fix, uri)) == "\ufeffmod cmd UP1 times /allow 3\n"
    hover = await hover_at(client, uri, 0, 14)  # the command's hover spans the line after the BOM
    assert (hover.range.start.character, hover.range.end.character) == (1, len(text) - 1)
    spaced = "\ufeffmod  cmd UP1 times   /allow 3\n"
    change(client, uri, 2, lsp.TextDocumentContentChangeWholeDocument(spaced))
    edits = await format_document(client, uri)
    assert apply_text_edits(spaced, edits) == "\ufeff" + format_text(spaced)


async def test_cr_only_document_with_edits(client: LanguageClient, tmp_path):
    text = "mod cmd UP1 times /allow 3 /initial 6\rmod cmd UP1 check iresetn 2024-06-01\r"
    uri = uri_for(tmp_path)
    path = str(tmp_path / "update-ip232.htm")
    open_doc(client, uri, text)
    await published(client, uri, 1)
    # A CR-only line ending meets an LF typed after it: one CRLF, one line fewer.
    change(client, uri, 2,
           lsp.TextDocumentContentChangePartial(lsp.Range(lsp.Position(1, 0), lsp.Position(1, 0)), "\nmod cmd UP1 TIME\r"))
    edited = text.replace("\r", "\r\nmod cmd UP1 TIME\r", 1)
    diagnostics = await published(client, uri, 2)
    assert got(diagnostics) == expected(edited, path)


# -- work off the message loop ------------------------------------------------------------


async def test_requests_are_answered_while_a_huge_document_is_linted(client: LanguageClient, tmp_path):
    big = uri_for(tmp_path, "update-ip1200.htm")
    open_doc(client, big, "\r" * 300_000)  # 300,000 empty lines: seconds of work
    small = uri_for(tmp_path)
    open_doc(client, small, SCRIPT)
    hover = await hover_at(client, small, 1, 20)
    assert "iresetn" in hover.contents.value
    assert got(await published(client, small, 1)) == expected(SCRIPT, str(tmp_path / "update-ip232.htm"))
    assert not any(p.uri == big for p in client.published)  # still at work on it, and yet we were answered
    # An edit supersedes the work on the old text: only the new text's findings are published.
    change(client, big, 2, lsp.TextDocumentContentChangeWholeDocument("mod cmd UP1 time /allow 3\n"))
    diagnostics = await published(client, big, 2)
    assert got(diagnostics) == expected("mod cmd UP1 time /allow 3\n", str(tmp_path / "update-ip1200.htm"))
    assert [p.version for p in client.published if p.uri == big] == [2]
