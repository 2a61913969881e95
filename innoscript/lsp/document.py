"""An open document: its text, parsed incrementally, and its lint results.

Lines are independent, so after an edit only the lines whose text or
position changed are parsed again; the nodes of the lines before the edit are
reused as they are.  Lines after an edit that changed the length of the text
keep their text but move: their nodes are rebuilt with shifted positions
(``relocate``), which is cheaper than reading the words again.
"""

from __future__ import annotations

import gc

from ..source import Source, Span
from ..syntax import ast, parse_line
from ..syntax.parser import parse


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
        self.reparsed = len(self.script.lines)  # lines parsed by the last update (for the benchmark)

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
        if text == self.source.text:
            return
        source = Source(text, self.path)
        if source.binary or self.source.binary or not self.script.lines:
            if check is not None:
                check()
            self.source, self.script = source, parse(source)
            self.reparsed = len(self.script.lines)
            return
        old = self.script.lines
        new = source.lines
        # Unchanged head: same text, same place.
        head = 0
        limit = min(len(old), len(new))
        while head < limit:
            node, pl = old[head], new[head]
            if node.text != pl.text or node.newline != pl.newline or node.span.start != pl.start:
                break
            head += 1
        # Unchanged tail (text and line ending), possibly moved.
        tail = 0
        while tail < limit - head:
            node, pl = old[-1 - tail], new[-1 - tail]
            if node.text != pl.text or node.newline != pl.newline:
                break
            tail += 1
        # Many small acyclic objects: cyclic collection passes only cost time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            lines = self._merge(old, new, head, tail, check)
        finally:
            if collecting:
                gc.enable()
        self.source = source
        self.script = ast.Script(source, tuple(lines))
        self.reparsed = len(new) - tail - head

    @staticmethod
    def _merge(old, new, head: int, tail: int, check=None) -> list[ast.Line]:
        lines: list[ast.Line] = list(old[:head])
        for index, pl in enumerate(new[head : len(new) - tail]):
            if check is not None and not index & 4095:
                check()
            lines.append(parse_line(pl.text, pl.number, pl.start, pl.newline))
        if tail:
            first_old = old[len(old) - tail]
            first_new = new[len(new) - tail]
            delta = first_new.start - first_old.span.start
            delta_line = first_new.number - first_old.number
            if delta == 0 and delta_line == 0:
                lines.extend(old[len(old) - tail :])
            else:
                for index, node in enumerate(old[len(old) - tail :]):
                    if check is not None and not index & 4095:
                        check()
                    lines.append(relocate(node, delta, delta_line))
        return lines


# -- moving nodes ---------------------------------------------------------------
#
# A generic walk over the fields costs more than parsing the line again, so
# each node class gets a mover generated from its field annotations: spans are
# shifted, tokens moved once and shared, everything else copied.

_KINDS = {
    "Span": "span",
    "Token": "token",
    "Token | None": "token",
    "tuple[Token, ...]": "tokens",
    "Option | None": "option",
    "tuple[Option, ...]": "options",
    "Url | None": "url",
}
_MOVERS: dict[type, object] = {}


def _mover(cls: type):
    mover = _MOVERS.get(cls)
    if mover is not None:
        return mover
    body = ["def move(node, d, dl, span, token, option, url):", "    new = new_(cls)"]
    for name, annotation in ast.field_types(cls).items():
        kind = _KINDS.get(annotation)
        get = f"node.{name}"
        if name == "number":
            expr = f"{get} + dl"
        elif kind == "span":
            expr = f"span({get}, d, dl)"
        elif kind == "token":
            expr = f"token({get}, d, dl) if {get} is not None else None"
        elif kind == "tokens":
            expr = f"tuple([token(t, d, dl) for t in {get}])"
        elif kind == "option":
            expr = f"option({get}, d, dl) if {get} is not None else None"
        elif kind == "options":
            expr = f"tuple([option(o, d, dl) for o in {get}])"
        elif kind == "url":
            expr = f"url({get}, d, dl) if {get} is not None else None"
        else:
            expr = get
        body.append(f"    set_(new, {name!r}, {expr})")
    body.append("    return new")
    namespace = {"new_": object.__new__, "set_": object.__setattr__, "cls": cls}
    exec("\n".join(body), namespace)  # noqa: S102 - generated from our own field list
    mover = _MOVERS[cls] = namespace["move"]
    return mover


def relocate(node: ast.Line, delta: int, delta_line: int) -> ast.Line:
    """``node`` moved by ``delta`` characters and ``delta_line`` lines.

    Tokens are shared between fields (``tokens`` and ``module``, ``args``
    ...); each is moved once and the copies are shared the same way, so the
    result equals a fresh parse of the line at its new place.
    """
    moved: dict[int, ast.Token] = {}

    def span(s: Span, d: int, dl: int) -> Span:
        return Span(s[0] + d, s[1] + d, s[2] + dl, s[3], s[4] + dl, s[5])

    def token(t: ast.Token, d: int, dl: int) -> ast.Token:
        found = moved.get(id(t))
        if found is None:
            s = t[1]
            found = moved[id(t)] = ast.Token(t[0], Span(s[0] + d, s[1] + d, s[2] + dl, s[3], s[4] + dl, s[5]))
        return found

    def parsed(value, d: int, dl: int):
        # Parsed option values that carry spans: an hour list, a typed error.
        if isinstance(value, ast.Invalid):
            return value._replace(span=span(value.span, d, dl))
        if isinstance(value, tuple):
            return tuple([ast.Hour(h.value, span(h.span, d, dl)) for h in value])
        if isinstance(value, ast.Url):
            return url(value, d, dl)
        return value

    def option(o: ast.Option, d: int, dl: int) -> ast.Option:
        return ast.Option(
            name=token(o.name, d, dl), value=token(o.value, d, dl) if o.value is not None else None,
            span=span(o.span, d, dl), kind=o.kind, parsed=parsed(o.parsed, d, dl),
        )

    def url(u: ast.Url, d: int, dl: int) -> ast.Url:
        metas = tuple([ast.Meta(text=m.text, span=span(m.span, d, dl), known=m.known) for m in u.metas])
        return ast.Url(token=token(u.token, d, dl), metas=metas, parts=u.parts)

    return _mover(type(node))(node, delta, delta_line, span, token, option, url)
