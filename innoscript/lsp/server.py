"""The language server: pygls wiring over the library.

Everything the server says comes from the library (parser, linter, catalogue,
formatter); this module converts between the editor protocol and those
results.

The message loop keeps each document's text exactly as the editor has it
(``buffer.TextBuffer``: the protocol's line model, not Python's); parsing and
linting run on worker threads (``analysis``), and a newer edit abandons work
on an older text.  Requests wait, without blocking the loop, for the parse
or lint of the text they were sent for.  Messages are read by ``framing``,
which recovers from a wrong ``Content-Length`` instead of losing the stream.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import sys
import threading
from functools import partial
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from .. import __version__
from ..lint import Severity, lint_script
from ..lint.session import lint_document
from ..lint.diagnostic import Diagnostic, Edit
from ..lint.rule import find_rule
from ..source import Source, Span
from ..syntax import parse
from . import actions, completion, hover, outline, positions, tokens
from .analysis import DaemonPool, Job, OpenDocument, Snapshot, Stale, parse_job, stale_check
from .encode import SOURCE, publish_message
from .framing import read_messages
from .settings import SettingsResolver, client_overrides

log = logging.getLogger(__name__)

FIX_ALL_KIND = f"{lsp.CodeActionKind.SourceFixAll.value}.innolint"
SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}
COMPLETION_KIND = {
    "keyword": lsp.CompletionItemKind.Keyword,
    "module": lsp.CompletionItemKind.Module,
    "function": lsp.CompletionItemKind.Function,
    "value": lsp.CompletionItemKind.Value,
    "option": lsp.CompletionItemKind.Property,
    "constant": lsp.CompletionItemKind.Constant,
    "rule": lsp.CompletionItemKind.Reference,
}
SYMBOL_KIND = {
    "event": lsp.SymbolKind.Event,
    "key": lsp.SymbolKind.Key,
    "package": lsp.SymbolKind.Package,
    "file": lsp.SymbolKind.File,
    "namespace": lsp.SymbolKind.Namespace,
}
PARSE_ERROR = -32700
READ_SIZE = 1 << 16


async def _write_after(pending, writer, pieces: list[bytes]) -> None:
    await pending
    for piece in pieces:
        result = writer.write(piece)
        if inspect.isawaitable(result):
            await result


class InnoProtocol(LanguageServerProtocol):
    """pygls' protocol, with the server keeping the documents' text itself.

    pygls' own document store splits lines with ``str.splitlines``, which
    disagrees with the editor's line model, and would copy every edit a
    second time; the server's ``TextBuffer`` replaces it.
    """

    def structure_message(self, data: dict[str, Any]):
        """Answers a request whose parameters cannot be read with an error.

        Without this, such a request is dropped and the client waits forever.
        """
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "method" in data and isinstance(data.get("id"), (int, str)):
                self._send_response(data["id"], error=exc.to_response_error())
            raise

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: lsp.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: lsp.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    def send_message(self, pieces: list[bytes]) -> None:
        """A message already framed, in pieces written in order (see encode.publish_message)."""
        writer = self.writer
        if writer is None:
            return
        for index, piece in enumerate(pieces):
            result = writer.write(piece)
            if inspect.isawaitable(result):  # an asynchronous writer: the rest after this piece, in order
                asyncio.ensure_future(_write_after(result, writer, pieces[index + 1 :]))
                return

    def receive(self, value: object) -> None:
        """Handle one decoded message (as pygls' reader would)."""
        if not isinstance(value, dict):
            self.framing_error("a message that is not a JSON object was skipped")
            return
        try:
            self.handle_message(self.structure_message(value))
        except Exception:  # noqa: BLE001 - one bad message must not end the loop
            log.exception("unable to handle a message")

    def framing_error(self, message: str) -> None:
        """A JSON-RPC parse error (id null): the client learns that something was lost."""
        log.warning("%s", message)
        self._send_data({"jsonrpc": "2.0", "id": None, "error": {"code": PARSE_ERROR, "message": message}})


class InnoServer(LanguageServer):
    # Edits typed in a burst are linted once, this long after the last one
    # (seconds).  Requests do not wait for it: they start the work at once.
    debounce = 0.05
    workers = 4

    def __init__(self) -> None:
        super().__init__(
            "innoscript", __version__, protocol_cls=InnoProtocol, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.documents: dict[str, OpenDocument] = {}
        self.resolver = SettingsResolver()
        self._resolver_lock = threading.Lock()
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._config_problems: tuple[str, ...] = ()
        self._rule_urls: dict[str, str | None] = {}
        self._pool: DaemonPool | None = None

    # -- transport

    def start_io(self, stdin=None, stdout=None) -> None:
        """Serve over stdio, reading with ``framing`` (it survives bad headers)."""
        from pygls.io_ import StdoutWriter

        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            # The file descriptor, not the buffered stream: a daemon thread
            # blocked inside the stream's lock makes the interpreter abort at exit.
            descriptor = stdin.fileno()
            read1 = partial(os.read, descriptor)
        except (AttributeError, OSError, ValueError):  # not a real file (a test's stream)
            read1 = getattr(stdin, "read1", None) or stdin.read

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            chunks: asyncio.Queue[bytes] = asyncio.Queue()

            def pump() -> None:  # a daemon thread: a blocked read never keeps the process alive
                while True:
                    try:
                        data = read1(READ_SIZE)
                    except (OSError, ValueError):
                        data = b""
                    try:
                        loop.call_soon_threadsafe(chunks.put_nowait, data)
                    except RuntimeError:
                        return
                    if not data:
                        return

            threading.Thread(target=pump, name="innolint-stdin", daemon=True).start()
            await read_messages(chunks.get, self.protocol.receive, self.protocol.framing_error, self._stop_event.is_set)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("connection to the client lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        self._stop_event = stop = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            await read_messages(lambda: reader.read(READ_SIZE), self.protocol.receive, self.protocol.framing_error,
                                stop.is_set)
            self.shutdown()

        async def serve() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(serve())
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
            pass
        finally:
            self.shutdown()

    # -- client facts

    @property
    def encoding(self) -> str:
        try:
            value = self.workspace.position_encoding
        except RuntimeError:  # before initialize
            return positions.UTF16
        return str(getattr(value, "value", value) or positions.UTF16).lower()

    def client_has(self, path: str) -> bool:
        """True when the client capability at dotted ``path`` is set and truthy."""
        node: Any = getattr(self.protocol, "client_capabilities", None)
        for part in path.split("."):
            node = getattr(node, part, None)
            if node is None:
                return False
        return bool(node)

    @property
    def pull_diagnostics(self) -> bool:
        return self.client_has("text_document.diagnostic")

    # -- work off the loop

    @property
    def pool(self) -> DaemonPool:
        if self._pool is None:
            self._pool = DaemonPool(self.workers)
        return self._pool

    def start_job(self, doc: OpenDocument) -> Job:
        """The job for the document's current text, started if it is not yet."""
        job = doc.job
        if job is not None and job.generation == doc.generation:
            return job
        loop = asyncio.get_running_loop()
        new = doc.job = Job(doc, self.encoding, loop)
        loop.create_task(self._run(doc, new, job))
        return new

    async def _run(self, doc: OpenDocument, job: Job, previous: Job | None) -> None:
        try:
            if previous is not None:
                await previous.done  # one job per document at a time; a stale one stops at its next check
            if doc.generation != job.generation or doc.closed:
                raise Stale()
            loop = asyncio.get_running_loop()
            snapshot = await self.pool.run(self._analyze, doc, job, loop)
            if snapshot.problem and snapshot.problem not in self._config_problems:
                self._config_problems += (snapshot.problem,)
                self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, f"innolint: {snapshot.problem}"))
            if doc.linted is None or doc.linted.generation < job.generation:
                doc.linted = snapshot
            job.settle(job.linted, snapshot)
            if not self.pull_diagnostics and doc.current(snapshot) and self.documents.get(doc.uri) is doc:
                self.protocol.send_message(publish_message(doc.uri, snapshot.version, snapshot.items))
        except Stale:
            pass
        except Exception:  # a crash in the analysis must not take the server down
            log.exception("analysis failed for %s", doc.uri)
        finally:
            job.settle(job.parsed, None)
            job.settle(job.linted, None)
            job.settle(job.done, None)

    def _analyze(self, doc: OpenDocument, job: Job, loop: asyncio.AbstractEventLoop) -> Snapshot:
        """Worker thread: parse (published at once for requests), then lint and encode."""
        parsed = parse_job(doc, job)
        loop.call_soon_threadsafe(self._parsed, doc, job, parsed)
        check = stale_check(doc, job)
        with self._resolver_lock:
            settings, problem = self.resolver.settings_for(doc.path)
        try:
            # Line rules run again on changed lines only; the rest of the lint in full.
            diagnostics = lint_document(parsed.script, settings, doc.linter, check)
        except Stale:
            raise  # a newer edit came: this lint stops where it is
        except Exception:  # a crash in a rule must not take the server down
            log.exception("lint failed for %s", doc.uri)
            diagnostics = []
        check()
        items = doc.encoder.encode(diagnostics, parsed.mapper(), doc.uri, self.rule_url, _uri, check)
        return parsed.linted(diagnostics, settings, items, problem)

    @staticmethod
    def _parsed(doc: OpenDocument, job: Job, snapshot: Snapshot) -> None:
        if doc.parsed is None or doc.parsed.generation < snapshot.generation:
            doc.parsed = snapshot
        job.settle(job.parsed, snapshot)

    async def snapshot(self, uri: str, linted: bool = False) -> Snapshot | None:
        """The parse (or lint) of the document's current text; None when it is not open."""
        while True:
            doc = self.documents.get(uri)
            if doc is None:
                return None
            found = doc.linted if linted else (doc.parsed if doc.current(doc.parsed) else doc.linted)
            if doc.current(found):
                return found
            job = self.start_job(doc)
            result = await asyncio.shield(job.linted if linted else job.parsed)
            if result is not None and doc.current(result):
                return result
            if result is None and doc.generation == job.generation and not doc.closed:
                return None  # the analysis of this very text failed (logged): starting it again would spin

    def schedule(self, uri: str) -> None:
        """Lint soon: edits that arrive together are linted once, on the last text."""
        if self.pull_diagnostics:
            return
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(self.debounce, self._kick, uri)

    def _kick(self, uri: str) -> None:
        self._pending.pop(uri, None)
        doc = self.documents.get(uri)
        if doc is not None:
            self.start_job(doc)

    def relint_all(self) -> None:
        for doc in self.documents.values():
            doc.edited()  # new settings: code actions must not use old findings
        if self.pull_diagnostics:
            if self.client_has("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.documents):
            self.schedule(uri)

    # -- conversions

    def range(self, snap: Snapshot, span: Span) -> lsp.Range:
        mapper = snap.mapper()
        start, end = mapper.position(span.line, span.col), mapper.position(span.end_line, span.end_col)
        return lsp.Range(lsp.Position(*start), lsp.Position(*end))

    def text_edit(self, snap: Snapshot, edit: Edit) -> lsp.TextEdit:
        return lsp.TextEdit(self.range(snap, edit.span), edit.text)

    def rule_url(self, code: str) -> str | None:
        if code not in self._rule_urls:
            rule = find_rule(code)
            self._rule_urls[code] = rule.url if rule else None
        return self._rule_urls[code]

    def to_lsp(self, doc: OpenDocument, snap: Snapshot, d: Diagnostic) -> lsp.Diagnostic:
        url = self.rule_url(d.code)
        related = [
            lsp.DiagnosticRelatedInformation(
                lsp.Location(doc.uri if r.path in (None, doc.path) else _uri(r.path), self.range(snap, r.span)),
                r.message,
            )
            for r in d.related
        ] or None
        return lsp.Diagnostic(
            range=self.range(snap, d.span),
            message=d.message,
            severity=SEVERITY[d.severity],
            code=d.code,
            code_description=lsp.CodeDescription(url) if url else None,
            source=SOURCE,
            related_information=related,
            tags=[lsp.DiagnosticTag.Unnecessary] if d.unnecessary else None,
            data={"name": d.name, "fixable": d.fix is not None},
        )

    def whole(self, snap: Snapshot, text: str) -> list[lsp.TextEdit]:
        """One edit that replaces the whole text (none when nothing changes).

        It starts after a leading BOM: the BOM is the editor's, the new text
        (like the linter's) is without it.
        """
        if text == snap.source.text:
            return []
        last = snap.source.lines[-1]
        mapper = snap.mapper()
        end = mapper.position(last.number, len(last.text) + 1 + len(last.newline))
        return [lsp.TextEdit(lsp.Range(lsp.Position(0, mapper.shift), lsp.Position(*end)), text)]


def _uri(path: str | None) -> str:
    from pygls.uris import from_fs_path

    return (from_fs_path(path) if path else None) or path or ""


def _path(uri: str) -> str:
    try:
        path = to_fs_path(uri)
    except Exception:  # noqa: BLE001 - a malformed URI is linted as an untitled buffer
        path = None
    return path or f"<{uri}>"


server = InnoServer()


def create_server() -> InnoServer:
    return server


# -- lifecycle and configuration ------------------------------------------------


@server.feature(lsp.INITIALIZE)
def initialize(ls: InnoServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        apply_settings(ls, options.get("innolint", options))


def apply_settings(ls: InnoServer, section: Any) -> None:
    values, problems = client_overrides(section)
    with ls._resolver_lock:
        ls.resolver.overrides = values
    for problem in problems:
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, f"innolint: {problem}"))


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: InnoServer, params: lsp.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and "innolint" in settings:
        apply_settings(ls, settings["innolint"])
    ls.relint_all()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: InnoServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    with ls._resolver_lock:
        ls.resolver.invalidate()
    ls._config_problems = ()
    ls.relint_all()


# -- documents -----------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: InnoServer, params: lsp.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    old = ls.documents.get(item.uri)
    if old is not None:
        old.closed = True
        old.edited()
    ls.documents[item.uri] = OpenDocument(item.uri, _path(item.uri), item.text, item.version)
    ls.schedule(item.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: InnoServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return
    encoding = ls.encoding
    for change in params.content_changes:
        if isinstance(change, lsp.TextDocumentContentChangePartial):
            start, end = change.range.start, change.range.end
            doc.buffer.apply((start.line, start.character), (end.line, end.character), change.text, encoding)
        else:
            doc.buffer.replace_all(change.text)
    doc.version = params.text_document.version
    doc.edited()
    ls.schedule(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: InnoServer, params: lsp.DidSaveTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is not None:
        doc.edited()  # files next to it (payloads, configuration) may have changed with it
        ls.schedule(doc.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: InnoServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.pop(uri, None)
    if doc is None:
        return
    doc.closed = True
    doc.edited()
    handle = ls._pending.pop(uri, None)
    if handle is not None:
        handle.cancel()
    if not ls.pull_diagnostics:
        ls.protocol.send_message(publish_message(uri, None, []))


@server.feature(
    lsp.TEXT_DOCUMENT_DIAGNOSTIC,
    lsp.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False),
)
async def pull_diagnostics(ls: InnoServer, params: lsp.DocumentDiagnosticParams) -> lsp.FullDocumentDiagnosticReport:
    uri = params.text_document.uri
    snap = await ls.snapshot(uri, linted=True)
    doc = ls.documents.get(uri)
    if snap is None or doc is None:
        return lsp.FullDocumentDiagnosticReport(items=[])
    return lsp.FullDocumentDiagnosticReport(items=[ls.to_lsp(doc, snap, d) for d in snap.diagnostics])


# -- code actions ----------------------------------------------------------------


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]),
)
async def code_action(ls: InnoServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    uri = params.text_document.uri
    snap = await ls.snapshot(uri, linted=True)
    doc = ls.documents.get(uri)
    if snap is None or doc is None:
        return None
    diagnostics = snap.diagnostics
    only = params.context.only

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

    result: list[lsp.CodeAction] = []
    first = min(params.range.start.line, params.range.end.line) + 1
    last = max(params.range.start.line, params.range.end.line) + 1
    if wanted(lsp.CodeActionKind.QuickFix):
        seen: set[str] = set()
        for d in diagnostics:
            if d.span.end_line < first or d.span.line > last:
                continue
            diagnostic = ls.to_lsp(doc, snap, d)
            if d.fix is not None:
                result.append(lsp.CodeAction(
                    title=f"{d.fix.message} ({d.code})" + ("" if d.fix.safe else " [unsafe]"),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=d.fix.safe,
                    edit=_workspace_edit(ls, snap, uri, [ls.text_edit(snap, e) for e in d.fix.edits]),
                ))
            if d.code in seen:
                continue
            seen.add(d.code)
            for title, edit in (
                (f"Suppress {d.code} on the next line (with reason)", actions.suppress_next_line(snap.script, d)),
                (f"Suppress {d.code} in this file", actions.suppress_file(snap.script, d)),
            ):
                result.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    edit=_workspace_edit(ls, snap, uri, [ls.text_edit(snap, edit)]),
                ))
    if wanted(FIX_ALL_KIND) and (only or any(d.fix is not None and d.fix.safe for d in diagnostics)):
        settings = snap.settings
        fixed = await ls.pool.run(actions.fix_all, snap.source, lambda source: lint_script(parse(source), settings))
        edits = ls.whole(snap, fixed)
        if edits:
            result.append(lsp.CodeAction(title="Fix all safe innolint findings", kind=FIX_ALL_KIND,
                                         edit=_workspace_edit(ls, snap, uri, edits)))
    return result


def _workspace_edit(ls: InnoServer, snap: Snapshot, uri: str, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    if ls.client_has("workspace.workspace_edit.document_changes"):
        return lsp.WorkspaceEdit(document_changes=[
            lsp.TextDocumentEdit(lsp.OptionalVersionedTextDocumentIdentifier(uri, snap.version), edits)
        ])
    return lsp.WorkspaceEdit(changes={uri: edits})


# -- hover, completion ------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: InnoServer, params: lsp.HoverParams) -> lsp.Hover | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None or not snap.source.lines or not 0 <= params.position.line < len(snap.source.lines):
        return None
    mapper = snap.mapper()
    line, col = mapper.offset(params.position.line, params.position.character)
    if params.position.character > mapper.units(line, len(snap.source.lines[line].text)):
        return None  # past the end of the line: nothing is there
    settings = snap.settings
    if settings is None:
        with ls._resolver_lock:
            settings = ls.resolver.settings_for(_path(params.text_document.uri))[0]
    found = hover.hover(snap.script, line, col, settings)
    if found is None:
        return None
    text, span = found
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), ls.range(snap, span))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" ", "/", "#", "=", ","]))
async def on_completion(ls: InnoServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None or not 0 <= params.position.line < len(snap.source.lines):
        return None
    mapper = snap.mapper()
    line, col = mapper.offset(params.position.line, params.position.character)
    text = snap.source.lines[line].text
    snippets = ls.client_has("text_document.completion.completion_item.snippet_support")
    items = []
    for item in completion.complete(text, col):
        start = lsp.Position(line, mapper.units(line, item.start))
        end = lsp.Position(line, mapper.units(line, col))
        if snippets and item.snippet:
            new_text, fmt = item.snippet, lsp.InsertTextFormat.Snippet
        else:
            new_text, fmt = item.insert or item.label, lsp.InsertTextFormat.PlainText
        items.append(lsp.CompletionItem(
            label=item.label,
            kind=COMPLETION_KIND.get(item.kind),
            detail=item.detail or None,
            documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, item.doc) if item.doc else None,
            insert_text_format=fmt,
            text_edit=lsp.TextEdit(lsp.Range(start, end), new_text),
        ))
    return lsp.CompletionList(is_incomplete=False, items=items)


# -- formatting ----------------------------------------------------------------------


def _formatted(snap: Snapshot) -> str | None:
    try:
        from ..fmt import format_source
    except ImportError:
        return None
    try:
        return format_source(snap.source)
    except Exception:  # noqa: BLE001 - no formatting beats a dead request
        log.exception("formatting failed for %s", snap.source.path)
        return None


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
async def formatting(ls: InnoServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    text = await ls.pool.run(_formatted, snap)
    return None if text is None else ls.whole(snap, text)


@server.feature(lsp.TEXT_DOCUMENT_RANGE_FORMATTING)
async def range_formatting(ls: InnoServer, params: lsp.DocumentRangeFormattingParams) -> list[lsp.TextEdit] | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    text = await ls.pool.run(_formatted, snap)
    if text is None:
        return None
    # bom=True: a U+FEFF that starts the formatted text is content (the editor's BOM is not in it).
    formatted = Source(text, snap.source.path, bom=True).lines
    if len(formatted) != len(snap.source.lines):
        return ls.whole(snap, text)  # lines added or removed: only the whole text is safe
    edits = []
    for index in range(max(params.range.start.line, 0), min(params.range.end.line, len(formatted) - 1) + 1):
        old, new = snap.source.lines[index], formatted[index]
        if old.text != new.text:
            span = snap.source.span(old.start, old.end)
            edits.append(lsp.TextEdit(ls.range(snap, span), new.text))
    return edits


# -- outline ------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbols(ls: InnoServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    result = []
    for symbol in outline.symbols(snap.script):
        first, last = snap.source.lines[symbol.first], snap.source.lines[symbol.last]
        full = ls.range(snap, snap.source.span(first.start, last.end))
        select = ls.range(snap, snap.script.line(symbol.select_line + 1).span)
        result.append(lsp.DocumentSymbol(name=symbol.name, kind=SYMBOL_KIND[symbol.kind], range=full,
                                         selection_range=select, detail=symbol.detail or None))
    return result


@server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)
async def folding(ls: InnoServer, params: lsp.FoldingRangeParams) -> list[lsp.FoldingRange] | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    kinds = {"comment": lsp.FoldingRangeKind.Comment, "region": lsp.FoldingRangeKind.Region}
    return [lsp.FoldingRange(start_line=a, end_line=b, kind=kinds[k]) for a, b, k in outline.folding_ranges(snap.script)]


# -- semantic tokens -------------------------------------------------------------------


def _semantic_data(snap: Snapshot) -> list[int]:
    data: list[int] = []
    previous_line = previous_start = 0
    mapper = snap.mapper()
    for line, col, length, kind in tokens.semantic_tokens(snap.script):
        start = mapper.units(line, col)
        size = mapper.units(line, col + length) - start
        delta_line = line - previous_line
        data += [delta_line, start - previous_start if delta_line == 0 else start, size, kind, 0]
        previous_line, previous_start = line, start
    return data


@server.feature(
    lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
    lsp.SemanticTokensLegend(token_types=list(tokens.TYPES), token_modifiers=[]),
)
async def semantic_tokens(ls: InnoServer, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens | None:
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None:
        return None
    return lsp.SemanticTokens(data=await ls.pool.run(_semantic_data, snap))
