"""Baselines: old findings accepted by (file, code, line content), new ones reported."""

from __future__ import annotations

import json

import pytest

from innoscript.lint import Settings
from innoscript.lint.baseline import BaselineError, filter_new, write
from innoscript.lint.pipeline import Job, Linter

BAD = "mod\x01cmd UP1 check iresetn 2024-06-01"


def results(files: dict[str, str]):
    jobs = [Job(path, Settings(select=("UPD-090",)), text.encode()) for path, text in files.items()]
    return [r for r, _ in Linter(None).lint_many(jobs)]


def test_recorded_findings_are_accepted_even_after_lines_move(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert write(str(baseline), results({"update-a.htm": BAD + "\n"})) == 1
    data = json.loads(baseline.read_text())
    assert data["findings"] == [{"path": "update-a.htm", "code": "UPD-090", "line": BAD, "count": 1}]
    moved = results({"update-a.htm": "# new comment\n\n" + BAD + "\n"})
    kept, accepted = filter_new(moved, str(baseline))
    assert accepted == 1 and kept[0].diagnostics == ()


def test_duplicates_beyond_the_count_and_other_files_are_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "baseline.json"
    write(str(baseline), results({"update-a.htm": BAD + "\n"}))
    now = results({"update-a.htm": BAD + "\n" + BAD + "\n", "update-b.htm": BAD + "\n"})
    kept, accepted = filter_new(now, str(baseline))
    assert accepted == 1
    assert [(r.path, len(r.diagnostics)) for r in kept] == [("update-a.htm", 1), ("update-b.htm", 1)]


def test_paths_are_relative_to_the_baseline_file(tmp_path, monkeypatch):
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(tmp_path)
    write(str(tmp_path / "ci" / "baseline.json"), results({"update-a.htm": BAD + "\n"}))
    assert json.loads((tmp_path / "ci" / "baseline.json").read_text())["findings"][0]["path"] == "../update-a.htm"


@pytest.mark.parametrize("content, message", [(None, "no such baseline"), ("{", "bad JSON"), ('{"x": 1}', "not an innolint baseline"),
                                               ('{"innolint-baseline": 1, "findings": [{"path": 1}]}', "malformed")])
def test_bad_baseline_files(tmp_path, content, message):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError, match=message):
        filter_new([], str(path))
