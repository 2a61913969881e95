"""The fuzzing harness in the suite: a few hundred mutated scripts per run.

``benchmarks/fuzz.py`` runs the same strategies and properties over tens of
thousands of inputs; a failure found there goes to tests/regressions/fuzz/.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

try:
    import fuzzing
except ImportError:  # the tests folder imported as a package
    from . import fuzzing

from innoscript.source import Source

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@BOUNDED
@given(fuzzing.inputs())
def test_any_input_keeps_every_property(data):
    assert fuzzing.check(data) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzing.scripts())
def test_a_clean_script_keeps_every_property(text):
    assert fuzzing.check(text.encode("utf-8")) == []


def test_the_harness_sees_a_meaning_change(monkeypatch):
    """The oracle is not blind: a formatter that writes verbs in lower case fails it."""
    import innoscript.fmt as fmt

    monkeypatch.setattr(fmt, "format_source", lambda source: source.text.replace("TIMES", "times"))
    failures = fuzzing._check_fmt(Source.from_bytes(b"mod cmd UP1 TIMES /allow 3\n"))
    assert [f.kind for f in failures] == ["meaning-change"]


def test_the_harness_sees_a_lost_line(monkeypatch):
    import innoscript.lint.fixes as fixes

    real = fixes.kept_apart
    monkeypatch.setattr(fixes, "kept_apart", lambda text, edits: sorted(edits, key=lambda e: (e.span.start, e.span.end)))
    data = b"mod cmd UP1 times /allow 23 /initial 6\rmod cmd UP1 poll\nmod cmd UP1 poll\n\nconfig write\n"
    kinds = [f.kind for f in fuzzing.check(data, interpreter=False)]
    assert "lost-line" in kinds
    monkeypatch.setattr(fixes, "kept_apart", real)
    assert fuzzing.check(data, interpreter=False) == []


def test_the_harness_sees_a_second_fix_run(monkeypatch):
    """With same-point insertions held back a round each, 14 moved backups need two runs."""
    import os

    import innoscript.lint.fixes as fixes

    path = os.path.join(os.path.dirname(__file__), "regressions", "fuzz", "fix-convergence-many-backups-below-check.bin")
    with open(path, "rb") as stream:
        data = stream.read()
    assert fuzzing.check(data, interpreter=False) == []
    monkeypatch.setattr(fixes._Taken, "conflicts", lambda self, r, code: any(fixes._overlaps(r, t[:2]) for t in self.ranges))
    assert "fix-convergence" in [f.kind for f in fuzzing.check(data, interpreter=False)]


def test_the_harness_sees_a_server_that_splits_lines_like_python(monkeypatch):
    """Python's splitlines also breaks at U+2028: edits then land on the wrong line."""
    import innoscript.lsp.buffer as buffer

    data = "# note\u2028more\nmod cmd UP1 time /allow 3\n".encode()
    assert fuzzing.check(data, interpreter=False) == []
    monkeypatch.setattr(buffer, "split_lines", lambda text: text.splitlines(True))
    assert "divergence" in [f.kind for f in fuzzing.check(data, interpreter=False)]


def test_the_harness_sees_first_line_columns_that_forget_the_bom(monkeypatch):
    """A leading U+FEFF is a character of the editor's first line: "Write `times`" must not land one early."""
    from innoscript.lsp.analysis import Snapshot
    from innoscript.lsp.positions import Mapper

    data = "\ufeffmod cmd UP1 time /allow 3\n".encode()
    assert fuzzing.check(data, interpreter=False) == []
    monkeypatch.setattr(Snapshot, "mapper", lambda self: Mapper(self.source.lines, False, self.encoding))
    assert "divergence" in [f.kind for f in fuzzing.check(data, interpreter=False)]


def test_the_command_lines_agree_with_the_library(tmp_path):
    """A few dozen inputs through innolint, innolint --fix and innoscript fmt, one run each."""
    from hypothesis import Phase, seed

    found = []

    @seed(20261130)
    @settings(max_examples=40, phases=[Phase.generate], database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fuzzing.inputs())
    def collect(data):
        found.append(data)

    collect()
    assert fuzzing.check_cli(found, str(tmp_path / "cli")) == []


def test_the_harness_sees_a_command_line_that_writes_other_bytes(tmp_path, monkeypatch):
    """fmt through the command line is compared byte for byte with the library."""
    import innoscript.fmt as fmt

    data = b"mod cmd UP1 TIMES /allow 3\r\nMOD CMD UP1 poll\r\n"
    assert fuzzing.check_cli([data], str(tmp_path / "a")) == []
    real = fmt.format_source
    # The library's fmt changed in this process only: the command line no longer agrees with it.
    monkeypatch.setattr(fmt, "format_source", lambda source: real(source).upper())
    assert [f.kind for _, f in fuzzing.check_cli([data], str(tmp_path / "b"))] == ["cli"]
