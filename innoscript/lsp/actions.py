"""Code actions as text edits: suppressions and fix-all (no protocol here)."""

from __future__ import annotations

from ..lint.diagnostic import Diagnostic, Edit
from ..source import Source
from ..syntax import ast

REASON_PLACEHOLDER = "TODO: why"


def suppress_next_line(script: ast.Script, diagnostic: Diagnostic) -> Edit:
    """A directive above the diagnostic's line, indented like it."""
    line = script.line(min(diagnostic.span.line, len(script))) if len(script) else None
    start = line.span.start if line is not None else 0
    indent = line.text[: len(line.text) - len(line.text.lstrip(" \t"))] if line is not None else ""
    text = f"{indent}# innolint: disable-next-line={diagnostic.code} -- {REASON_PLACEHOLDER}{script.newline}"
    return Edit(script.source.span(start, start), text)


def suppress_file(script: ast.Script, diagnostic: Diagnostic) -> Edit:
    return Edit(script.source.span(0, 0), f"# innolint: disable-file={diagnostic.code}{script.newline}")


def apply_edits(text: str, edits: list[Edit]) -> str | None:
    """The text with non-overlapping edits applied; None when they overlap."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    out: list[str] = []
    pos = 0
    for edit in ordered:
        if edit.span.start < pos:
            return None
        out.append(text[pos : edit.span.start])
        out.append(edit.text)
        pos = edit.span.end
    out.append(text[pos:])
    return "".join(out)


def fix_all(source: Source, lint) -> str:
    """The text with every safe fix applied (``lint``: Source -> diagnostics).

    Uses the linter's fix engine when present; otherwise applies the safe
    fixes that do not overlap, and repeats while fixes keep applying.
    """
    try:
        from ..lint.fixes import apply_fixes
    except ImportError:
        apply_fixes = None
    if apply_fixes is not None:
        return apply_fixes(source, lint, unsafe=False).text
    text = source.text
    for _ in range(10):  # each round can make new findings; fixes never loop forever
        current = Source(text, source.path)
        fixes = [d.fix for d in lint(current) if d.fix is not None and d.fix.safe]
        chosen: list[Edit] = []
        taken: list[tuple[int, int]] = []
        for fix in fixes:
            spans = [(e.span.start, e.span.end) for e in fix.edits]
            if any(s < te and ts < e or (s == e == ts == te) for s, e in spans for ts, te in taken):
                continue
            chosen.extend(fix.edits)
            taken.extend(spans)
        if not chosen:
            break
        new = apply_edits(text, chosen)
        if new is None or new == text:
            break
        text = new
    return text
