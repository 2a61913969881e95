"""`innolint`: options, exit codes, formats, fixes, baselines, settings display."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from innoscript.cli.lint import lint_command, main
from innoscript.lint.config import clear_caches

REPO = Path(__file__).resolve().parent.parent
BAD = "mod\x01cmd UP1 check iresetn 2024-06-01\n"  # UPD-090 (error) at 1:4
UNUSED = "# innolint: disable-next-line=UPD-090 -- stale\nmod cmd UP1 check iresetn 2024-06-01\n"  # UPD-093 at 1:31


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    clear_caches()
    yield
    clear_caches()


def invoke(*args, input=None, env=None):
    return CliRunner().invoke(lint_command, list(args), input=input, env=env)


def write(name, text):
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="latin-1" if "\xe9" in text else "utf-8")
    return name


def codes(output: str) -> list[str]:
    return [line.split(" ")[1] for line in output.splitlines() if line.count(":") >= 3 and " UPD-" in line]


def test_bundled_example_has_findings_and_exits_1(tmp_path):
    shutil.copytree(REPO / "examples", "examples")
    result = invoke("--no-cache", "examples/update-ip1200.htm")
    assert result.exit_code == 1, result.output
    found = codes(result.stdout)
    assert "UPD-068" in found and "UPD-094" in found
    # the payload's own findings are reported in the payload file
    assert any(line.startswith("examples/dect-site.txt:") for line in result.stdout.splitlines())


def test_clean_file_exits_0_and_says_so_and_quiet_prints_nothing():
    write("update-ip232.htm", "# nothing to do\n")
    result = invoke("update-ip232.htm")
    assert result.exit_code == 0 and result.stdout == "No problems found in 1 file.\n"
    result = invoke("--quiet", "update-ip232.htm")
    assert result.exit_code == 0 and result.stdout == ""


def test_missing_file_is_one_error_line_and_exit_2():
    write("update-a.htm", BAD)
    result = invoke("--model", "IP232", "nope.htm", "update-a.htm")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: nope.htm: no such file or folder"
    assert "Traceback" not in result.output
    assert "update-a.htm:1:4: UPD-090" in result.stdout  # the others are still linted


def test_unreadable_file_exit_2(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    write("update-a.htm", BAD)
    os.chmod("update-a.htm", 0)
    result = invoke("update-a.htm")
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_binary_file_is_a_finding_and_linting_goes_on():
    Path("update-fw.htm").write_bytes(b"\x7fELF\x00\x00binary")
    write("update-b.htm", BAD)
    result = invoke("update-fw.htm", "update-b.htm")
    assert result.exit_code == 1
    assert "update-fw.htm:1:1: UPD-092" in result.stdout and "update-b.htm:1:4: UPD-090" in result.stdout


def test_stdin_with_stdin_filename():
    result = invoke("-", "--stdin-filename", "update-ip72.htm", input=BAD)
    assert result.exit_code == 1
    assert result.stdout.startswith("update-ip72.htm:1:4: UPD-090")
    plain = invoke("-", input=BAD)
    assert plain.stdout.startswith("<stdin>:1:4: UPD-090")


def test_json_format():
    write("update-a.htm", BAD)
    result = invoke("--format", "json", "update-a.htm")
    data = json.loads(result.stdout)
    assert any(item["code"] == "UPD-090" and item["span"]["line"] == 1 for item in data)


def test_github_format_is_chosen_in_github_actions():
    write("update-a.htm", BAD)
    result = invoke("update-a.htm", env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error ")
    explicit = invoke("--format", "concise", "update-a.htm", env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("update-a.htm:1:4")


def test_color_choices():
    write("update-a.htm", BAD)
    assert "\x1b[" in invoke("--format", "full", "--color", "always", "update-a.htm").stdout
    assert "\x1b[" not in invoke("--format", "full", "--color", "never", "update-a.htm").stdout
    assert "\x1b[" in invoke("--format", "full", "update-a.htm", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in invoke("--format", "full", "update-a.htm", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_select_ignore_and_extend():
    write("update-a.htm", BAD + UNUSED)
    both = codes(invoke("--select", "UPD-090,UPD-093", "update-a.htm").stdout)
    assert both == ["UPD-090", "UPD-093"]
    assert codes(invoke("--select", "source", "--ignore", "unused-suppression", "update-a.htm").stdout) == ["UPD-090"]
    assert codes(invoke("--select", "UPD-090", "--extend-select", "UPD-093", "update-a.htm").stdout) == both


def test_severity_override_and_fail_level():
    write("update-a.htm", BAD)
    assert invoke("--select", "UPD-090", "update-a.htm").exit_code == 1
    assert invoke("--select", "UPD-090", "--severity", "UPD-090=info", "update-a.htm").exit_code == 0
    assert invoke("--select", "UPD-090", "--severity", "UPD-090=info", "--fail-level", "info", "update-a.htm").exit_code == 1
    write("update-b.htm", UNUSED)  # a warning only
    assert invoke("--select", "UPD-090,UPD-093", "update-b.htm").exit_code == 1
    assert invoke("--select", "UPD-090,UPD-093", "--fail-level", "error", "update-b.htm").exit_code == 0


def test_config_option_and_require_reason():
    write("update-a.htm", "# innolint: disable-next-line=UPD-090\n" + BAD)
    assert "UPD-095" in codes(invoke("--require-reason", "update-a.htm").stdout)
    assert "UPD-095" in codes(invoke("--config", "require-reason=true", "update-a.htm").stdout)
    assert "UPD-095" not in codes(invoke("update-a.htm").stdout)


def test_bad_config_file_is_exit_2_naming_file_and_key():
    write(".innolint.toml", 'target-version = "v99"\n')
    write("update-a.htm", BAD)
    result = invoke("update-a.htm")
    assert result.exit_code == 2
    assert ".innolint.toml" in result.stderr and "target-version" in result.stderr
    assert "Traceback" not in result.output


def test_bad_command_line_values_are_exit_2():
    write("update-a.htm", BAD)
    for args in (["--select", "UPD-999"], ["--target-version", "v1"], ["--severity", "UPD-090"], ["--config", "nokey"],
                 ["--config", "colour=red"], ["--url-map", "nodir"]):
        result = invoke(*args, "update-a.htm")
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: "), args


def test_per_path_overrides_from_pyproject():
    write("pyproject.toml", '[tool.innolint]\nselect = ["UPD-090"]\n[[tool.innolint.overrides]]\npaths = ["legacy/*.htm"]\n'
          'severity = { UPD-090 = "hint" }\n')
    write("legacy/update-a.htm", BAD)
    write("update-b.htm", BAD)
    assert invoke("legacy/update-a.htm").exit_code == 0
    assert invoke("update-b.htm").exit_code == 1


def test_show_settings_names_origins():
    write(".innolint.toml", 'target-version = "v13r3"\n')
    write("update-ip232.htm", BAD)
    result = invoke("--show-settings", "--fail-level", "error", "update-ip232.htm")
    assert result.exit_code == 0
    out = result.stdout
    config = str(Path(".innolint.toml").resolve())
    assert f'target-version = "v13r3"  # {config}' in out
    assert 'fail-level = "error"  # command line' in out
    assert 'mode = "script"  # default' in out
    assert "inferred from the file name: IP232" in out


def test_explain_rule_and_rules():
    explained = invoke("--explain", "UPD-093")
    assert explained.exit_code == 0 and "## What it does" in explained.stdout and "unused-suppression" in explained.stdout
    runner = CliRunner()
    by_name = runner.invoke(lint_command, ["rule", "unused-suppression"])
    assert by_name.exit_code == 0 and by_name.stdout == explained.stdout
    unknown = runner.invoke(lint_command, ["rule", "UPD-999"])
    assert unknown.exit_code == 2 and "unknown rule" in unknown.stderr
    listing = runner.invoke(lint_command, ["rules"])
    assert any(line.startswith("UPD-093  unused-suppression") for line in listing.stdout.splitlines())
    data = json.loads(runner.invoke(lint_command, ["rules", "--json"]).stdout)
    entry = next(item for item in data if item["code"] == "UPD-093")
    assert entry == {**entry, "severity": "warning", "fix": "safe", "group": "source"}


def test_fix_writes_the_file_and_diff_does_not():
    write("update-a.htm", UNUSED)
    diff = invoke("--diff", "--select", "UPD-090,UPD-093", "update-a.htm")
    assert diff.exit_code == 1
    assert "-# innolint: disable-next-line=UPD-090 -- stale" in diff.stdout
    assert Path("update-a.htm").read_text() == UNUSED
    fixed = invoke("--fix", "--select", "UPD-090,UPD-093", "update-a.htm")
    assert fixed.exit_code == 0, fixed.output
    assert Path("update-a.htm").read_text() == "mod cmd UP1 check iresetn 2024-06-01\n"
    assert "fixed 1 finding in 1 file" in fixed.stderr
    assert invoke("--diff", "--select", "UPD-090,UPD-093", "update-a.htm").exit_code == 0


def test_fix_on_stdin_prints_the_fixed_text():
    result = invoke("--fix", "--select", "UPD-090,UPD-093", "-", input=UNUSED)
    assert result.stdout == "mod cmd UP1 check iresetn 2024-06-01\n"


def test_fix_on_stdin_never_writes_the_file_it_is_named_after():
    # The name only chooses settings and messages; the file on disk is the user's.
    on_disk = b"# the user's own file\r\nmod cmd UP1 check iresetn other-serial\r\n"
    Path("update-ip232.htm").write_bytes(on_disk)
    result = invoke("--fix", "--select", "UPD-090,UPD-093", "-", "--stdin-filename", "update-ip232.htm", input=UNUSED)
    assert result.stdout == "mod cmd UP1 check iresetn 2024-06-01\n"
    assert Path("update-ip232.htm").read_bytes() == on_disk
    absent = invoke("--fix", "--select", "UPD-090,UPD-093", "-", "--stdin-filename", "update-ip72.htm", input=UNUSED)
    assert absent.stdout == "mod cmd UP1 check iresetn 2024-06-01\n"
    assert not Path("update-ip72.htm").exists()


def test_fix_refuses_stdin_mixed_with_files():
    Path("update-a.htm").write_bytes(UNUSED.encode())
    result = invoke("--fix", "-", "update-a.htm", input=UNUSED)
    assert result.exit_code == 2
    assert "only PATH" in result.output
    assert Path("update-a.htm").read_bytes() == UNUSED.encode()


def test_baseline_round_trip():
    write("update-a.htm", BAD)
    written = invoke("--write-baseline", "baseline.json", "update-a.htm")
    assert written.exit_code == 0 and "1 finding recorded" in written.stderr
    assert invoke("--baseline", "baseline.json", "update-a.htm").exit_code == 0
    write("update-a.htm", "# moved\n" + BAD + BAD)
    again = invoke("--baseline", "baseline.json", "--select", "UPD-090", "update-a.htm")
    assert again.exit_code == 1 and codes(again.stdout) == ["UPD-090"]
    assert invoke("--baseline", "missing.json", "update-a.htm").exit_code == 2


def test_statistics():
    write("update-a.htm", BAD + BAD + UNUSED)
    result = invoke("--statistics", "--select", "UPD-090,UPD-093", "update-a.htm")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["2", "UPD-090", "error", "syntax-error"]
    assert lines[1].split() == ["1", "UPD-093", "warning", "unused-suppression"]
    assert lines[-1].split()[0] == "3"


def test_cache_folder_is_used_and_bypassed(tmp_path):
    write("update-a.htm", BAD)
    invoke("--cache-dir", "c", "update-a.htm")
    assert any(name.startswith("results-") for name in os.listdir("c"))
    invoke("--no-cache", "--cache-dir", "d", "update-a.htm")
    assert not os.path.exists("d")
    write(".innolint.toml", "")
    os.mkdir("sub")
    os.chdir("sub")
    write("update-b.htm", BAD)
    invoke("update-b.htm")
    assert os.path.isdir(tmp_path / ".innolint_cache")  # next to the configuration


def test_folder_argument_and_help():
    write("scripts/update-a.htm", BAD)
    write("scripts/readme.txt", BAD)
    result = invoke("scripts")
    assert result.stdout.startswith("scripts/update-a.htm:1:4") and "readme" not in result.stdout
    assert invoke().exit_code == 2
    help_text = invoke("--help").stdout
    assert "Examples:" in help_text and "innolint rule UPD-046" in help_text


def test_console_script_and_light_import(tmp_path):
    write("update-a.htm", BAD)
    code = ("import sys, innoscript.cli.lint\n"
            "heavy = {'pygls', 'aiohttp', 'matplotlib', 'numpy', 'hypothesis', 'pathspec', 'jsonschema', 'lark'}\n"
            "print(sorted(heavy & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    run = subprocess.run([sys.executable, "-c", "from innoscript.cli.lint import main; main()", "--no-cache", "update-a.htm"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "UPD-090" in run.stdout
    assert main is not None


def test_fix_that_cannot_be_written_is_exit_2(monkeypatch):
    import innoscript.lint.fixes as fixes

    def refuse(path, source, text):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(fixes, "write_atomically", refuse)
    write("update-a.htm", UNUSED)
    result = invoke("--fix", "--select", "UPD-090,UPD-093", "update-a.htm")
    assert result.exit_code == 2
    assert "error: update-a.htm: cannot write the fixes (Permission denied)" in result.stderr
    assert "Traceback" not in result.output
    assert Path("update-a.htm").read_text() == UNUSED
    assert "UPD-093" in codes(result.stdout)  # still reported: it was not fixed


def test_broken_symlink_is_exit_2():
    os.symlink("nowhere.htm", "update-link.htm")
    result = invoke("update-link.htm")
    assert result.exit_code == 2 and result.stderr.strip() == "error: update-link.htm: not a regular file or folder"


def test_format_from_the_configuration():
    write(".innolint.toml", 'format = "gcc"\n')
    write("update-a.htm", BAD)
    assert invoke("update-a.htm").stdout.startswith("update-a.htm:1:4: error: ")
    assert invoke("--format", "concise", "update-a.htm").stdout.startswith("update-a.htm:1:4: UPD-090")
    write(".innolint.toml", 'format = "fancy"\n')
    clear_caches()
    bad = invoke("update-a.htm")
    assert bad.exit_code == 2 and "format" in bad.stderr


def test_cached_results_print_exactly_like_fresh_ones():
    write("update-a.htm", "# innolint: disable-next-line=UPD-091 -- x\n" + BAD)
    fresh = invoke("--format", "full", "--cache-dir", "c", "update-a.htm")
    cached = invoke("--format", "full", "--cache-dir", "c", "update-a.htm")
    assert "UPD-090" in fresh.stdout and "UPD-093" in fresh.stdout
    assert cached.stdout == fresh.stdout and cached.exit_code == fresh.exit_code == 1


# -- what every run says, and the options linter users expect -------------------------


def test_concise_names_the_severity_and_ends_with_counts_and_the_exit_reason():
    write("update-a.htm", BAD)
    result = invoke("--format", "concise", "--select", "UPD-090", "update-a.htm")
    assert result.stdout.splitlines() == [
        "update-a.htm:1:4: UPD-090 error: syntax error: unexpected control character U+0001; "
        "a command line may contain only printable characters, blanks and tabs",
        "Found 1 problem in 1 file (1 error).",
        "Exit status 1: 1 problem at or above the fail level (warning).",
    ]
    lenient = invoke("--format", "concise", "--select", "UPD-090", "--fail-level", "error",
                     "--severity", "UPD-090=warning", "update-a.htm")
    assert lenient.exit_code == 0
    assert lenient.stdout.endswith("Exit status 0: no problem at or above the fail level (error).\n")
    full = invoke("--format", "full", "--select", "UPD-090", "update-a.htm")
    assert "UPD-090 [syntax-error] error: syntax error" in full.stdout
    assert "Exit status 1: 1 problem at or above the fail level (warning)." in full.stdout


def test_exit_zero_keeps_the_findings_but_not_the_failure():
    write("update-a.htm", BAD)
    result = invoke("--exit-zero", "--select", "UPD-090", "update-a.htm")
    assert result.exit_code == 0 and "UPD-090" in result.stdout
    assert invoke("--exit-zero", "missing.htm").exit_code == 2


def test_output_file_takes_the_report_and_stdout_stays_empty():
    write("update-a.htm", BAD)
    result = invoke("-o", "report.json", "--format", "json", "--select", "UPD-090", "update-a.htm")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(Path("report.json").read_text(encoding="utf-8"))[0]["code"] == "UPD-090"
    coloured = invoke("--output-file", "report.txt", "--format", "full", "update-a.htm")
    assert coloured.exit_code == 1 and "\x1b[" not in Path("report.txt").read_text(encoding="utf-8")
    Path("folder").mkdir()
    unwritable = invoke("-o", "folder", "update-a.htm")
    assert unwritable.exit_code == 2 and "folder" in unwritable.stderr and "Traceback" not in unwritable.output


def test_no_color_option_and_environment():
    write("update-a.htm", BAD)
    for forced in (invoke("--format", "full", "--no-color", "update-a.htm", env={"FORCE_COLOR": "1"}),
                   invoke("--format", "full", "--no-color", "--color", "always", "update-a.htm")):
        # a report without colour, not a usage error (which has no colour either)
        assert forced.exit_code == 1 and "UPD-090" in forced.stdout, forced.output
        assert "\x1b[" not in forced.stdout
    assert "\x1b[" in invoke("--format", "full", "update-a.htm", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in invoke("--format", "full", "update-a.htm", env={"NO_COLOR": "1", "FORCE_COLOR": ""}).stdout


def test_quiet_leaves_out_summary_and_notes():
    write("update-a.htm", BAD)
    result = invoke("--quiet", "--format", "concise", "--select", "UPD-090", "update-a.htm")
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("update-a.htm:1:4: UPD-090 error:")


def test_statistics_honour_the_json_format():
    write("update-a.htm", BAD + BAD + UNUSED)
    result = invoke("--statistics", "--format", "json", "--select", "UPD-090,UPD-093", "update-a.htm")
    assert json.loads(result.stdout) == [
        {"code": "UPD-090", "name": "syntax-error", "severity": "error", "count": 2},
        {"code": "UPD-093", "name": "unused-suppression", "severity": "warning", "count": 1},
    ]


def test_diff_says_how_many_unsafe_fixes_it_did_not_show():
    write("update-ip232.htm", "config change IP4 ETH0 /addr 10.0.0.9\n")
    hidden = invoke("--diff", "--select", "UPD-070,UPD-071", "update-ip232.htm")
    assert hidden.stdout == "" and hidden.exit_code == 0
    assert "2 unsafe fixes not shown; add --unsafe-fixes" in hidden.stderr
    shown = invoke("--diff", "--unsafe-fixes", "--select", "UPD-070,UPD-071", "update-ip232.htm")
    assert "+config write" in shown.stdout and "not shown" not in shown.stderr
    write("update-ip232.htm", "# nothing\n")
    assert "no fixes to show" in invoke("--diff", "update-ip232.htm").stderr


def test_watch_lints_again_when_a_file_changes(tmp_path):
    import time

    write("update-a.htm", "# clean\n")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from innoscript.cli.lint import main; main()", "--watch", "--format", "concise",
         "--select", "UPD-090", "."],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        assert process.stdout.readline() == "No problems found in 1 file.\n"
        assert "watching for changes" in process.stderr.readline()
        time.sleep(0.05)
        write("update-a.htm", BAD)
        os.utime("update-a.htm", ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        assert "files changed" in process.stderr.readline()
        assert process.stdout.readline().startswith("update-a.htm:1:4: UPD-090 error:")
        assert process.poll() is None  # still watching
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("format_name", ["concise", "json", "sarif"])
def test_a_reader_that_stops_early_ends_the_report_quietly(tmp_path, format_name):
    """`innolint ... | head`: no traceback, and the exit status still says what was found."""
    write("update-ip232.htm", BAD * 3000)
    process = subprocess.Popen(
        [sys.executable, "-c", "from innoscript.cli.lint import main; main()", "--no-cache", "--format", format_name,
         "update-ip232.htm"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
    )
    assert process.stdout.read(100)  # the report has started (far more than a pipe's buffer is to come)
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert errors == ""


def test_a_report_written_to_stdout_in_pieces_is_the_whole_report(tmp_path):
    write("update-a.htm", BAD * 50 + "é\n")
    for format_name in ("json", "json-lines", "sarif", "full"):
        shown = subprocess.run([sys.executable, "-c", "from innoscript.cli.lint import main; main()", "--no-cache",
                                "--format", format_name, "update-a.htm"], capture_output=True, cwd=tmp_path)
        assert shown.returncode == 1
        assert shown.stdout.decode("utf-8") == invoke("--no-cache", "--format", format_name, "update-a.htm").stdout


def test_a_payload_name_too_long_for_the_file_system_is_a_missing_payload():
    write("update-ip232.htm", "mod cmd UP0 cfg http://10.0.0.5/" + "\u00a0x" * 200 + ".txt iresetn\n")
    for args in ((), ("--fix", "--unsafe-fixes")):
        result = invoke("--no-cache", "--format", "concise", *args, "update-ip232.htm")
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in (0, 1) and "Traceback" not in result.output


# -- nothing is silent -----------------------------------------------------------------


def test_a_folder_without_update_scripts_is_exit_2_saying_how_to_include_others():
    Path("empty").mkdir()
    write("notes/site.txt", BAD)
    for folder in ("empty", "notes"):
        result = invoke(folder)
        assert result.exit_code == 2, result.output
        assert f"error: {folder}: no update scripts found (include: update-*.htm, *.upd, <MAC>.txt, <hwid>.htm)" \
            in result.stderr
        assert "set `include` in the configuration" in result.stderr
    write(".innolint.toml", 'include = ["*.txt"]\n')
    clear_caches()
    assert invoke("notes").exit_code == 1


def test_per_device_scripts_are_found_and_backups_are_not():
    for name in ("devices/009033030DF0.txt", "devices/00-90-33-03-0d-f0.htm", "devices/IP1200-03-0d-f0.htm",
                 "devices/IP1200-03-0d-f0.0.txt", "devices/readme.txt"):
        write(name, BAD)
    result = invoke("--select", "UPD-090", "--format", "concise", "devices")
    linted = sorted({line.split(":")[0] for line in result.stdout.splitlines() if ":1:4:" in line})
    assert linted == [os.path.join("devices", name) for name in
                      ("00-90-33-03-0d-f0.htm", "009033030DF0.txt", "IP1200-03-0d-f0.htm")]


def test_rules_skipped_for_want_of_a_model_are_named_once():
    fw = "mod cmd UP0 prot http://10.0.0.5/fw/ iresetn 13-5001234\n"
    write("site.upd", fw)
    write("other.upd", fw)
    result = invoke("site.upd", "other.upd")
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "no device model for site.upd, other.upd (no model in the file name" in notes[0]
    assert "UPD-018" in notes[0] and "--model MODEL" in notes[0] and "`model`" in notes[0]
    assert "note:" not in invoke("--model", "IP1200", "site.upd").stderr
    assert "note:" not in invoke("--select", "UPD-090", "site.upd").stderr  # no model rule selected
    assert "note:" not in invoke("-", "--stdin-filename", "update-ip1200.htm", input=fw).stderr
    assert "no device model for <stdin>" in invoke("-", input=fw).stderr
    write(".innolint.toml", '[[overrides]]\npaths = ["site.upd"]\nmodel = "IP1200"\n')
    clear_caches()
    configured = invoke("site.upd", "other.upd")
    assert "no device model for other.upd (" in configured.stderr


def test_model_rules_are_the_ones_that_need_a_model():
    from innoscript.cli.lint import MODEL_RULES
    from innoscript.lint.rule import find_rule
    from tests.rule_helpers import findings

    for code in MODEL_RULES:
        example = find_rule(code).bad_example
        version = example.settings.get("target-version", "v10")
        assert findings(code, example.data, "site.upd", model=example.settings["model"], target_version=version), code
        assert not findings(code, example.data, "site.upd", target_version=version), code


def test_url_map_to_a_missing_folder_is_refused_as_run_refuses_it():
    from innoscript.cli.run import run_command

    write("update-ip232.htm", "# nothing\n")
    lint = invoke("--url-map", "http://10.0.0.5/cfg/=missing/folder", "update-ip232.htm")
    dry = CliRunner().invoke(run_command, ["update-ip232.htm", "--url-map", "http://10.0.0.5/cfg/=missing/folder"])
    expected = "error: --url-map 'http://10.0.0.5/cfg/=missing/folder': missing/folder: no such folder"
    assert (lint.exit_code, lint.stderr.strip()) == (2, expected)
    assert (dry.exit_code, dry.stderr.strip()) == (2, expected)
    Path("missing/folder").mkdir(parents=True)
    assert invoke("--url-map", "http://10.0.0.5/cfg/=missing/folder", "update-ip232.htm").exit_code == 0


# -- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".innolint.toml", "pyproject.toml"])
def test_a_configuration_that_is_not_utf8_is_one_line_and_exit_2(name):
    write("update-ip232.htm", "# nothing\n")
    text = 'fail-level = "error"\n' if name == ".innolint.toml" else '[tool.innolint]\nfail-level = "error"\n'
    Path(name).write_bytes(text.encode("utf-16"))  # what PowerShell 5 writes
    result = invoke("update-ip232.htm")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {Path(name).resolve()}: UTF-16, not UTF-8 (as PowerShell 5 writes files): save it as UTF-8"]
    clear_caches()
    Path(name).write_bytes(text.replace("error", "caf\xe9").encode("latin-1"))
    latin = invoke("update-ip232.htm")
    assert latin.exit_code == 2 and "not UTF-8 (bad byte at offset" in latin.stderr and "Traceback" not in latin.output
    clear_caches()
    Path(name).write_bytes(b"\xef\xbb\xbf" + text.encode())  # a UTF-8 mark is fine
    assert invoke("update-ip232.htm").exit_code == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_utf16_script_is_named_so_and_converted_by_the_unsafe_fix(encoding):
    text = "mod\x01cmd UP1 check iresetn 2024-06-01\r\n"
    original = text.encode(encoding)
    Path("update-ip232.htm").write_bytes(original)
    result = invoke("--format", "concise", "update-ip232.htm")
    assert "binary" not in result.stdout
    width = "UTF-32" if "32" in encoding else "UTF-16"
    assert (f"update-ip232.htm:1:1: UPD-091 warning: {width}" in result.stdout
            and "save it as UTF-8 (or the ANSI code page the device expects)" in result.stdout)
    assert "update-ip232.htm:1:4: UPD-090 error:" in result.stdout  # and the text itself is linted
    assert invoke("--fix", "update-ip232.htm").exit_code == 1
    assert Path("update-ip232.htm").read_bytes() == original  # unsafe: only when asked
    shown = invoke("--diff", "--unsafe-fixes", "update-ip232.htm")
    assert "would be saved as UTF-8" in shown.stderr and Path("update-ip232.htm").read_bytes() == original
    invoke("--fix", "--unsafe-fixes", "update-ip232.htm")
    assert Path("update-ip232.htm").read_bytes() == text.encode("utf-8")


def test_progress_for_long_runs_on_a_terminal_only(monkeypatch):
    from innoscript.cli import checks, lint

    for n in range(3):
        write(f"update-ip{n}.htm", BAD)
    monkeypatch.setattr(lint, "PROGRESS_FILES", 3)
    assert "linting 3 files" not in invoke(".").stderr  # stderr is no terminal here
    monkeypatch.setattr(checks, "show_progress", lambda stream=None: True)
    shown = invoke("--select", "UPD-090", ".")
    assert "linting 3 files" in shown.stderr
    assert shown.stdout.count("UPD-090 error") == 3  # every file linted, in order
    monkeypatch.setattr(lint, "PROGRESS_FILES", 4)
    assert "linting" not in invoke(".").stderr  # a short run: no bar


def test_show_progress_only_on_a_terminal_and_never_in_ci(monkeypatch):
    from innoscript.cli.common import show_progress

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert show_progress(Terminal())
    with open(os.devnull, "w") as pipe_like:
        assert not show_progress(pipe_like)
    monkeypatch.setenv("CI", "true")
    assert not show_progress(Terminal())


def test_diff_headers_of_an_absolute_path_have_no_double_slash():
    from innoscript.lint.fixes import diff

    header = diff("/srv/update/update-ip232.htm", "a\n", "b\n").splitlines()[:2]
    assert header == ["--- a/srv/update/update-ip232.htm", "+++ b/srv/update/update-ip232.htm"]
    assert diff("C:\\site\\update.htm", "a\n", "b\n").splitlines()[0] == "--- a/site/update.htm"
    assert diff("sub/update.htm", "a\n", "b\n").splitlines()[0] == "--- a/sub/update.htm"


def test_target_version_help_names_the_oldest_version_accepted():
    from innoscript import catalog

    help_text = " ".join(invoke("--help").stdout.split())
    assert f"({catalog.VERSIONS[0]} ... {catalog.VERSIONS[-1]})" in help_text
    write("update-ip232.htm", "# x\n")
    assert invoke("--target-version", catalog.VERSIONS[0], "update-ip232.htm").exit_code == 0


# -- the lean start: a plain run without click, the same options as the click command --


@pytest.mark.parametrize("argv", [
    ["update-a.htm"],
    ["--format", "json", "-o", "out.json", "--select", "UPD-0", "--select=UPD-1,UPD-2", "a.htm", "b.htm"],
    ["--quiet", "--exit-zero", "--no-color", "--color", "always", "--jobs", "3", "--", "-weird.htm"],
    ["-", "--stdin-filename", "update-ip72.htm", "--fix", "--unsafe-fixes", "--severity", "UPD-025=error"],
    ["--config", "fail-level='error'", "--url-map", "http://x/=.", "--target-version", "v5", "--model", "IP232",
     "--mode", "cfg-payload", "--fail-level", "info", "--watch", "--statistics", "--diff", "--no-cache",
     "--cache-dir", "c", "--baseline", "b.json", "--write-baseline", "w.json", "--simulate", "--fleet", "f.toml",
     "--require-reason", "--show-settings", "--extend-select", "X", "--extend-ignore", "Y", "--ignore", "Z", "."],
])
def test_the_fast_parser_reads_a_command_line_as_click_does(argv):
    from innoscript.cli.lint import lint_command
    from innoscript.cli.lint_options import parse_fast

    paths, options = parse_fast(argv)
    params = lint_command.make_context("innolint", list(argv)).params
    assert paths == params.pop("paths")
    assert options == params


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["-h"], ["--version"], ["--explain", "UPD-002"], ["rules"], ["rule", "UPD-002"],
    ["--bogus", "a.htm"], ["--format", "xml", "a.htm"], ["--jobs", "0", "a.htm"], ["-qo", "x", "a.htm"],
    ["--select"], ["--fix=yes", "a.htm"], ["--baseline", ".", "a.htm"],
    # `²` passes str.isdigit() but not int(); `--5` survives lstrip("-").
    ["--jobs", "\u00b2", "a.htm"], ["--jobs=--5", "a.htm"],
])
def test_what_the_fast_parser_leaves_to_click(argv):
    from innoscript.cli.lint_options import parse_fast

    assert parse_fast(argv) is None


def test_every_option_keeps_its_help():
    from innoscript.cli.lint_options import OPTIONS

    text = " ".join(invoke("--help").stdout.split())
    for option in OPTIONS:
        assert ", ".join(option.flags) in text and " ".join(option.help.split())[:40] in text, option.flags


# What a plain `innolint --no-cache FILE` must not import: the cache and what
# only the cache needs (hashing, temporary files); dataclasses (records are
# NamedTuples or plain classes: creating dataclasses cost milliseconds at
# start-up); inspect (rule docs are dedented only when shown); datetime (only
# the simulation rules need it); typing (records use innoscript.records, type
# names only annotate); tomllib and what it brings (string, math) when no
# configuration file is found; contextlib; pathlib, urllib.parse and
# ipaddress (loaded where a URL is not plain or its file is there, or a host
# is not a plain IPv4 address); json (settings fingerprints are plain text).  Each
# costs the start a fraction of a millisecond to a few.
LAZY_ON_A_PLAIN_RUN = ("innoscript.lint.cache", "hashlib", "tempfile", "dataclasses", "inspect", "datetime", "typing",
                       "tomllib", "string", "math", "contextlib", "pathlib", "urllib.parse", "ipaddress", "fnmatch", "json")


def test_a_plain_lint_run_imports_no_cache_machinery_and_no_dataclasses(tmp_path):
    # Parses (a syntax error loads lark); its cfg payload is looked up and not there.
    write("update-ip232.htm", "mod cmd UP1 time /allow 22,23 /initial 6\nmod cmd UP0 cfg http://10.0.0.5/cfg/x.txt\n")
    probe = ("import sys, atexit; atexit.register(lambda: print(sorted(set(sys.argv[1].split(',')) & set(sys.modules)),"
             " file=sys.stderr)); from innoscript.cli.lint import main; main(sys.argv[2:])")
    lazy = ",".join(LAZY_ON_A_PLAIN_RUN)
    # unicodedata too, in the default format (a script that starts with printable ASCII needs no character data).
    plain = subprocess.run([sys.executable, "-c", probe, lazy + ",unicodedata", "--no-cache", "update-ip232.htm"],
                           capture_output=True, text=True)
    assert plain.returncode == 1 and "UPD-002 warning" in plain.stdout
    assert plain.stderr.strip().splitlines()[-1] == "[]"
    # The formats a terminal (full), GitHub Actions (github) and editors (gcc) get load none of them either.
    for name in ("full", "github", "gcc"):
        shown = subprocess.run([sys.executable, "-c", probe, lazy, "--no-cache", "--format", name, "update-ip232.htm"],
                               capture_output=True, text=True)
        assert shown.returncode == 1 and "UPD-002" in shown.stdout, name
        assert shown.stderr.strip().splitlines()[-1] == "[]", name
    # With the cache (the default) they are loaded, and the run still reads the same.
    cached = subprocess.run([sys.executable, "-c", probe, lazy, "update-ip232.htm"], capture_output=True, text=True)
    assert cached.returncode == 1 and cached.stdout == plain.stdout
    assert "'innoscript.lint.cache'" in cached.stderr.strip().splitlines()[-1]


def test_a_plain_lint_run_imports_no_click(tmp_path):
    write("update-ip232.htm", BAD)
    probe = ("import sys, atexit; atexit.register(lambda: print(sorted(m for m in sys.modules if m.split('.')[0] == 'click'),"
             " file=sys.stderr)); from innoscript.cli.lint import main; main(sys.argv[1:])")
    plain = subprocess.run([sys.executable, "-c", probe, "--no-cache", "update-ip232.htm"], capture_output=True, text=True)
    assert plain.returncode == 1 and "UPD-090 error" in plain.stdout
    assert plain.stderr.strip().splitlines()[-1] == "[]"
    helped = subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "--output-file" in helped.stdout and "'click'" in helped.stderr
    usage = subprocess.run([sys.executable, "-c", probe, "--fix", "-", "update-ip232.htm"], capture_output=True,
                           text=True, input="")
    assert usage.returncode == 2 and "Error: --fix and --diff read - on its own" in usage.stderr


def test_a_plain_lint_run_compiles_only_what_its_script_needs(tmp_path):
    # Patterns (innoscript.lazyregex) are compiled on first use: a script without
    # a directive, a tab, a backup name, a date-and-time serial or a firmware
    # download compiles none of them.  Node constructors come from the bytecode
    # cache (syntax/node_constructors.py), none is compiled.  The exit does not
    # walk the objects left (they are frozen for the interpreter's last collections).
    write("update-ip232.htm", "# site settings\nmod cmd UP1 time /allow 22,23 /initial 6\n"
          "mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser 2024-06-01\n")
    probe = (
        "import gc, sys, atexit\n"
        "def report():\n"
        "    from innoscript.lazyregex import LazyRegex\n"
        "    from innoscript.syntax import ast\n"
        "    compiled = sorted(f'{m}.{n}' for m, module in list(sys.modules.items()) if m.startswith('innoscript')\n"
        "                      for n, v in vars(module).items() if isinstance(v, LazyRegex) and v.compiled)\n"
        "    built = sorted(c.__name__ for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast._Node)\n"
        "                   and c._fields and c.__init__.__module__ != 'innoscript.syntax.node_constructors')\n"
        "    print(compiled, built, gc.get_freeze_count() > 0, file=sys.stderr)\n"
        "atexit.register(report)\n"
        "from innoscript.cli.lint import main\n"
        "main(sys.argv[1:])\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, "--no-cache", "update-ip232.htm"], capture_output=True, text=True)
    assert run.returncode == 1 and "UPD-002 warning" in run.stdout, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "[] [] True"
