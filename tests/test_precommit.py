"""The pre-commit hooks, run by the real `pre-commit` against a copy of this repository.

The hook repository is a throw-away git copy of the current source tree (so
uncommitted work is what gets installed); pre-commit builds its own
virtualenv from it with pip, as it would for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "venv", ".innolint_cache", ".pytest_cache", ".hypothesis", "__pycache__", "build", "dist"}
BAD = "mod\x01cmd UP1 check iresetn 2024-06-01\n"
UNUSED = "# innolint: disable-next-line=UPD-090 -- stale\nmod cmd UP1 check iresetn 2024-06-01\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                          env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    pytest.importorskip("pre_commit")
    copy = tmp_path_factory.mktemp("hooks") / "innoscript"
    shutil.copytree(REPO, copy, ignore=lambda folder, names: [n for n in names if n in SKIP or n.endswith(".pyc")])
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot")
    return copy, git(copy, "rev-parse", "HEAD")


def project(tmp_path, hook_repo, hook_id, files):
    repo, rev = hook_repo
    root = tmp_path / "project"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: {hook_id}\n", encoding="utf-8"
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def pre_commit(root, home):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)


def test_innolint_hook_reports_update_scripts_only(tmp_path, hook_repo, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    files = {"update-ip1200.htm": BAD, "notes.txt": BAD, "009033030df0.txt": BAD, "IP1200-03-0d-f0.htm": BAD,
             "IP1200-03-0d-f0.0.txt": BAD}  # the last: a backup the update server stored
    root = project(tmp_path, hook_repo, "innolint", files)
    result = pre_commit(root, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "update-ip1200.htm:1:4: UPD-090" in result.stdout
    assert "009033030df0.txt:1:4: UPD-090" in result.stdout  # per-device scripts
    assert "IP1200-03-0d-f0.htm:1:4: UPD-090" in result.stdout
    assert "notes.txt" not in result.stdout and "IP1200-03-0d-f0.0.txt" not in result.stdout


def test_innolint_fix_hook_rewrites_then_passes(tmp_path, hook_repo, tmp_path_factory):
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    root = project(tmp_path, hook_repo, "innolint-fix", {"update-ip232.htm": UNUSED})
    first = pre_commit(root, home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert (root / "update-ip232.htm").read_text() == "mod cmd UP1 check iresetn 2024-06-01\n"
    git(root, "add", "-A")
    second = pre_commit(root, home)
    assert "innolint (fix)" in second.stdout
    assert "UPD-093" not in second.stdout
