"""Helpers shared by the language-server tests (not a test module)."""

from __future__ import annotations

import asyncio
import sys

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

SERVER = [sys.executable, "-m", "innoscript", "lsp"]
WAIT = 60  # seconds: a bound for a hung server, not a performance assertion


def _publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)
    client.published_event.set()


def make_client() -> LanguageClient:
    """The pytest-lsp client, also keeping every publish with its version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.published_event = asyncio.Event()
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish})
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


async def start(client: LanguageClient, spec: str, root: str | None = None, options=None) -> lsp.InitializeResult:
    params = lsp.InitializeParams(capabilities=client_capabilities(spec), initialization_options=options)
    if root is not None:
        from pygls.uris import from_fs_path

        params.root_uri = from_fs_path(root)
    return await client.initialize_session(params)


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", version, text)))


async def published(client: LanguageClient, uri: str, version: int | None = None) -> list[lsp.Diagnostic]:
    """Wait for the diagnostics the server pushes for ``uri`` (at ``version``)."""

    async def wait():
        while True:
            for params in reversed(client.published):
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            client.published_event.clear()
            await client.published_event.wait()

    return await asyncio.wait_for(wait(), WAIT)


def apply_text_edits(text: str, edits, encoding: str = "utf-16") -> str:
    """Apply LSP TextEdits to ``text`` the way an editor does (only CR, LF and CRLF end lines)."""
    import re

    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def width(ch: str) -> int:
        if encoding == "utf-8":
            return len(ch.encode("utf-8"))
        if encoding == "utf-32":
            return 1
        return 2 if ord(ch) > 0xFFFF else 1

    def offset(position: lsp.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        content = lines[position.line].rstrip("\r\n")
        units = 0
        for index, ch in enumerate(content):
            if units >= position.character:
                return starts[position.line] + index
            units += width(ch)
        return starts[position.line] + len(content)

    resolved = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), key=lambda r: r[:2], reverse=True)
    for start, end, new in resolved:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: lsp.CodeAction, uri: str) -> list[lsp.TextEdit]:
    edit = action.edit
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list(edit.changes[uri])
