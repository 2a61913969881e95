"""Applying fixes, showing them as a diff and writing files back."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript import catalog
from innoscript.lint import Diagnostic, Settings, lint_source
from innoscript.lint.diagnostic import Edit, Fix, Severity
from innoscript.lint.fixes import FixOutcome, apply_edits, apply_fixes, diff, write_atomically
from innoscript.source import Source
from innoscript.syntax import ast, parse

try:
    from test_fmt import scripts
except ImportError:  # the tests folder imported as a package
    from .test_fmt import scripts


def make(source: Source, code: str, start: int, end: int, edits, *, safe=True, severity=Severity.WARNING) -> Diagnostic:
    fix = Fix(f"fix {code}", tuple(Edit(source.span(s, e), text) for s, e, text in edits), safe)
    return Diagnostic(code, code.lower(), severity, "m", source.path, source.span(start, end), fix)


def word_rule(word: str, replacement: str, code: str = "TST-001", *, safe: bool = True, severity=Severity.WARNING):
    """A linter that finds every ``word`` and offers to replace it."""

    def lint(source: Source) -> list[Diagnostic]:
        out = []
        position = source.text.find(word)
        while position >= 0:
            end = position + len(word)
            out.append(make(source, code, position, end, [(position, end, replacement)], safe=safe, severity=severity))
            position = source.text.find(word, end)
        return out

    return lint


def combine(*linters):
    def lint(source: Source) -> list[Diagnostic]:
        return sorted((d for linter in linters for d in linter(source)), key=lambda d: d.sort_key)

    return lint


def syntax_errors(source: Source) -> list[Diagnostic]:
    return [d for d in lint_source(source, Settings(select=("UPD-090",)))]


# -- apply_fixes ---------------------------------------------------------------------


def test_safe_fixes_are_applied_and_reported():
    source = Source("mod cmd UP1 Times /allow 1\nmod cmd UP1 Times /allow 2\n", "a.htm")
    outcome = apply_fixes(source, word_rule("Times", "times"))
    assert isinstance(outcome, FixOutcome)
    assert outcome.text == "mod cmd UP1 times /allow 1\nmod cmd UP1 times /allow 2\n"
    assert [d.span.line for d in outcome.applied] == [1, 2]
    assert outcome.dropped == []
    assert outcome.changed(source)


def test_unsafe_fixes_only_when_asked():
    source = Source("a # note\n", "a.htm")
    lint = word_rule(" # note", "", safe=False)
    assert apply_fixes(source, lint).text == source.text
    assert apply_fixes(source, lint, unsafe=True).text == "a\n"


def test_overlapping_fixes_wait_for_the_next_round():
    source = Source("abc\n", "a.htm")
    lint = combine(word_rule("ab", "AB", "TST-001"), word_rule("bc", "BC", "TST-002"))
    outcome = apply_fixes(source, lint)
    # `ab` goes first (earlier); `bc` is gone after it, so it is never applied.
    assert outcome.text == "ABc\n"
    assert [d.code for d in outcome.applied] == ["TST-001"]

    # Here the held-back fix still applies after the first: in round two.
    lint = combine(word_rule("ab", "xb", "TST-001"), word_rule("bc", "bC", "TST-002"))
    outcome = apply_fixes(Source("abc\n", "a.htm"), lint)
    assert outcome.text == "xbC\n"
    assert [d.code for d in outcome.applied] == ["TST-001", "TST-002"]


def test_fixes_in_one_round_apply_together_at_their_offsets():
    source = Source("x1 y x2 y x3\n", "a.htm")
    outcome = apply_fixes(source, combine(word_rule("x", "XX", "TST-001"), word_rule("y", "", "TST-002")))
    assert outcome.text == "XX1  XX2  XX3\n"
    assert len(outcome.applied) == 5


def test_fix_that_adds_a_syntax_error_is_dropped():
    source = Source("mod cmd UP1 poll\n", "a.htm")
    lint = combine(syntax_errors, word_rule("poll", "po\x01ll"))
    outcome = apply_fixes(source, lint)
    assert outcome.text == source.text
    assert outcome.applied == []
    assert len(outcome.dropped) == 1
    assert outcome.dropped[0][1] == "would introduce a syntax error"


def test_fix_that_adds_another_error_is_dropped_but_good_ones_stay():
    def no_bad_word(source: Source) -> list[Diagnostic]:
        position = source.text.find("BAD")
        if position < 0:
            return []
        return [Diagnostic("TST-009", "bad", Severity.ERROR, "bad", source.path, source.span(position, position + 3))]

    source = Source("one two\n", "a.htm")
    lint = combine(no_bad_word, word_rule("one", "BAD", "TST-001"), word_rule("two", "2", "TST-002"))
    outcome = apply_fixes(source, lint)
    assert outcome.text == "one 2\n"
    assert [d.code for d in outcome.applied] == ["TST-002"]
    assert [(d.code, reason) for d, reason in outcome.dropped] == [("TST-001", "would introduce TST-009")]


def test_an_existing_error_does_not_block_fixes():
    source = Source("mod\x01cmd\nTimes\n", "a.htm")
    outcome = apply_fixes(source, combine(syntax_errors, word_rule("Times", "times")))
    assert outcome.text == "mod\x01cmd\ntimes\n"


def test_fixes_undoing_each_other_terminate():
    source = Source("a\n", "a.htm")
    lint = combine(word_rule("a", "b", "TST-001"), word_rule("b", "a", "TST-002"))
    outcome = apply_fixes(source, lint)
    assert outcome.text in ("a\n", "b\n")
    assert 1 <= len(outcome.applied) <= 2


def test_rounds_are_capped():
    source = Source("x\n", "a.htm")
    outcome = apply_fixes(source, word_rule("x", "xx"), max_rounds=3)
    assert outcome.text == "x" * 8 + "\n"  # three rounds, each doubling every x
    assert len(outcome.applied) == 1 + 2 + 4


def test_fix_with_overlapping_edits_is_dropped():
    source = Source("abcdef\n", "a.htm")

    def lint(src: Source) -> list[Diagnostic]:
        if "abc" not in src.text:
            return []
        return [make(src, "TST-001", 0, 3, [(0, 3, "x"), (2, 4, "y")])]

    outcome = apply_fixes(source, lint)
    assert outcome.text == source.text
    assert outcome.dropped[0][1] == "its edits overlap each other"


def test_fix_outside_the_text_is_dropped():
    source = Source("ab\n", "a.htm")

    def lint(src: Source) -> list[Diagnostic]:
        span = src.span(0, 1)._replace(start=2, end=50)
        fix = Fix("far away", (Edit(span, "x"),), True)
        return [Diagnostic("TST-001", "far", Severity.WARNING, "m", src.path, src.span(0, 1), fix)]

    outcome = apply_fixes(source, lint)
    assert outcome.text == source.text
    assert [reason for _, reason in outcome.dropped] == ["its edits fall outside the text"]


def test_edits_are_over_characters_not_bytes():
    source = Source.from_bytes("\U0001F600 Caf\xe9 Times\n".encode("utf-8"), "a.htm")
    assert apply_fixes(source, word_rule("Times", "times")).text == "\U0001F600 Caf\xe9 times\n"
    latin = Source.from_bytes(b"Caf\xe9 Times\r\n", "b.htm")
    outcome = apply_fixes(latin, word_rule("Times", "times"))
    assert latin.encode(outcome.text) == b"Caf\xe9 times\r\n"


def test_insertions_keep_the_line_endings():
    source = Source("mod cmd UP1 poll\r\nser\r\n", "a.htm")

    def add_line(src: Source) -> list[Diagnostic]:
        if "iresetn" in src.text:
            return []
        end = len(src.text)
        return [make(src, "TST-003", 0, 3, [(end, end, "iresetn" + src.newline)])]

    assert apply_fixes(source, add_line).text == "mod cmd UP1 poll\r\nser\r\niresetn\r\n"


def test_apply_edits_rejects_overlaps():
    source = Source("abcdef", "a")
    with pytest.raises(ValueError):
        apply_edits(source.text, [Edit(source.span(0, 3), "x"), Edit(source.span(1, 2), "y")])
    assert apply_edits(source.text, [Edit(source.span(3, 3), "-"), Edit(source.span(0, 1), "A")]) == "Abc-def"


# -- properties over generated scripts --------------------------------------------------------


def verb_case(source: Source) -> list[Diagnostic]:
    """A safe fix real rules may not have yet: known verbs in lower case."""
    out = []
    for line in parse(source).lines:
        if isinstance(line, ast.ModCommand) and line.module and line.verb and not line.verb.text.islower():
            if catalog.lookup(line.module.text, line.verb.text.lower()) is not None:
                span = line.at(line.verb)
                out.append(make(source, "TST-001", span.start, span.end, [(span.start, span.end, line.verb.text.lower())]))
    return out


def full_lint(source: Source) -> list[Diagnostic]:
    return sorted(lint_source(source) + verb_case(source), key=lambda d: d.sort_key)


def count_syntax_errors(diagnostics) -> int:
    return sum(1 for d in diagnostics if d.code == "UPD-090")


@settings(max_examples=100, deadline=None)
@given(scripts())
def test_fixing_terminates_is_idempotent_and_adds_no_syntax_error(text):
    source = Source(text, "update-ip232.htm")
    first = apply_fixes(source, full_lint, unsafe=True)
    fixed = Source(first.text, source.path)
    assert count_syntax_errors(full_lint(fixed)) <= count_syntax_errors(full_lint(source))
    second = apply_fixes(fixed, full_lint, unsafe=True)
    assert second.text == first.text
    assert second.applied == []


# -- diff ----------------------------------------------------------------------------------------


def test_diff_is_a_unified_diff():
    text = diff("dir\\a.htm", "one\ntwo\nthree\n", "one\n2\nthree\n")
    assert text.startswith("--- a/dir/a.htm\n+++ b/dir/a.htm\n@@ -1,3 +1,3 @@\n")
    assert " one\n-two\n+2\n three\n" in text
    assert diff("a.htm", "same\n", "same\n") == ""


def test_diff_marks_a_missing_final_newline_and_keeps_crlf():
    text = diff("a.htm", "one\r\ntwo", "one\r\ntwo\r\n")
    assert "-two\n\\ No newline at end of file\n+two\r\n" in text
    assert " one\r\n" in text


# -- write_atomically ---------------------------------------------------------------------------------


def test_write_keeps_bom_encoding_line_endings_and_mode(tmp_path):
    path = tmp_path / "update-ip232.htm"
    path.write_bytes(b"\xef\xbb\xbfmod cmd UP1 Times\r\n")
    os.chmod(path, 0o600)
    source = Source.from_path(path)
    write_atomically(path, source, source.text.replace("Times", "times"))
    assert path.read_bytes() == b"\xef\xbb\xbfmod cmd UP1 times\r\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["update-ip232.htm"]

    latin = tmp_path / "b.htm"
    latin.write_bytes(b"config add CMD0 /name Caf\xe9\n")
    source = Source.from_path(latin)
    write_atomically(latin, source, source.text + "ser\n")
    assert latin.read_bytes() == b"config add CMD0 /name Caf\xe9\nser\n"


def test_write_goes_through_a_symbolic_link(tmp_path):
    target = tmp_path / "real.htm"
    target.write_bytes(b"a\n")
    link = tmp_path / "link.htm"
    link.symlink_to(target)
    write_atomically(link, Source.from_path(link), "b\n")
    assert link.is_symlink() and target.read_bytes() == b"b\n"


def test_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.htm"
    path.write_bytes(b"old\n")

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomically(path, Source.from_path(path), "new\n")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.htm"]


# -- one run is enough, and no line is lost ------------------------------------------


def _cli_fix(text: str, *, unsafe: bool = True, select: tuple[str, ...] = ()) -> str:
    source = Source(text, "update-ip232.htm")
    settings = Settings(select=select) if select else Settings()
    return apply_fixes(source, lambda s: lint_source(s, settings), unsafe=unsafe).text


def test_deleting_a_line_keeps_a_blank_line_after_a_lone_cr():
    # Line 2 (`poll`) goes; line 1 ends in CR and line 3 is an empty LF line:
    # a plain cut would join CR and LF into one CRLF and line 3 would vanish.
    text = "mod cmd UP1 times /allow 1\rmod cmd UP1 poll\n\nconfig write\n"
    fixed = _cli_fix(text, select=("UPD-074",))
    assert "poll" not in fixed
    assert len(Source(fixed).lines) == len(Source(text).lines) - 1
    assert [line.text for line in Source(fixed).lines] == ["mod cmd UP1 times /allow 1", "", "config write"]


def test_moving_many_backups_above_the_check_takes_one_run():
    backups = [f"mod cmd UP0 scfg http://10.0.0.5/bak/#h-{n}.txt ser WEEKLY /force 168" for n in range(15)]
    text = "\n".join(["mod cmd UP1 times /allow 23,0,1,2,3,4 /initial 6", "mod cmd UP1 check iresetn 2024-06-01", *backups]) + "\n"
    once = _cli_fix(text, select=("UPD-055",))
    assert _cli_fix(once, select=("UPD-055",)) == once
    lines = once.splitlines()
    assert lines[1:16] == backups  # all above the check, in their order
    assert lines[16] == "mod cmd UP1 check iresetn 2024-06-01"
    assert not [d for d in lint_source(Source(once), Settings(select=("UPD-055",)))]


def test_same_point_insertions_of_two_rules_still_wait_a_round():
    source = Source("a\n", "a.htm")

    def inserts(code, text):
        def lint(s: Source):
            return [make(s, code, 0, 1, [(0, 0, text)])] if text not in s.text else []

        return lint

    outcome = apply_fixes(source, combine(inserts("TST-001", "x"), inserts("TST-002", "y")))
    assert [d.code for d in outcome.applied] == ["TST-001", "TST-002"]
    assert outcome.text == "yxa\n"  # the second in its own round, at the point it then finds


def test_many_fixes_in_one_round_are_taken_in_linear_time():
    # 20,000 independent fixes: the old overlap check compared each with all
    # taken before it (200 million comparisons); now each looks at its neighbours.
    source = Source("x " * 20000 + "\n", "a.htm")
    calls = []

    def counting_overlaps(a, b, _real=__import__("innoscript.lint.fixes", fromlist=["_overlaps"])._overlaps):
        calls.append(1)
        return _real(a, b)

    import innoscript.lint.fixes as fixes_module

    original = fixes_module._overlaps
    fixes_module._overlaps = counting_overlaps
    try:
        outcome = apply_fixes(source, word_rule("x", "y"), max_rounds=1)
    finally:
        fixes_module._overlaps = original
    assert outcome.text == "y " * 20000 + "\n"
    assert len(calls) < 5 * 20000


@pytest.mark.parametrize(
    "data, fixed",
    [
        # UTF-8, no BOM: deleting line 1 leaves U+FEFF first, which would read back as a BOM.
        (b"a\n\xef\xbb\xbfb\n", "\ufeffb\n"),
        # latin-1: deleting the stray byte leaves `\xef\xbb\xbf` first, a BOM once written.
        (b"\x81\xef\xbb\xbf x\n", "\xef\xbb\xbf x\n"),
        # latin-1: deleting the one byte that was not UTF-8 leaves valid UTF-8.
        (b"\xe9\n\xc3\xa9\n", "\xc3\xa9\n"),
    ],
)
def test_written_fixes_read_back_as_the_fixed_text(tmp_path, data, fixed):
    path = tmp_path / "update-x.htm"
    path.write_bytes(data)
    source = Source.from_bytes(data, str(path))
    write_atomically(path, source, fixed)
    assert Source.from_bytes(path.read_bytes()).text == fixed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 4)), max_size=8))
def test_a_fix_whose_own_edits_overlap_is_found_in_one_sorted_pass(ranges):
    """The one-pass check agrees with comparing every pair (a fix may hold 500,000 edits)."""
    from innoscript.lint.fixes import _overlaps, _own_edits_conflict

    spans = [(start, start + length) for start, length in ranges]
    source = Source("x" * 20, "t.htm")
    fix = Fix("f", tuple(Edit(source.span(a, b), "") for a, b in spans), True)
    pairwise = any(_overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    assert _own_edits_conflict(fix) == pairwise
