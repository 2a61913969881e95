"""The language server: pygls wiring over the library.

Everything the server says comes from the library (parser, linter, catalogue,
formatter); this module converts between the editor protocol and those
results.  Documents are kept as ``Document`` objects that re-parse only the
lines an edit touched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from .. import __version__
from ..lint import Severity, lint_script
from ..lint.session import lint_document
from ..lint.diagnostic import Diagnostic, Edit
from ..lint.rule import find_rule
from ..source import Source, Span
from ..syntax import parse
from . import actions, completion, hover, outline, positions, tokens
from .document import Document
from .settings import SettingsResolver, client_overrides

log = logging.getLogger(__name__)

SOURCE = "innolint"
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


class InnoProtocol(LanguageServerProtocol):
    """Answers a request whose parameters cannot be read with an error.

    Without this, such a request is dropped and the client waits forever.
    """

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "method" in data and isinstance(data.get("id"), (int, str)):
                self._send_response(data["id"], error=exc.to_response_error())
            raise


class InnoServer(LanguageServer):
    # Edits typed in a burst are linted once, this long after the last one
    # (seconds).  Linting a large file takes longer than typing a character.
    debounce = 0.05

    def __init__(self) -> None:
        super().__init__(
            "innoscript", __version__, protocol_cls=InnoProtocol, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.documents: dict[str, Document] = {}
        self.resolver = SettingsResolver()
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._config_problems: tuple[str, ...] = ()
        self._rule_urls: dict[str, str | None] = {}

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

    # -- documents

    def document(self, uri: str) -> Document | None:
        """The open document with its latest text parsed.

        Edits only mark a document changed; the (incremental) parse happens
        here, on first use, so a burst of keystrokes is parsed once.
        """
        doc = self.documents.get(uri)
        if doc is not None and doc.changed_version is not None:
            version, doc.changed_version = doc.changed_version, None
            doc.update(self.workspace.get_text_document(uri).source, version)
        return doc

    def lint(self, doc: Document) -> list[Diagnostic]:
        settings, problem = self.resolver.settings_for(doc.path)
        if problem and problem not in self._config_problems:
            self._config_problems += (problem,)
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Warning, f"innolint: {problem}"))
        try:
            doc.diagnostics = lint_document(doc.script, settings)
        except Exception:  # a crash in a rule must not take the server down
            log.exception("lint failed for %s", doc.uri)
            doc.diagnostics = []
        doc.settings = settings
        doc.linted = doc.source
        return doc.diagnostics

    def current(self, doc: Document) -> list[Diagnostic]:
        """The diagnostics of the document's current text (lints when stale).

        Code actions can arrive before the debounced lint of the last edit;
        fixes computed for older text would edit the wrong places.
        """
        if doc.linted is not doc.source:
            self.lint(doc)
        return doc.diagnostics

    def publish(self, uri: str) -> None:
        self._pending.pop(uri, None)
        doc = self.document(uri)
        if doc is None:
            return
        items = self.lsp_diagnostics(doc, self.lint(doc))
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, items, doc.version))

    def lsp_diagnostics(self, doc: Document, diagnostics: list[Diagnostic]) -> list[lsp.Diagnostic]:
        """Converted diagnostics; the ones an edit did not touch are reused.

        A conversion depends on what the editor sees of a diagnostic (code,
        message, severity, line and column, tags) and on the text of its
        lines (columns in UTF-16 or UTF-8 units), so that is the cache key;
        character offsets are not part of it, so findings below an edit that
        changed a line's length are reused too.
        """
        previous, cache = doc.lsp_cache, {}
        lines = doc.source.lines
        items = []
        for d in diagnostics:
            span = d.span
            key = None
            if not d.related and span.end_line <= len(lines):
                key = (d.code, d.name, d.severity, d.message, span.line, span.col, span.end_line, span.end_col,
                       d.unnecessary, d.fix is not None, lines[span.line - 1].text, lines[span.end_line - 1].text)
            item = previous.get(key) if key is not None else None
            if item is None:
                item = self.to_lsp(doc, d)
            if key is not None:
                cache[key] = item
            items.append(item)
        doc.lsp_cache = cache
        return items

    def schedule(self, uri: str) -> None:
        """Lint soon: edits that arrive together are linted once, on the last text."""
        if self.pull_diagnostics:
            return
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (direct calls): lint now
            self.publish(uri)
            return
        self._pending[uri] = loop.call_later(self.debounce, self.publish, uri)

    def relint_all(self) -> None:
        for doc in self.documents.values():
            doc.linted = None  # new settings: code actions must not use old findings
        if self.pull_diagnostics:
            if self.client_has("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.documents):
            self.schedule(uri)

    # -- conversions

    def position(self, source: Source, line: int, col: int) -> lsp.Position:
        """LSP position for a 1-based line and character column.

        A column past the line's content is on its line ending: that is the
        start of the next line (an edit that deletes a whole line ends there).
        """
        if line > len(source.lines):
            line, col = len(source.lines), len(source.lines[-1].text) + 2
        text = source.lines[line - 1].text
        if col - 1 > len(text) and source.lines[line - 1].newline:
            return lsp.Position(line, 0)
        return lsp.Position(line - 1, positions.units(text, col - 1, self.encoding))

    def range(self, source: Source, span: Span) -> lsp.Range:
        return lsp.Range(self.position(source, span.line, span.col), self.position(source, span.end_line, span.end_col))

    def offset(self, source: Source, position: lsp.Position) -> tuple[int, int]:
        """(0-based line, 0-based character column) for an LSP position, clamped."""
        line = min(max(position.line, 0), len(source.lines) - 1)
        text = source.lines[line].text
        return line, positions.chars(text, position.character, self.encoding)

    def text_edit(self, source: Source, edit: Edit) -> lsp.TextEdit:
        return lsp.TextEdit(self.range(source, edit.span), edit.text)

    def rule_url(self, code: str) -> str | None:
        if code not in self._rule_urls:
            rule = find_rule(code)
            self._rule_urls[code] = rule.url if rule else None
        return self._rule_urls[code]

    def to_lsp(self, doc: Document, d: Diagnostic) -> lsp.Diagnostic:
        url = self.rule_url(d.code)
        related = [
            lsp.DiagnosticRelatedInformation(
                lsp.Location(doc.uri if r.path in (None, doc.path) else _uri(r.path), self.range(doc.source, r.span)),
                r.message,
            )
            for r in d.related
        ] or None
        return lsp.Diagnostic(
            range=self.range(doc.source, d.span),
            message=d.message,
            severity=SEVERITY[d.severity],
            code=d.code,
            code_description=lsp.CodeDescription(url) if url else None,
            source=SOURCE,
            related_information=related,
            tags=[lsp.DiagnosticTag.Unnecessary] if d.unnecessary else None,
            data={"name": d.name, "fixable": d.fix is not None},
        )

    def whole(self, doc: Document, text: str) -> list[lsp.TextEdit]:
        """One edit that replaces the whole text (none when nothing changes)."""
        if text == doc.text:
            return []
        last = doc.source.lines[-1]
        end = self.position(doc.source, last.number, len(last.text) + 1 + len(last.newline))
        return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), text)]

def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(path) or path


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
    ls.resolver.invalidate()
    ls._config_problems = ()
    ls.relint_all()


# -- documents -----------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: InnoServer, params: lsp.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.documents[item.uri] = Document(item.uri, _path(item.uri), item.text, item.version)
    ls.schedule(item.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: InnoServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.documents.get(uri)
    if doc is None:
        return
    # pygls has applied the changes (full or incremental) to its copy; it is
    # parsed when next needed (``InnoServer.document``).
    doc.changed_version = params.text_document.version
    ls.schedule(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: InnoServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri in ls.documents:
        ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: InnoServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.documents.pop(uri, None) is not None and not ls.pull_diagnostics:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))


@server.feature(
    lsp.TEXT_DOCUMENT_DIAGNOSTIC,
    lsp.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False),
)
def pull_diagnostics(ls: InnoServer, params: lsp.DocumentDiagnosticParams) -> lsp.FullDocumentDiagnosticReport:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return lsp.FullDocumentDiagnosticReport(items=[])
    return lsp.FullDocumentDiagnosticReport(items=ls.lsp_diagnostics(doc, ls.lint(doc)))


# -- code actions ----------------------------------------------------------------


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]),
)
def code_action(ls: InnoServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    diagnostics = ls.current(doc)
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
            diagnostic = ls.to_lsp(doc, d)
            if d.fix is not None:
                result.append(lsp.CodeAction(
                    title=f"{d.fix.message} ({d.code})" + ("" if d.fix.safe else " [unsafe]"),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=d.fix.safe,
                    edit=_workspace_edit(ls, doc, [ls.text_edit(doc.source, e) for e in d.fix.edits]),
                ))
            if d.code in seen:
                continue
            seen.add(d.code)
            for title, edit in (
                (f"Suppress {d.code} on the next line (with reason)", actions.suppress_next_line(doc.script, d)),
                (f"Suppress {d.code} in this file", actions.suppress_file(doc.script, d)),
            ):
                result.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    edit=_workspace_edit(ls, doc, [ls.text_edit(doc.source, edit)]),
                ))
    if wanted(FIX_ALL_KIND) and (only or any(d.fix is not None and d.fix.safe for d in diagnostics)):
        settings = doc.settings
        fixed = actions.fix_all(doc.source, lambda source: lint_script(parse(source), settings))
        edits = ls.whole(doc, fixed)
        if edits:
            result.append(lsp.CodeAction(title="Fix all safe innolint findings", kind=FIX_ALL_KIND,
                                         edit=_workspace_edit(ls, doc, edits)))
    return result


def _workspace_edit(ls: InnoServer, doc: Document, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    if ls.client_has("workspace.workspace_edit.document_changes"):
        return lsp.WorkspaceEdit(document_changes=[
            lsp.TextDocumentEdit(lsp.OptionalVersionedTextDocumentIdentifier(doc.uri, doc.version), edits)
        ])
    return lsp.WorkspaceEdit(changes={doc.uri: edits})


# -- hover, completion ------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: InnoServer, params: lsp.HoverParams) -> lsp.Hover | None:
    doc = ls.document(params.text_document.uri)
    if doc is None or not doc.source.lines or params.position.line >= len(doc.source.lines):
        return None
    line, col = ls.offset(doc.source, params.position)
    if params.position.character > positions.units(doc.source.lines[line].text, col, ls.encoding):
        return None  # past the end of the line: nothing is there
    settings = doc.settings or ls.resolver.settings_for(doc.path)[0]
    found = hover.hover(doc.script, line, col, settings)
    if found is None:
        return None
    text, span = found
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), ls.range(doc.source, span))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" ", "/", "#", "=", ","]))
def on_completion(ls: InnoServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    doc = ls.document(params.text_document.uri)
    if doc is None or params.position.line >= len(doc.source.lines) or params.position.line < 0:
        return None
    line, col = ls.offset(doc.source, params.position)
    text = doc.source.lines[line].text
    snippets = ls.client_has("text_document.completion.completion_item.snippet_support")
    items = []
    for item in completion.complete(text, col):
        start = lsp.Position(line, positions.units(text, item.start, ls.encoding))
        end = lsp.Position(line, positions.units(text, col, ls.encoding))
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


def _formatted(doc: Document) -> str | None:
    try:
        from ..fmt import format_source
    except ImportError:
        return None
    try:
        return format_source(doc.source)
    except Exception:  # noqa: BLE001 - no formatting beats a dead request
        log.exception("formatting failed for %s", doc.uri)
        return None


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: InnoServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    text = _formatted(doc)
    return None if text is None else ls.whole(doc, text)


@server.feature(lsp.TEXT_DOCUMENT_RANGE_FORMATTING)
def range_formatting(ls: InnoServer, params: lsp.DocumentRangeFormattingParams) -> list[lsp.TextEdit] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    text = _formatted(doc)
    if text is None:
        return None
    formatted = Source(text, doc.path).lines
    if len(formatted) != len(doc.source.lines):
        return ls.whole(doc, text)  # lines added or removed: only the whole text is safe
    edits = []
    for index in range(max(params.range.start.line, 0), min(params.range.end.line, len(formatted) - 1) + 1):
        old, new = doc.source.lines[index], formatted[index]
        if old.text != new.text:
            span = doc.source.span(old.start, old.end)
            edits.append(lsp.TextEdit(ls.range(doc.source, span), new.text))
    return edits


# -- outline ------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: InnoServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    result = []
    for symbol in outline.symbols(doc.script):
        first, last = doc.source.lines[symbol.first], doc.source.lines[symbol.last]
        full = ls.range(doc.source, doc.source.span(first.start, last.end))
        select = ls.range(doc.source, doc.script.lines[symbol.select_line].span)
        result.append(lsp.DocumentSymbol(name=symbol.name, kind=SYMBOL_KIND[symbol.kind], range=full,
                                         selection_range=select, detail=symbol.detail or None))
    return result


@server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)
def folding(ls: InnoServer, params: lsp.FoldingRangeParams) -> list[lsp.FoldingRange] | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    kinds = {"comment": lsp.FoldingRangeKind.Comment, "region": lsp.FoldingRangeKind.Region}
    return [lsp.FoldingRange(start_line=a, end_line=b, kind=kinds[k]) for a, b, k in outline.folding_ranges(doc.script)]


# -- semantic tokens -------------------------------------------------------------------


@server.feature(
    lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
    lsp.SemanticTokensLegend(token_types=list(tokens.TYPES), token_modifiers=[]),
)
def semantic_tokens(ls: InnoServer, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens | None:
    doc = ls.document(params.text_document.uri)
    if doc is None:
        return None
    data: list[int] = []
    previous_line = previous_start = 0
    encoding = ls.encoding
    for line, col, length, kind in tokens.semantic_tokens(doc.script):
        text = doc.source.lines[line].text
        start = positions.units(text, col, encoding)
        size = positions.units(text, col + length, encoding) - start
        delta_line = line - previous_line
        data += [delta_line, start - previous_start if delta_line == 0 else start, size, kind, 0]
        previous_line, previous_start = line, start
    return lsp.SemanticTokens(data=data)
