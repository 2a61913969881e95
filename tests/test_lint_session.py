"""The lint session: the library behind `innolint PATH...`, the language
server and the update server's lint gate; the gate reads the project's
configuration as `innolint` does."""

from __future__ import annotations

import http.client
import os
from pathlib import Path

import pytest

from innoscript.lint.config import clear_caches
from innoscript.lint.diagnostic import Severity
from innoscript.lint.session import Session
from innoscript.server.gate import LintGate

GOOD = b"mod cmd UP1 times /allow 1,2,3 /initial 6\r\nmod cmd UP0 prot http://10.0.0.1/fw/ip1200.bin ireset 07-60600\r\n"
BROKEN = GOOD + b"mod cmd UP1 check\x01 x\r\n"  # UPD-090, an error
WARNED = GOOD.replace(b"times", b"time", 1)  # UPD-002 (a warning) and nothing else


@pytest.fixture(autouse=True)
def _fresh_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clear_caches()
    yield
    clear_caches()


def test_session_lints_folders_with_each_files_configuration_and_fail_level(tmp_path):
    strict = tmp_path / "strict"
    lenient = tmp_path / "lenient"
    for folder in (strict, lenient):
        folder.mkdir()
        (folder / "update-ip1200.htm").write_bytes(WARNED)
    (lenient / ".innolint.toml").write_text('fail-level = "error"\n', encoding="utf-8")
    outcome = Session(cache=False).run([str(tmp_path)])
    by_folder = {Path(r.path).parent.name: (r, level) for r, level in zip(outcome.results, outcome.fail_levels)}
    assert by_folder["lenient"][1] == Severity.ERROR and by_folder["strict"][1] == Severity.WARNING
    assert [d.code for d in by_folder["strict"][0].diagnostics] == ["UPD-002"]
    assert outcome.failing and outcome.exit_status == 1
    (strict / ".innolint.toml").write_text('ignore = ["time-alias"]\n', encoding="utf-8")
    clear_caches()
    again = Session(cache=False).run([str(tmp_path)])
    assert not again.failing and again.exit_status == 0


def test_session_lints_cfg_payloads_and_reports_unreadable_paths(tmp_path):
    (tmp_path / "update-ip1200.htm").write_bytes(b"mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt reset\n")
    (tmp_path / "site.txt").write_bytes(b"mod cmd UP0 cfg http://10.0.0.5/other.txt\n")
    outcome = Session(cache=False).run(["update-ip1200.htm", "missing.htm"])
    assert [r.path for r in outcome.results] == ["update-ip1200.htm", "site.txt"]
    assert "UPD-068" in [d.code for d in outcome.results[0].diagnostics]
    assert "UPD-065" in [d.code for d in outcome.results[1].diagnostics]
    assert outcome.errors == ["missing.htm: no such file or folder"] and outcome.exit_status == 2


def test_session_baseline_round_trip(tmp_path):
    (tmp_path / "update-ip1200.htm").write_bytes(WARNED)
    baseline = str(tmp_path / "baseline.json")
    assert Session(cache=False).run(["update-ip1200.htm"]).write_baseline(baseline) == 1
    outcome = Session(cache=False).run(["update-ip1200.htm"])
    assert outcome.apply_baseline(baseline) == 1
    assert not outcome.failing and outcome.results[0].diagnostics == ()


def test_session_reads_standard_input_with_the_configuration_of_its_name(tmp_path):
    (tmp_path / ".innolint.toml").write_text('severity = { UPD-002 = "error" }\n', encoding="utf-8")
    outcome = Session(cache=False, stdin_name="update-ip1200.htm", read_stdin=lambda: WARNED).run(["-"])
    (result,) = outcome.results
    assert result.path == "update-ip1200.htm"
    assert [(d.code, d.severity) for d in result.diagnostics] == [("UPD-002", Severity.ERROR)]


# -- the update server's gate --------------------------------------------------


def test_gate_honours_a_configuration_that_ignores_a_rule(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    script = site / "update-ip1200.htm"
    script.write_bytes(BROKEN)
    assert LintGate(None).decide("update-ip1200.htm", script).body is None  # UPD-090 blocks by default
    (site / ".innolint.toml").write_text('ignore = ["UPD-090"]\n', encoding="utf-8")
    clear_caches()
    decision = LintGate(None).decide("update-ip1200.htm", script)
    assert decision.body == BROKEN and decision.reason == ""


def test_gate_blocks_at_the_configured_fail_level(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    script = site / "update-ip1200.htm"
    script.write_bytes(WARNED)
    assert LintGate(None).decide("update-ip1200.htm", script).body == WARNED  # a warning passes by default
    (site / "pyproject.toml").write_text('[tool.innolint]\nfail-level = "warning"\n', encoding="utf-8")
    clear_caches()
    decision = LintGate(None).decide("update-ip1200.htm", script)
    assert decision.body is None and decision.reason.startswith("UPD-002 line 1")


def test_gate_severity_override_makes_a_warning_block(tmp_path):
    (tmp_path / ".innolint.toml").write_text('severity = { time-alias = "error" }\n', encoding="utf-8")
    script = tmp_path / "update-ip1200.htm"
    script.write_bytes(WARNED)
    assert "UPD-002" in LintGate(None).decide("update-ip1200.htm", script).reason


def test_gate_with_a_broken_configuration_uses_the_defaults(tmp_path, caplog):
    (tmp_path / ".innolint.toml").write_text("select = [\n", encoding="utf-8")
    script = tmp_path / "update-ip1200.htm"
    script.write_bytes(BROKEN)
    assert LintGate(None).decide("update-ip1200.htm", script).body is None
    assert "not valid TOML" in caplog.text


def test_update_server_gate_reads_the_served_folders_configuration(tmp_path):
    pytest.importorskip("aiohttp")
    from innoscript.server.app import ServerThread
    from innoscript.server.config import ServerConfig

    root = tmp_path / "root"
    root.mkdir()
    (root / "update-ip1200.htm").write_bytes(BROKEN)
    (root / ".innolint.toml").write_text('ignore = ["syntax-error"]\n', encoding="utf-8")
    config = ServerConfig(root=root, bind="127.0.0.1", port=0, anonymous=frozenset({"read"}), state_dir=tmp_path / "state")
    with ServerThread(config) as running:
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
        try:
            conn.request("GET", "/update-ip1200.htm")
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, BROKEN)
        finally:
            conn.close()


def test_lint_document_gives_the_same_with_an_incremental_linter():
    from innoscript.lint.engine import IncrementalLinter
    from innoscript.lint.session import lint_document
    from innoscript.lint.settings import Settings
    from innoscript.source import Source
    from innoscript.syntax import parse

    linter = IncrementalLinter()
    for text in (WARNED, WARNED + b"mod cmd UP1 time /allow 4\r\n", BROKEN):
        script = parse(Source.from_bytes(text, "update-ip1200.htm"))
        assert lint_document(script, Settings(), linter) == lint_document(script, Settings())


def test_display_path_is_relpath_below_the_folder_and_the_path_elsewhere(tmp_path, monkeypatch):
    from innoscript.lint.session import display_path

    def reference(path: str) -> str:
        if path.startswith("<") or not os.path.isabs(path):
            return path
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative

    (tmp_path / "a" / "b").mkdir(parents=True)
    here = str(tmp_path / "a")
    paths = [f"{here}/x.htm", f"{here}//b/./y.htm", f"{here}/b/../z.htm", here, here + "/", f"{here}x/w.htm",
             str(tmp_path), "/", "relative/x.htm", "<stdin>", f"{tmp_path}/a/../a/b/v.htm"]
    for cwd in (here, str(tmp_path), "/"):
        monkeypatch.chdir(cwd)
        assert [display_path(p) for p in paths] == [reference(p) for p in paths], cwd


def test_file_results_compare_replace_and_count_like_records():
    from innoscript.lint.diagnostic import Diagnostic, Edit, Fix, Severity
    from innoscript.lint.result import FileResult
    from innoscript.source import Source

    source = Source("mod cmd UP1 poll\n", "update-a.htm")
    span = source.span(0, 3)
    fix = Fix("f", (Edit(span, "x"),), safe=False)
    diagnostics = (Diagnostic("UPD-001", "a", Severity.ERROR, "m", "update-a.htm", span),
                   Diagnostic("UPD-002", "b", Severity.HINT, "m", "update-a.htm", span, fix))
    result = FileResult("update-a.htm", source, diagnostics)
    assert result == FileResult("update-a.htm", source, diagnostics) != result._replace(fixed=True)
    assert result._replace(diagnostics=diagnostics[:1]).diagnostics == diagnostics[:1]
    assert result.tally() == (0, 1, 0, 1, 0, 1)
    assert [result.failing_count(level) for level in Severity] == [2, 2, 1, 1]
    assert result.failing(Severity.WARNING) == diagnostics[:1] and result.count(Severity.HINT) == 1
    assert result.printed("concise") is None
