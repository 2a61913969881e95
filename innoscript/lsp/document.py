"""An open document: its text, parsed incrementally, and its lint results.

A line's parse is a function of its text and is shared (syntax/parser.py
keeps recent ones by text), so after an edit only lines with new text are
read again; every other line is a dictionary look-up, wherever it moved.
"""

from __future__ import annotations

from ..source import Source
from ..syntax.parser import parse, reparse


class Document:
    """One open document (no editor protocol here: text in, AST out)."""

    def __init__(self, uri: str, path: str, text: str, version: int | None = None) -> None:
        self.uri = uri
        self.path = path
        self.version = version
        self.source = Source(text, path)
        self.script = parse(self.source)
        self.diagnostics: list = []  # of innoscript.lint.Diagnostic, for code actions
        self.settings = None  # the Settings used for ``diagnostics``
        self.linted: Source | None = None  # the text ``diagnostics`` belong to
        self.changed_version: int | None = None  # set by an edit not parsed yet
        self.lsp_cache: dict = {}  # converted diagnostics, kept by the server
        self.reparsed = len(self.script)  # lines parsed by the last update (for the benchmark)

    @property
    def text(self) -> str:
        return self.source.text

    def update(self, text: str, version: int | None = None, check=None) -> None:
        """Take the new text; parse only what changed.

        ``check`` is called every few thousand lines parsed and may raise to
        abandon the update (a newer edit arrived); the document then keeps
        its previous text and tree.
        """
        self.version = version
        # The editor's text, as the source was made from it: a leading U+FEFF is the
        # source's BOM, not its text (a second one, after it, is content).
        if text == ("\ufeff" if self.source.bom else "") + self.source.text:
            return
        script, self.reparsed = reparse(self.script, text, check=check)
        self.source, self.script = script.source, script
