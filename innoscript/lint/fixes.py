"""Applying fixes: edits as data, applied in rounds, checked by re-linting.

A round takes every fix that is allowed (safe ones, and unsafe ones when
asked), keeps those whose edits do not overlap an earlier one, applies them
all at once over the decoded text and lints the result again.  Fixes held
back by an overlap come back in the next round, at their new positions.
Rounds stop when nothing is left to apply, when a text comes back that was
seen before (two fixes undoing each other) or after ``max_rounds``.

Two insertions at the same point conflict (which goes first is unclear),
except when one rule makes both: they are applied in the order of its
findings, so a rule that moves several lines above one anchor (UPD-055)
moves them all in one round, in their order.  A round costs one lint and
time linear in the text and the number of fixes: the edits taken so far
are kept sorted, and a new one is checked against its neighbours only.

A fix is dropped, and reported, when applying it would add a syntax error
(UPD-090) or any other error-level finding the text did not have.  When a
round's batch does that, its fixes are tried one by one so that one bad fix
does not hold back the good ones.

Writing back (``write_atomically``) keeps what the file was: its encoding,
byte-order mark and file mode; line endings are part of the text and edits
keep them.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
import os
import re
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..source import BOM, Source
from .diagnostic import Diagnostic, Edit, Fix, Severity

SYNTAX_ERROR = "UPD-090"

Lint = Callable[[Source], list[Diagnostic]]


@dataclass(frozen=True)
class FixOutcome:
    text: str  # the text with every applied fix
    applied: list[Diagnostic] = field(default_factory=list)  # in the order applied
    dropped: list[tuple[Diagnostic, str]] = field(default_factory=list)  # with the reason
    encoding: str | None = None  # the file is to be written in this encoding (an applied conversion)

    def changed(self, source: Source) -> bool:
        return self.text != source.text or (self.encoding is not None and self.encoding != source.encoding)

    def data(self, source: Source) -> bytes:
        """The bytes to write for ``source``: in its encoding, or in the one a conversion chose."""
        if self.encoding is not None:
            source = Source(source.text, source.path, encoding=self.encoding)
        return source.encode(self.text)


def fixable(diagnostic: Diagnostic, unsafe: bool = False) -> bool:
    fix = diagnostic.fix
    return fix is not None and (bool(fix.edits) or fix.encoding is not None) and (fix.safe or unsafe)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-overlapping edits applied (ValueError if they overlap).

    No line is lost where an edit joins a lone CR to an LF (see ``kept_apart``).
    """
    pieces: list[str] = []
    position = 0
    for edit in kept_apart(text, edits):
        pieces.append(text[position : edit.span.start])
        pieces.append(edit.text)
        position = edit.span.end
    pieces.append(text[position:])
    return "".join(pieces)


def kept_apart(text: str, edits: Iterable[Edit]) -> list[Edit]:
    """The edits, sorted, changed so that none joins a lone CR to an LF.

    Deleting the line between `x<CR>` and an empty `<LF>` line (or inserting
    a CR-ended line before it) would put CR and LF side by side: read back,
    they are one CRLF and the empty line is gone.  Where that would happen,
    the edit's text gets one more LF on that side, so the line before the
    join ends in CRLF and every other line stays.  A CRLF the text already
    had is left alone.
    """
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    out: list[Edit] = []
    position = 0
    last = ""  # the last character written so far
    for edit in ordered:
        start, end = edit.span.start, edit.span.end
        if start < position or end < start or end > len(text):
            raise ValueError("edits overlap or fall outside the text")
        if start > position:
            last = text[start - 1]
        new = edit.text
        if new[:1] == "\n" and last == "\r" and text[start - 1 : start + 1] != "\r\n":
            new = "\n" + new
        if new:
            last = new[-1]
        following = text[end : end + 1]
        if following == "\n" and last == "\r" and text[end - 1 : end + 1] != "\r\n":
            new += "\n"
            last = "\n"
        out.append(edit if new == edit.text else Edit(edit.span, new))
        position = end
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Ranges overlap; two edits at the same point also conflict (order unclear)."""
    if a[0] < b[1] and b[0] < a[1]:
        return True
    if a[0] == a[1] or b[0] == b[1]:  # an insertion: conflicts inside or at the same point
        return a[0] == b[0] or (b[0] < a[0] < b[1]) or (a[0] < b[0] < a[1])
    return False


class _Taken:
    """The ranges a round's fixes edit, sorted, with the rule that took each."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ranges: list[tuple[int, int, str]] = []

    def conflicts(self, r: tuple[int, int], code: str) -> bool:
        # Taken ranges do not overlap, so sorted by start their ends grow too:
        # only those starting at or before r's end and ending at or after
        # its start can touch it, a run that ends just before ``index``.
        index = bisect_right(self.starts, r[1])
        while index > 0:
            index -= 1
            start, end, owner = self.ranges[index]
            if end < r[0]:
                break
            if start == end == r[0] == r[1] and owner == code:
                continue  # the same rule inserting at one point: in finding order
            if _overlaps(r, (start, end)):
                return True
        return False

    def add(self, r: tuple[int, int], code: str) -> None:
        index = bisect_right(self.starts, r[0])
        self.starts.insert(index, r[0])
        self.ranges.insert(index, (r[0], r[1], code))


def _own_edits_conflict(fix: Fix) -> bool:
    """Do a fix's edits overlap each other?  Sorted, in one pass (a fix may hold many edits)."""
    previous = None
    furthest = -1
    for r in sorted((e.span.start, e.span.end) for e in fix.edits):
        # Overlapping its neighbour, or starting inside a longer range before it.
        if previous is not None and (_overlaps(previous, r) or r[0] < furthest):
            return True
        previous, furthest = r, max(furthest, r[1])
    return False


def _malformed(fix: Fix, length: int) -> str | None:
    """Why a fix cannot be applied at all (a bug in its rule), or None."""
    if any(not 0 <= e.span.start <= e.span.end <= length for e in fix.edits):
        return "its edits fall outside the text"
    if _own_edits_conflict(fix):
        return "its edits overlap each other"
    return None


def _errors(diagnostics: Iterable[Diagnostic]) -> Counter:
    return Counter(d.code for d in diagnostics if d.severity >= Severity.ERROR)


def _new_errors(before: Counter, after: list[Diagnostic]) -> str | None:
    """Why ``after`` is worse than ``before``, or None."""
    grown = _errors(after) - before
    if not grown:
        return None
    if SYNTAX_ERROR in grown:
        return "would introduce a syntax error"
    return "would introduce " + ", ".join(sorted(grown))


def _key(diagnostic: Diagnostic, text: str) -> tuple:
    """Identifies a fix across rounds (positions move, the edit does not)."""
    fix = diagnostic.fix
    assert fix is not None
    return (
        diagnostic.code,
        fix.message,
        tuple((text[e.span.start : e.span.end], e.text) for e in fix.edits),
    )


def _source_like(source: Source, text: str) -> Source:
    # A text left starting with U+FEFF keeps it as content (it is written
    # back behind a byte-order mark), rather than taking it for one.
    return Source(text, source.path, encoding=source.encoding, bom=source.bom or text.startswith(BOM))


def apply_fixes(source: Source, lint: Lint, *, unsafe: bool = False, max_rounds: int = 10) -> FixOutcome:
    """Apply the fixes ``lint`` finds in ``source`` until nothing changes."""
    current = source
    diagnostics = lint(current)
    applied: list[Diagnostic] = []
    dropped: list[tuple[Diagnostic, str]] = []
    rejected: set[tuple] = set()
    seen = {current.text}
    # A change of encoding touches no text: it is applied once, beside the edits.
    conversions = [d for d in diagnostics if fixable(d, unsafe) and d.fix.encoding is not None]
    for _ in range(max_rounds):
        batch: list[Diagnostic] = []
        taken = _Taken()
        for diagnostic in sorted((d for d in diagnostics if fixable(d, unsafe) and d.fix.edits), key=_order):
            key = _key(diagnostic, current.text)
            if key in rejected:
                continue
            fix = diagnostic.fix
            problem = _malformed(fix, len(current.text))
            if problem is not None:
                rejected.add(key)
                dropped.append((diagnostic, problem))
                continue
            ranges = [(e.span.start, e.span.end) for e in fix.edits]
            if any(taken.conflicts(r, diagnostic.code) for r in ranges):
                continue  # next round, after re-linting
            batch.append(diagnostic)
            for r in ranges:
                taken.add(r, diagnostic.code)
        if not batch:
            break
        errors = _errors(diagnostics)
        text = apply_edits(current.text, (e for d in batch for e in d.fix.edits))
        candidate = _source_like(source, text)
        after = lint(candidate)
        if _new_errors(errors, after) is not None:
            # One of them is bad: try them one at a time against the growing text.
            text, after, accepted = _one_by_one(current, diagnostics, batch, lint, rejected, dropped, source)
            batch = accepted
            candidate = _source_like(source, text)
            if not batch:
                continue  # all dropped; the next round picks up the rest, if any
        applied.extend(batch)
        if text in seen:  # fixes undoing each other: stop where we are
            current, diagnostics = candidate, after
            break
        seen.add(text)
        current, diagnostics = candidate, after
    encoding = conversions[0].fix.encoding if conversions else None
    return FixOutcome(current.text, applied + conversions[:1], dropped, encoding)


def _one_by_one(current, diagnostics, batch, lint, rejected, dropped, original):
    """Apply a round's fixes one at a time, each checked against the text so far.

    Returns the text, its diagnostics and the fixes kept; the others are
    added to ``dropped`` (and ``rejected``, so later rounds skip them).
    """
    text = current.text
    after = diagnostics
    accepted: list[Diagnostic] = []
    shift: list[tuple[int, int]] = []  # (offset in the round's text, length change) of accepted fixes
    for diagnostic in batch:
        own = sorted(diagnostic.fix.edits, key=lambda e: (e.span.start, e.span.end))
        edits = kept_apart(text, [_shifted(e, shift) for e in own])
        trial = apply_edits(text, edits)
        trial_diagnostics = lint(_source_like(original, trial))
        reason = _new_errors(_errors(after), trial_diagnostics)
        if reason is not None:
            rejected.add(_key(diagnostic, current.text))
            dropped.append((diagnostic, reason))
            continue
        for shifted, e in zip(edits, own):
            shift.append((e.span.start, len(shifted.text) - (e.span.end - e.span.start)))
        text, after = trial, trial_diagnostics
        accepted.append(diagnostic)
    return text, after, accepted


def _shifted(edit: Edit, shift: list[tuple[int, int]]) -> Edit:
    """An edit of the round's text moved past the accepted fixes before it."""
    delta = sum(change for offset, change in shift if offset <= edit.span.start)
    if not delta:
        return edit
    span = edit.span._replace(start=edit.span.start + delta, end=edit.span.end + delta)
    return Edit(span, edit.text)


def _order(diagnostic: Diagnostic) -> tuple:
    fix = diagnostic.fix
    return (min(e.span.start for e in fix.edits), diagnostic.code, diagnostic.span.start)


# -- showing and writing -----------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def diff(path: str, old_text: str, new_text: str) -> str:
    """A unified diff (``a/path`` -> ``b/path``); empty when nothing changed.

    Lines end as in the files; a last line without an ending gets git's
    ``\\ No newline at end of file`` marker.
    """
    if old_text == new_text:
        return ""
    # git's a/ b/ prefixes before the path as given; an absolute path loses its
    # root (and drive) so the header reads a/srv/x, not a//srv/x (`patch -p1` from /).
    path = path.replace("\\", "/")
    path = re.sub(r"^(?:[A-Za-z]:)?/+", "", path)
    out: list[str] = []
    for line in difflib.unified_diff(_lines(old_text), _lines(new_text), f"a/{path}", f"b/{path}", lineterm="\n"):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomically(path: str | os.PathLike, source: Source, text: str) -> None:
    """Write ``text`` over ``path`` as ``source`` was encoded, all or nothing.

    The bytes go to a temporary file in the same folder, which then replaces
    the target (``os.replace``), so a crash never leaves half a script.  A
    symbolic link is written through, not replaced.  The file's mode is kept.
    """
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target) or "."
    data = source.encode(text)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
