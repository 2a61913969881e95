"""The fuzzing harness: scripts built from the catalogue, mutated, and checked.

Used by the test suite (bounded examples) and by
``benchmarks/fuzz.py`` (a long run that counts failures):

* strategies: ``scripts()`` builds plausible update scripts from the command
  catalogue; ``inputs()`` mutates one into the bytes a hostile or careless
  user might feed the tools: changed case, blanks, line endings (CR, LF,
  CRLF, mixed, lone CR runs), byte-order marks, directives, long lines, NUL,
  control and Unicode characters (U+2028, U+0085, VT, FF, Unicode digits),
  flipped and inserted bytes, truncation, latin-1, UTF-16 and UTF-32;
* ``check(data)``: every property the tools promise for any input, returned
  as a list of ``Failure`` (empty when all hold).  Nothing raises (parse,
  lint, the report formats, fmt, fix, the interpreter); ``fmt`` is
  idempotent and keeps encoding, byte-order mark, line endings and the
  reading of every line; ``--fix`` keeps every line it does not mean to
  change, converges in one run and removes each finding it claims to fix;
  the interpreter reports the loops it runs into; the language server's
  text equals an editor's after random edits (odd line breaks, a BOM
  typed or deleted), and its formatting edits, quick fixes and
  suppressions, applied by that editor, give what the library gives;
* ``check_cli(inputs, folder)``: the same inputs as files through
  ``innolint``, ``innolint --fix --unsafe-fixes`` and ``innoscript fmt``: no
  traceback, and the files written hold the library's bytes; the formats
  whose report a cache keeps put together from pieces (``sarif``, ``junit``,
  ``full``) print from a cold and a warm cache what they print without one.

The reading a line must keep is written here again, on purpose apart from
``innoscript.fmt.reading``: an oracle that shares the code it checks would
share its mistakes.
"""

from __future__ import annotations

import codecs
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from hypothesis import strategies as st

from editor_model import editor_offset, editor_position
from innoscript import catalog
from innoscript.source import Source

# -- strategies ---------------------------------------------------------------------------

URLS = (
    "http://10.0.0.5/fw/",
    "http://10.0.0.5/fw/ip232.bin",
    "http://srv/backup/#h-#b5.txt",
    "http://10.0.0.5/cfg/#m.txt",
    "https://host.example/x/#F-#B.bin",
    "http://10.0.0.5/bak/#n.txt",
    "http://10.0.0.5/bak/",
)
SERIALS = ("13-5001234", "2024-06-01", "1", "v13r1", "WEEKLY", "DAILY")
OPTION_VALUES = {
    "hours": ("22,23,0,1", "23", "0-6", "25", "1,,2"),
    "minutes": ("6", "0", "60", "x"),
    "number": ("1", "0", "-1"),
    "command": ("vars%20read%20X509", "mod%20cmd%20CMD0%20xml-info"),
    "word": ("x", "nico"),
}
DIRECTIVES = (
    "# innolint: disable=UPD-025 -- staged rollout",
    "# innolint: disable-file=UPD-054",
    "# innolint: disable=UPD-055,UPD-002",
    "# innolint: disable=",
    "# innolint: enable=UPD-001",
    "#innolint:disable=ALL -- everything",
    "# innolint: disable=UPD-9999 -- no such rule",
)
# Characters that split lines for some readers and not for others, invisible
# ones, digits that are not ASCII, and plain troublemakers.
ODD_CHARACTERS = (
    "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e", "\ufeff", "\xa0", "\u200b",
    "\u0663", "\uff13", "\U0001d7d1", "\u00e9", "\u00ef\u00bb\u00bf", "\U0001f600", "\x00", "\x7f", "\t", "\r", "\n",
)
LINE_ENDS = ("\n", "\r\n", "\r")


def _cases(word: str):
    return st.sampled_from(sorted({word, word.lower(), word.upper(), word.capitalize()}))


@st.composite
def mod_command(draw) -> str:
    command = draw(st.sampled_from(catalog.COMMANDS))
    verb = "time" if command.verb == "times" and draw(st.integers(0, 9)) == 0 else command.verb
    words = ["mod", "cmd", command.module, verb]
    for param in command.params:
        if not param.required and draw(st.booleans()):
            break
        if param.kind == "url":
            words.append(draw(st.sampled_from(URLS)))
        elif param.kind == "final":
            words.append(draw(st.sampled_from(sorted(catalog.FINAL_COMMANDS) + list(catalog.NOOP_ALIASES) + ["restart"])))
        else:
            words.append(draw(st.sampled_from(SERIALS)))
    for option in command.options:
        if draw(st.booleans()):
            words.append(option.name)
            if option.value:
                words.append(draw(st.sampled_from(OPTION_VALUES.get(option.value, ("1",)))))
    return " ".join(words)


@st.composite
def other_line(draw) -> str:
    kind = draw(st.sampled_from(["config", "config", "vars", "final", "comment", "directive", "blank", "generic"]))
    if kind == "config":
        verb = draw(st.sampled_from(sorted(catalog.CONFIG_VERBS)))
        words = ["config", verb]
        if catalog.CONFIG_VERBS[verb].takes_module:
            words.append(draw(st.sampled_from(["UP1", "UP0", "CMD0", "WLANMGR0", "up1"])))
            words += draw(st.sampled_from([["/name", "Nico%20Mobile"], ["/url", "http://10.0.0.5/#m/"], ["/poll", "1"], ["/no-dhcp"], []]))
        return " ".join(words)
    if kind == "vars":
        return f"vars {draw(st.sampled_from(sorted(catalog.VARS_VERBS)))} X509/REQUEST 0 x"
    if kind == "final":
        return draw(st.sampled_from(sorted(catalog.FINAL_COMMANDS)))
    if kind == "comment":
        return draw(st.sampled_from(["# set CHECK var", "#", "#  two  blanks ", "# done"]))
    if kind == "directive":
        return draw(st.sampled_from(DIRECTIVES))
    if kind == "blank":
        return draw(st.sampled_from(["", " ", "\t"]))
    return draw(st.sampled_from(["FOO bar", "mod cmd", "mod", "config", "vars", "/x 1"]))


@st.composite
def scripts(draw, max_lines: int = 14) -> str:
    """A plausible script: `times`, maybe a `check`, commands, config lines."""
    lines = []
    if draw(st.integers(0, 4)):
        lines.append("mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6")
    body = draw(st.lists(st.one_of(mod_command(), mod_command(), other_line()), min_size=0, max_size=max_lines))
    if draw(st.booleans()):
        body.insert(draw(st.integers(0, len(body))), "mod cmd UP1 check iresetn 2024-06-01")
    lines += body
    end = draw(st.sampled_from(LINE_ENDS))
    return end.join(lines) + (end if draw(st.integers(0, 3)) else "")


# Text mutations: each takes the text and a ``draw`` and returns new text.


def _positions(draw, text: str) -> int:
    return draw(st.integers(0, len(text))) if text else 0


def _mutate_case(draw, text: str) -> str:
    words = text.split(" ")
    if not words:
        return text
    index = draw(st.integers(0, len(words) - 1))
    change = draw(st.sampled_from([str.upper, str.lower, str.title, str.swapcase, str.capitalize]))
    words[index] = change(words[index])
    return " ".join(words)


def _mutate_blanks(draw, text: str) -> str:
    at = _positions(draw, text)
    return text[:at] + draw(st.sampled_from([" ", "  ", "\t", " \t ", "   "])) + text[at:]


def _mutate_line_ends(draw, text: str) -> str:
    lines = text.splitlines()
    style = draw(st.sampled_from(["mixed", "cr", "lf", "crlf", "cr-run", "no-final", "lf-after-cr"]))
    if style == "cr-run":
        at = _positions(draw, text)
        return text[:at] + "\r" * draw(st.integers(1, 40)) + text[at:]
    if style == "no-final":
        return text.rstrip("\r\n")
    if style == "lf-after-cr":  # a lone CR line followed by an empty LF line
        at = draw(st.integers(0, len(lines)))
        return "".join(line + ("\r" if i == at else "\n") for i, line in enumerate(lines)) + "\n"
    if style == "mixed":
        return "".join(line + draw(st.sampled_from(LINE_ENDS)) for line in lines)
    end = {"cr": "\r", "lf": "\n", "crlf": "\r\n"}[style]
    return end.join(lines) + end


def _mutate_directive(draw, text: str) -> str:
    lines = text.split("\n")
    lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(DIRECTIVES)))
    return "\n".join(lines)


def _mutate_long_line(draw, text: str) -> str:
    at = _positions(draw, text)
    piece = draw(st.sampled_from(["x", "a ", "#b5", "/allow ", "mod cmd UP1 times ", "\t", "\u00e9"]))
    return text[:at] + piece * draw(st.integers(200, 3000)) + text[at:]


def _mutate_odd_character(draw, text: str) -> str:
    at = _positions(draw, text)
    return text[:at] + draw(st.sampled_from(ODD_CHARACTERS)) + text[at:]


def _mutate_lines(draw, text: str) -> str:
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["duplicate", "swap", "delete", "repeat"]))
    if action == "duplicate":
        lines.insert(j, lines[i])
    elif action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "delete":
        del lines[i]
    else:
        lines[i:i] = [lines[i]] * draw(st.integers(2, 30))
    return "\n".join(lines)


def _mutate_start(draw, text: str) -> str:
    return draw(st.sampled_from(["\ufeff", " \ufeff", "\ufeff\ufeff", " \u00ef\u00bb\u00bf", "\u00ef\u00bb\u00bf", "\u200b", " "])) + text


def _mutate_backups(draw, text: str) -> str:
    """Many backups below a check: each wants to move above it."""
    backups = "".join(
        f"mod cmd UP0 scfg http://10.0.0.5/bak/#h-{n % draw(st.integers(1, 20))}.txt ser WEEKLY /force 168\n"
        for n in range(draw(st.integers(2, 25)))
    )
    return text + "\nmod cmd UP1 check iresetn 2024-06-01\n" + backups


def _mutate_truncate(draw, text: str) -> str:
    return text[: _positions(draw, text)]


TEXT_MUTATIONS = (
    _mutate_case, _mutate_case, _mutate_blanks, _mutate_line_ends, _mutate_directive, _mutate_long_line,
    _mutate_odd_character, _mutate_odd_character, _mutate_lines, _mutate_start, _mutate_truncate, _mutate_backups,
)
ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32")


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace" if encoding == "latin-1" else "surrogatepass")


@st.composite
def inputs(draw) -> bytes:
    """Bytes of a mutated script (sometimes an unmutated one, sometimes random bytes)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=2000))
    text = draw(scripts())
    for mutation in draw(st.lists(st.sampled_from(TEXT_MUTATIONS), max_size=4)):
        text = mutation(draw, text)
    data = _encode(text, draw(st.sampled_from(ENCODINGS)))
    for _ in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(["flip", "insert", "truncate", "bom-bytes"]))
        at = draw(st.integers(0, len(data)))
        if action == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif action == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
        elif action == "truncate":
            data = data[:at]
        else:
            data = draw(st.sampled_from([b" \xef\xbb\xbf", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xe9"])) + data
    return data


# -- properties ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    kind: str  # "crash", "meaning-change", "lost-line", "fmt-idempotence", ... (KINDS)
    message: str


KINDS = (
    "crash",  # an exception anywhere
    "meaning-change",  # fmt changed the reading of a line
    "lost-line",  # fmt or fix lost a line it did not mean to change
    "fmt-idempotence",  # a second fmt changed the text again
    "fmt-encoding",  # fmt changed the encoding, the byte-order mark or a line ending
    "fix-convergence",  # a second --fix changed the text again
    "fix-unfixed",  # a finding whose fix was applied is still there
    "loop-unreported",  # the interpreter churned without reporting a loop
    "divergence",  # the language server's text, or an edit it sent, differs from the editor's
    "cli",  # a command line run gave a traceback, an odd exit status, or other bytes than the library
)

_KEYWORD_CLASSES = None
_WIDE_MARKS = {
    "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
}


def line_reading(line) -> tuple:
    """What a line means: kind, catalogue entry, words as the tools read them."""
    from innoscript.syntax import ast

    if isinstance(line, ast.Comment):
        return (type(line).__name__, line.text.strip(" \t"))
    if not isinstance(line, ast.Command):
        return (type(line).__name__, line.text)
    words = [t.text for t in line.tokens]
    if isinstance(line, ast.ModCommand):
        words[0:2] = [w.lower() for w in words[0:2]]
        if line.module is not None:
            words[2] = words[2].upper()
    elif isinstance(line, (ast.ConfigLine, ast.VarsLine)):
        words[0] = words[0].lower()
        module = getattr(line, "module", None)
        if module is not None:
            index = next(i for i, t in enumerate(line.tokens) if t.span.start == module.span.start)
            words[index] = words[index].upper()
    return (type(line).__name__, getattr(line, "spec", None), tuple(words))


def _non_blank(script) -> list:
    from innoscript.syntax import ast

    return [line for line in script.lines if not isinstance(line, ast.Blank)]


def _crash(where: str, exc: BaseException) -> Failure:
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return Failure("crash", f"{where}: {type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})")


def check(data: bytes, path: str = "update-ip232.htm", *, interpreter: bool = True, lsp: bool = True) -> list[Failure]:
    """Every property for one input; an empty list when all hold.

    The command line properties need files and processes: ``check_cli`` takes
    many inputs at once.
    """
    failures: list[Failure] = []
    try:
        source = Source.from_bytes(data, path)
    except Exception as exc:  # noqa: BLE001 - the harness reports, never stops
        return [_crash("decode", exc)]
    steps = (_check_lint, _check_fmt, _check_fix) + ((_check_interpreter,) if interpreter else ()) + ((_check_lsp,) if lsp else ())
    for step in steps:
        try:
            failures.extend(step(source))
        except Exception as exc:  # noqa: BLE001
            failures.append(_crash(step.__name__[7:], exc))
    return failures


def _check_lint(source: Source) -> list[Failure]:
    from innoscript.lint import Settings, lint_source
    from innoscript.lint.report import FORMATS, render
    from innoscript.lint.result import FileResult
    from innoscript.syntax import parse

    parse(source)
    diagnostics = lint_source(source, Settings())
    result = FileResult(source.path, source, tuple(diagnostics))
    for name in FORMATS:
        render(name, [result])
    return []


def _check_fmt(source: Source) -> list[Failure]:
    from innoscript.fmt import format_source
    from innoscript.syntax import parse

    if source.binary:
        return [] if format_source(source) == source.text else [Failure("fmt-encoding", "a binary file was changed")]
    failures = []
    formatted = format_source(source)
    data = source.encode(formatted)
    again = Source.from_bytes(data, source.path)
    # UTF-16 or UTF-32 without a mark is known by the NULs of its ASCII characters: a text
    # with too few of them (an empty one) may gain the mark, only when it needs it, and one
    # that no mark makes readable as such (no ASCII left) becomes UTF-8.
    written_as = (source.encoding, source.bom)
    if source.encoding in _WIDE_MARKS:
        body = formatted.encode(source.encoding)

        def reads_back(data: bytes) -> bool:
            return Source.from_bytes(data).encoding == source.encoding

        if not reads_back(_WIDE_MARKS[source.encoding] + body if source.bom else body):
            written_as = (source.encoding, True) if reads_back(_WIDE_MARKS[source.encoding] + body) else ("utf-8", source.bom)
    if (again.encoding, again.bom, again.binary) != (*written_as, source.binary):
        failures.append(Failure("fmt-encoding", f"{source.encoding}/bom={source.bom} became {again.encoding}/bom={again.bom}"))
    if again.text != formatted:
        failures.append(Failure("fmt-encoding", "the written bytes read back as another text"))
    if format_source(again) != again.text:
        failures.append(Failure("fmt-idempotence", "a second fmt changes the text"))
    before, after = _non_blank(parse(source)), _non_blank(parse(again))
    if len(before) != len(after):
        failures.append(Failure("lost-line", f"fmt: {len(before)} non-blank lines became {len(after)}"))
        return failures
    for old, new in zip(before, after):
        if line_reading(old) != line_reading(new):
            failures.append(Failure("meaning-change", f"fmt: line {old.number} {old.text!r} became {new.text!r}"))
            break
        if old.newline != new.newline:
            failures.append(Failure("fmt-encoding", f"fmt: line {old.number} ended {old.newline!r}, now {new.newline!r}"))
            break
    return failures


def _check_fix(source: Source) -> list[Failure]:
    from innoscript.lint import Settings, lint_source
    from innoscript.lint.fixes import apply_fixes

    if source.binary:
        return []
    failures = []
    found_in: dict[int, Source] = {}
    settings = Settings()

    def lint(candidate: Source):
        diagnostics = lint_source(candidate, settings)
        for d in diagnostics:
            found_in[id(d)] = candidate
        return diagnostics

    # All rules, safe fixes and then unsafe ones too; then one rule alone (`--select`): its
    # edits meet other lines than when every rule fixes at once.
    fixable = sorted({d.code for d in lint_source(source, settings) if d.fix is not None})
    alone = fixable[sum(source.text.encode("utf-8", "surrogatepass")) % len(fixable)] if fixable else None
    for unsafe, select in ((False, None), (True, None)) + (((True, alone),) if alone else ()):
        settings = Settings(select=(select,)) if select else Settings()
        found_in.clear()
        before = lint(source)
        outcome = apply_fixes(source, lint, unsafe=unsafe)
        mode = ("--fix --unsafe-fixes" if unsafe else "--fix") + (f" --select {select}" if select else "")
        if not outcome.applied:
            continue
        written = Source.from_bytes(outcome.data(source), source.path)
        if written.text != outcome.text:
            failures.append(Failure("lost-line", f"{mode}: the written bytes read back as another text"))
        # Lines no applied fix touched must all still be there, in order.
        meant: Counter = Counter()
        for d in outcome.applied:
            where = found_in.get(id(d), source)
            for edit in d.fix.edits:
                first = where.line_of(edit.span.start).number
                last = where.line_of(max(edit.span.end - 1, edit.span.start)).number
                for number in range(first, min(last, len(where.lines)) + 1):
                    meant[where.lines[number - 1].text] += 1
        lost = _lost_lines([line.text for line in source.lines], [line.text for line in written.lines], meant)
        if lost:
            failures.append(Failure("lost-line", f"{mode}: lost {lost[:3]!r}"))
        second = apply_fixes(written, lambda s: lint_source(s, settings), unsafe=unsafe)
        if second.applied and second.text != written.text:
            codes = sorted({d.code for d in second.applied})
            failures.append(Failure("fix-convergence", f"{mode}: a second run applies {', '.join(codes)}"))
        # A finding claimed fixed is gone: per rule and flagged line, no more than before minus the fixes.
        key = lambda d, s: (d.code, s.lines[d.span.line - 1].text if 1 <= d.span.line <= len(s.lines) else "")  # noqa: E731
        was = Counter(key(d, source) for d in before)
        claimed = Counter(key(d, source) for d in outcome.applied if found_in.get(id(d)) is source)
        now = Counter(key(d, written) for d in lint_source(written, settings))
        texts_before = Counter(line.text for line in source.lines)
        texts_after = Counter(line.text for line in written.lines)
        for k, count in claimed.items():
            # A line that reads like the flagged one only now (another fix rewrote it, as
            # `wlanmgr0` to `WLANMGR0`) may carry a finding of its own.
            arrived = max(texts_after[k[1]] - texts_before[k[1]], 0)
            if now[k] > was[k] - count + arrived:
                failures.append(Failure("fix-unfixed", f"{mode}: {k[0]} on {k[1]!r} is still reported"))
                break
    return failures


def _lost_lines(old: list[str], new: list[str], meant: Counter) -> list[str]:
    """Lines of ``old`` missing from ``new`` (by count: a fix may move lines) that no fix meant to change."""
    missing = Counter(old) - Counter(new)
    return sorted((missing - meant).elements())


def _check_interpreter(source: Source) -> list[Failure]:
    from innoscript.device import MemoryFetcher, make_state, run_poll, run_until_converged
    from innoscript.syntax import parse

    script = parse(source)
    fetcher = MemoryFetcher(default=b"")
    state = make_state("IP232", clock=datetime(2026, 1, 1, 0, 30))
    run_poll(state, fetcher, script=script)
    run = run_until_converged(state, fetcher, script=script, max_polls=12)
    if not run.converged and run.loop is None and len(run.polls) == 12:
        cycle = run.polls[-4:]
        if all(r.churns for r in cycle):
            return [Failure("loop-unreported", "the device downloads or restarts on every poll, no loop reported")]
    return []


# -- the language server against an editor -------------------------------------------------
#
# The editor model is a plain string; positions are found by scanning for CR, LF
# and CRLF (the editor protocol's only line breaks), columns counted in UTF-16
# units.  It shares nothing with innoscript.lsp.

# What an edit types: odd characters, line breaks, pieces of commands, a BOM.
_TYPED = ("x", " ", "\r", "\n", "\r\n", "\u2028", "\x85", "\x0b", "\x0c", "\ufeff", "\U0001f600", "TIMES", "time",
          "mod cmd UP1 times /allow 3", "# innolint: disable=UPD-002", "")


def _editor_apply(text: str, edits) -> str:
    """Text edits (lsprotocol TextEdit) as an editor applies them: all against the same text."""
    located = []
    for index, edit in enumerate(edits):
        start = editor_offset(text, edit.range.start.line, edit.range.start.character)
        end = editor_offset(text, edit.range.end.line, edit.range.end.character)
        located.append((start, end, index, edit.new_text))
    # From the end; insertions at one place appear in the order of the list.
    for start, end, _, new in sorted(located, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _random_edit(rng, text: str) -> tuple[tuple[int, int], tuple[int, int], str, str]:
    """An edit as the editor sends it (start, end, new text) and the editor's text after it."""
    cursors = [i for i in range(len(text) + 1) if not (0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")]
    start = rng.choice(cursors)
    end = start if rng.random() < 0.4 else rng.choice([c for c in cursors if c >= start][:200])
    new = "".join(rng.choice(_TYPED) for _ in range(rng.randint(0, 3)))
    return editor_position(text, start), editor_position(text, end), new, text[:start] + new + text[end:]


def _apply_spans(text: str, edits) -> str:
    order = sorted(range(len(edits)), key=lambda i: (edits[i].span.start, edits[i].span.end, i), reverse=True)
    for edit in (edits[i] for i in order):
        text = text[: edit.span.start] + edit.text + text[edit.span.end :]
    return text


_SERVER = None


def _server():
    """One in-process server for all inputs (each input opens and closes its own document)."""
    global _SERVER
    if _SERVER is None:
        from innoscript.lsp.server import InnoServer

        _SERVER = InnoServer()
        _SERVER.debounce = 0
    return _SERVER


def _check_lsp(source: Source) -> list[Failure]:
    import asyncio

    if source.binary or len(source.text) > 200_000:
        return []
    return asyncio.run(_lsp_session(source))


async def _lsp_session(source: Source) -> list[Failure]:
    import hashlib
    import random

    from lsprotocol import types as lsp

    from innoscript.lsp import server as module

    ls = _server()
    digest = hashlib.sha1(source.text.encode("utf-8", "surrogatepass")).digest()
    rng = random.Random(digest)
    uri = f"file:///tmp/innoscript-fuzz/{digest.hex()[:12]}/update-ip232.htm"
    # The editor's buffer: the decoded text, a byte-order mark as its first character.
    text = ("\ufeff" if source.bom else "") + source.text
    failures: list[Failure] = []
    module.did_open(ls, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "innoscript", 1, text)))
    try:
        # The editor's edits the server sees, then what the server's edits do to the editor's
        # text: on the text as opened and again after a few random edits.
        version = 1
        for edit_count in (0, rng.randint(1, 4)):
            for _ in range(edit_count):
                start, end, new, text = _random_edit(rng, text)
                version += 1
                module.did_change(ls, lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                    [lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=new)]))
            failures += await _lsp_edits_agree(ls, uri, text, rng, version)
            if failures:
                break
    finally:
        module.did_close(ls, lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
    return failures


async def _lsp_edits_agree(ls, uri: str, text: str, rng, version: int) -> list[Failure]:
    from lsprotocol import types as lsp

    from innoscript.fmt import format_source
    from innoscript.lsp import actions
    from innoscript.lsp import server as module

    snap = await ls.snapshot(uri, linted=True)
    if snap.text != text or snap.source.text != Source(text).text:
        return [Failure("divergence", f"after {version - 1} edits the server holds {snap.text[:60]!r}, the editor {text[:60]!r}")]
    linted = Source(text, snap.source.path)
    bom = "\ufeff" if linted.bom else ""
    # Whole-document formatting, applied by the editor, gives what fmt gives.
    options = lsp.FormattingOptions(tab_size=4, insert_spaces=True)
    edits = await module.formatting(ls, lsp.DocumentFormattingParams(lsp.TextDocumentIdentifier(uri), options))
    want = bom + format_source(linted)
    if edits is not None and _editor_apply(text, edits) != want:
        return [Failure("divergence", f"formatting edits give {_editor_apply(text, edits)[:60]!r}, fmt {want[:60]!r}")]
    # Range formatting: the lines in the range formatted, the others as they were.
    old, new = linted.lines, Source(want).lines
    low = rng.randrange(len(old)) if old else 0
    high = min(low + rng.randint(0, 3), max(len(old) - 1, 0))
    if len(old) == len(new):
        want = bom + "".join((new[i].text if low <= i <= high else old[i].text) + old[i].newline for i in range(len(old)))
    params = lsp.DocumentRangeFormattingParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(low, 0), lsp.Position(high, 0)), options)
    edits = await module.range_formatting(ls, params)
    if edits is not None and _editor_apply(text, edits) != want:
        return [Failure("divergence", f"range formatting of lines {low}-{high} gives {_editor_apply(text, edits)[:60]!r}, "
                                      f"fmt {want[:60]!r}")]
    # Quick fixes and suppressions, applied by the editor, change what the linter's edits change.
    with_fix = [d for d in snap.diagnostics if d.fix is not None]
    for d in rng.sample(with_fix, min(3, len(with_fix))) + snap.diagnostics[:1]:
        for edits in (list(d.fix.edits) if d.fix is not None else [], [actions.suppress_next_line(snap.script, d)]):
            if not edits:
                continue
            want = bom + _apply_spans(linted.text, edits)
            got = _editor_apply(text, [ls.text_edit(snap, e) for e in edits])
            if got != want:
                return [Failure("divergence", f"the edit of {d.code} gives {got[:60]!r}, the linter's {want[:60]!r}")]
    return []


# -- the command lines -----------------------------------------------------------------------


def check_cli(inputs: list[bytes], folder: str) -> list[tuple[int, Failure]]:
    """``innolint``, ``innolint --fix --unsafe-fixes`` and ``innoscript fmt`` over many inputs at once.

    Each input is ``folder/<n>/update-ip232.htm``.  No run may end in a
    traceback or an exit status other than 0, 1 or 2; the files the fix and
    fmt runs write must hold what the library gives for the same input.
    Returns (index of the input, failure) pairs.
    """
    import os
    import shutil
    import subprocess
    import sys

    from innoscript.fmt import format_source
    from innoscript.lint import Settings, lint_source
    from innoscript.lint.fixes import apply_fixes

    bindir = os.path.dirname(sys.executable)
    failures: list[tuple[int, Failure]] = []
    paths = []
    for index, data in enumerate(inputs):
        os.makedirs(os.path.join(folder, str(index)), exist_ok=True)
        paths.append(os.path.join(folder, str(index), "update-ip232.htm"))

    def write_all() -> None:
        for path, data in zip(paths, inputs):
            with open(path, "wb") as stream:
                stream.write(data)

    def broken(argv: tuple[str, ...], targets: list[str]) -> str | None:
        """What went wrong in one run over ``targets`` (None: nothing)."""
        done = subprocess.run([os.path.join(bindir, argv[0]), *argv[1:], *targets], capture_output=True, text=True,
                              errors="replace", cwd=folder, check=False)
        if "Traceback" in done.stderr or done.returncode not in (0, 1, 2):
            return f"{' '.join(argv)}: exit {done.returncode}, {done.stderr.strip()[-2000:]!r}"
        return None

    def narrowed(problem_of) -> None:
        """A failure of ``problem_of`` (files -> what went wrong, or None) over every file,
        put down to one input: the files are halved until one alone fails (a run's
        output names none)."""
        problem = problem_of([folder])
        if problem is None:
            return
        suspects = list(range(len(paths)))
        while len(suspects) > 1:
            half = suspects[: len(suspects) // 2]
            suspects = half if problem_of([paths[i] for i in half]) else suspects[len(suspects) // 2 :]
        alone = problem_of([paths[suspects[0]]])
        failures.append((suspects[0] if alone else -1, Failure("cli", alone or problem)))

    def run(*argv: str) -> None:
        narrowed(lambda targets: broken(argv, targets))

    def report(argv: tuple[str, ...], targets: list[str]) -> tuple[int, str]:
        done = subprocess.run([os.path.join(bindir, argv[0]), *argv[1:], *targets], capture_output=True,
                              cwd=folder, check=False)
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def cache_differs(name: str, targets: list[str]) -> str | None:
        """How a report from a cold and then a warm cache differs from one without (None: it does not)."""
        cache = folder + "-cache"
        shutil.rmtree(cache, ignore_errors=True)
        fresh = report(("innolint", "--no-cache", "--format", name), targets)
        for run_name in ("cold", "warm"):
            got = report(("innolint", "--cache-dir", cache, "--format", name), targets)
            if got != fresh:
                return f"--format {name}, {run_name} cache: exit {got[0]} against {fresh[0]}, {got[1][:200]!r}"
        return None

    def compare(what: str, expected) -> None:
        for index, (path, data) in enumerate(zip(paths, inputs)):
            with open(path, "rb") as stream:
                written = stream.read()
            want = expected(Source.from_bytes(data, path), data)
            if written != want:
                failures.append((index, Failure("cli", f"{what} wrote {written[:60]!r}, the library {want[:60]!r}")))

    def formatted(source: Source, data: bytes) -> bytes:
        text = format_source(source)
        return data if source.binary or text == source.text else source.encode(text)

    def fixed(source: Source, data: bytes) -> bytes:
        settings = Settings()
        outcome = apply_fixes(source, lambda s: lint_source(s, settings), unsafe=True)
        return outcome.data(source) if outcome.changed(source) else data

    write_all()
    run("innolint", "--no-cache", "--format", "json")
    run("innolint", "--no-cache", "--format", "full", "--unsafe-fixes")  # with every fix preview
    for name in ("sarif", "junit", "full"):
        narrowed(lambda targets, name=name: cache_differs(name, targets))
    run("innoscript", "fmt")
    compare("fmt", formatted)
    write_all()
    run("innolint", "--no-cache", "--fix", "--unsafe-fixes", "--format", "concise")
    compare("--fix --unsafe-fixes", fixed)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder + "-cache", ignore_errors=True)
    return failures
