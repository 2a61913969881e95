"""`innoscript run`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from innoscript.cli import main

SCRIPT = """\
mod cmd UP1 times /allow 1,2,3 /initial 6
mod cmd UP0 scfg http://10.0.0.5/backup/#m.txt ser BK1
mod cmd UP1 check ser 2024-1
mod cmd UP0 prot http://10.0.0.5/fw/ ireset 08-2
config add GW1 /name trunk
config write
"""


def run(args, **kwargs):
    return CliRunner().invoke(main, ["run", *args], catch_exceptions=False, **kwargs)


def write(tmp_path, text=SCRIPT, name="update-ip1200.htm"):
    (tmp_path / "fw").mkdir(exist_ok=True)
    (tmp_path / "fw" / "IP1200.bin").write_bytes(b"firmware")
    path = tmp_path / name
    path.write_text(text)
    return path


def test_human_trace_cites_lines_and_converges(tmp_path):
    path = write(tmp_path)
    result = run([str(path), "--firmware", "08-1"])
    assert result.exit_code == 0, result.output
    assert "poll 1" in result.output and "poll 3" in result.output and "poll 4" not in result.output
    assert "GET http://10.0.0.5/fw/IP1200.bin (prot 08-2) -> 200" in result.output
    assert "   4  RESTART (ireset, activates PROT 08-2)" in result.output
    assert "converged after 3 polls (polled until converged, at most 1 day of device time)" in result.output
    # The configuration a poll stores is shown with the poll.
    assert "saved configuration: GW1 added: /name trunk" in result.output


def test_json_lines_per_poll_and_summary(tmp_path):
    path = write(tmp_path)
    result = run([str(path), "--firmware", "08-1", "--json"])
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    polls, summary = objects[:-1], objects[-1]["summary"]
    assert [p["poll"] for p in polls] == [1, 2, 3]
    first = polls[0]
    for key in ("status", "executed", "stopped_by", "downloads", "uploads", "restarts", "check_committed", "vars", "firmware"):
        assert key in first
    assert first["executed"] == [1, 2, 3, 4] and first["stopped_by"] == "restart"
    assert first["downloads"] == [{"line": 4, "kind": "prot", "url": "http://10.0.0.5/fw/IP1200.bin",
                                   "written": "http://10.0.0.5/fw/IP1200.bin", "serial": "08-2", "status": 200}]
    assert first["restarts"] == [{"line": 4, "command": "ireset"}]
    assert first["uploads"][0]["url"] == "http://10.0.0.5/backup/00-90-33-03-0d-f0.txt"
    assert polls[1]["check_committed"] and polls[1]["vars"] == {"CHECK": "2024-1", "PROT": "08-2", "SCFG": "BK1"}
    assert polls[1]["config"] == {"running": {}, "saved": {"GW1": {"/name": "trunk"}}}
    assert polls[2]["stopped_by"] == "check" and not polls[2]["changed"] and polls[2]["quiet"]
    assert summary == {
        "converged": True, "polls": 3, "horizon": {"polls": None, "minutes": 1440}, "loop": None, "failing": [],
        "firmware": "08-2", "vars": {"CHECK": "2024-1", "PROT": "08-2", "SCFG": "BK1"},
        "config": {"running": {}, "saved": {"GW1": {"/name": "trunk"}}},
    }


def test_loop_exits_1_and_names_the_lines(tmp_path):
    path = write(tmp_path, "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 07-60600.03\n")
    result = run([str(path), "--option", "update_vars_survive_reboot=false", "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert summary["loop"]["lines"] == [1] and summary["converged"] is False


def test_time_and_var_options_shape_the_device(tmp_path):
    path = write(tmp_path)
    late = run([str(path), "--time", "12:00", "--polls", "2", "--json"])
    assert [json.loads(x).get("stopped_by") for x in late.output.splitlines()[:2]] == ["times", "times"]
    done = run([str(path), "--var", "CHECK=2024-1", "--json", "--polls", "1"])
    assert json.loads(done.output.splitlines()[0])["stopped_by"] == "check"
    no_time = run([str(path), "--no-time", "--polls", "1", "--json"])
    assert json.loads(no_time.output.splitlines()[0])["stopped_by"] == "times"
    fresh = run([str(path), "--uptime", "0", "--polls", "1", "--json"])
    assert json.loads(fresh.output.splitlines()[0])["stopped_by"] == "initial"


def test_busy_device_queues_the_reset(tmp_path):
    path = write(tmp_path)
    result = run([str(path), "--busy", "--polls", "1", "--json"])
    first = json.loads(result.output.splitlines()[0])
    assert first["restarts"] == [] and first["stopped_by"] == "end"


def test_output_folder_receives_uploads_and_user_files_stay(tmp_path):
    path = write(tmp_path)
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "00-90-33-03-0d-f0.txt").write_text("user's own")
    out = tmp_path / "out"
    result = run([str(path), "--output", str(out), "--polls", "1", "--update-url", "http://10.0.0.5/"])
    assert result.exit_code == 0
    assert (tmp_path / "backup" / "00-90-33-03-0d-f0.txt").read_text() == "user's own"
    assert b"config change" in (out / "backup" / "00-90-33-03-0d-f0.txt").read_bytes()


def test_url_map(tmp_path):
    path = write(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    result = run([str(path), "--root", str(other), "--url-map", f"http://10.0.0.5/fw/={tmp_path / 'fw'}", "--json", "--polls", "1"])
    assert json.loads(result.output.splitlines()[0])["downloads"][0]["status"] == 200
    missing = run([str(path), "--root", str(other), "--json", "--polls", "1"])
    assert json.loads(missing.output.splitlines()[0])["downloads"][0]["status"] == 404


def test_help_lists_every_interpreter_option_with_its_default():
    from innoscript.device import option_infos

    result = run(["--help"])
    for info in option_infos():
        assert info.name in result.output
    assert "update_vars_survive_reboot=true" in result.output


def test_bad_input_exits_2_with_one_line(tmp_path):
    path = write(tmp_path)
    cases = [
        [str(tmp_path / "missing.htm")],
        [str(path), "--time", "25:00"],
        [str(path), "--date", "2026-13-01"],
        [str(path), "--model", "IP9999"],
        [str(path), "--option", "nonsense=1"],
        [str(path), "--option", "transfer_failure=maybe"],
        [str(path), "--var", "novalue"],
        [str(path), "--url-map", "http://x/=/does/not/exist"],
        [str(path), "--time", "02:00", "--no-time"],
        [str(tmp_path / "script.txt")],
    ]
    (tmp_path / "script.txt").write_text("config write\n")
    for args in cases:
        result = CliRunner().invoke(main, ["run", *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and result.output.count("\n") == 1, (args, result.output)
        assert "Traceback" not in result.output


def test_docs_describe_every_option_and_event():
    from pathlib import Path

    from innoscript.device import events, option_infos

    text = (Path(__file__).resolve().parent.parent / "docs" / "interpreter.md").read_text(encoding="utf-8")
    for info in option_infos():
        assert f"| `{info.name}` |" in text, info.name
    for cls in events.EVENT_TYPES:
        name = events._KINDS[cls]
        assert f"| `{name}` |" in text, name


def test_output_may_not_be_a_folder_the_device_reads_from(tmp_path):
    path = write(tmp_path)
    result = CliRunner().invoke(main, ["run", str(path), "--output", str(tmp_path)])
    assert result.exit_code == 2 and "reads from" in result.output


def test_json_output_is_deterministic(tmp_path):
    path = write(tmp_path, SCRIPT.replace("#m.txt", "#d-#b3.txt"))
    first = run([str(path), "--firmware", "08-1", "--json"]).output
    second = run([str(path), "--firmware", "08-1", "--json"]).output
    assert first == second


def test_docs_cite_a_test_for_every_execution_rule():
    # docs/interpreter.md names the test that checks each rule: each name must exist.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent
    text = (root.parent / "docs" / "interpreter.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`(test_[a-z0-9_]+)`", text))
    defined = set()
    for path in root.glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_[a-z0-9_]+)\(", path.read_text(encoding="utf-8"), re.M))
    assert len(cited) > 60
    assert sorted(cited - defined) == []
    table = text.split("3. Blank lines", 1)[1].split("### Final commands", 1)[0]
    for row in table.splitlines():
        if row.startswith("| `") or row.startswith("| bare") or row.startswith("| other") or row.startswith("| unreadable") or row.startswith("| extra"):
            assert "`test_" in row, row
