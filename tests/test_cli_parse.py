"""`innoscript parse` (issue: foundation, item 6)."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from innoscript.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_tree_output_and_exit_0(tmp_path):
    f = tmp_path / "update-ip1200.htm"
    f.write_bytes(b"mod cmd UP1 times /allow 23,0,1 /initial 6\r\nmod cmd UP0 prot http://10.0.0.5/fw/ ser 13-1\r\n")
    result = run("parse", str(f))
    assert result.exit_code == 0
    assert "1:1-43 times" in result.output
    assert "url: 'http://10.0.0.5/fw/' @18" in result.output


def test_json_schema(tmp_path):
    f = tmp_path / "a.htm"
    f.write_bytes(b"mod cmd UP0 scfg http://10.0.0.5/b/#h.txt ser W /force 24\n# c\n")
    result = run("parse", "--json", str(f))
    assert result.exit_code == 0
    data = json.loads(result.output)
    file = data["files"][0]
    assert file["schema"] == 1 and file["newline"] == "lf" and file["encoding"] == "utf-8"
    scfg, comment = file["lines"]
    assert scfg["kind"] == "scfg" and scfg["spec"] == "UP0 scfg"
    assert scfg["url"]["metas"] == [{"text": "#h", "known": True, "span": {"start": 35, "end": 37, "line": 1, "col": 36, "end_line": 1, "end_col": 38}}]
    assert scfg["force"]["value"]["text"] == "24"
    assert comment == {"line": 2, "kind": "comment", "span": comment["span"], "text": "# c", "newline": "\n", "body": " c"}
    assert file["diagnostics"] == []


def test_syntax_error_exit_1_and_all_errors_reported(tmp_path):
    f = tmp_path / "a.htm"
    f.write_bytes(b"a\x01\nok\nb\x02\n")
    result = run("parse", "--json", str(f))
    assert result.exit_code == 1
    diags = json.loads(result.output)["files"][0]["diagnostics"]
    assert [(d["kind"], d["line"], d["col"]) for d in diags] == [("syntax-error", 1, 2), ("syntax-error", 3, 2)]


def test_stdin_with_filename():
    result = run("parse", "-", "--stdin-filename", "update-ip72.htm", "--json", input=b"config write\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["files"][0]["path"] == "update-ip72.htm"


def test_missing_file_directory_and_usage_errors_exit_2(tmp_path):
    missing = run("parse", str(tmp_path / "nope.htm"))
    assert missing.exit_code == 2 and "no such file" in missing.output and "Traceback" not in missing.output
    folder = run("parse", str(tmp_path))
    assert folder.exit_code == 2 and "is a directory" in folder.output
    assert run("parse").exit_code == 2
    assert run("parse", "--bogus", "x").exit_code == 2


def test_binary_file_is_one_diagnostic(tmp_path):
    f = tmp_path / "fw.bin"
    f.write_bytes(b"\x00\x01\x02" * 100)
    result = run("parse", "--json", str(f))
    assert result.exit_code == 1
    diags = json.loads(result.output)["files"][0]["diagnostics"]
    assert len(diags) == 1 and diags[0]["kind"] == "binary"


def test_module_entry_point(tmp_path):
    f = tmp_path / "a.htm"
    f.write_text("config write\n")
    proc = subprocess.run([sys.executable, "-m", "innoscript", "parse", str(f)], capture_output=True, text=True)
    assert proc.returncode == 0 and "config" in proc.stdout
