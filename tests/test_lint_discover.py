"""Finding the files to lint: names, folders, include/exclude, .gitignore."""

from __future__ import annotations

import os

import pytest

from innoscript.lint.config import clear_caches
from innoscript.lint.discover import DiscoveryError, discover, path_matches


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    yield
    clear_caches()


def touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mod cmd UP1 poll\n", encoding="utf-8")


def found(paths, **kw):
    return [os.path.relpath(t.path) if t.path != "-" else "-" for t in discover(paths, **kw)]


@pytest.mark.parametrize(
    "path, pattern, expected",
    [
        ("update-ip232.htm", "update-*.htm", True),
        ("a/b/update-ip232.htm", "update-*.htm", True),
        ("a/b/x.upd", "*.upd", True),
        ("a/b/x.htm", "*.upd", False),
        ("legacy/update-a.htm", "legacy/*.htm", True),
        ("legacy/deep/update-a.htm", "legacy/*.htm", False),
        ("legacy/deep/update-a.htm", "legacy/**/*.htm", True),
        ("legacy/update-a.htm", "legacy/**/*.htm", True),
        ("x/legacy/update-a.htm", "legacy/*.htm", False),
        ("legacy/deep/update-a.htm", "legacy", True),  # a folder pattern covers its content
        ("legacy/deep/update-a.htm", "legacy/", True),
        ("site/old/update-a.htm", "old", True),
        ("update-a.htm", "update-[ab].htm", True),
        ("update-c.htm", "update-[!ab].htm", True),
        ("update-a.htm", "update-?.htm", True),
        ("update-ab.htm", "update-?.htm", False),
    ],
)
def test_path_matches(path, pattern, expected):
    assert path_matches(path, pattern) is expected


def test_folder_walk_finds_update_scripts_sorted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "b/update-ip232.htm", "a/update-ip21.htm", "a/site.upd", "a/notes.txt", "a/index.htm",
          ".hidden/update-x.htm", "a/__pycache__/update-y.htm")
    assert found(["."]) == ["a/site.upd", "a/update-ip21.htm", "b/update-ip232.htm"]


def test_include_and_exclude_from_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".innolint.toml").write_text('include = ["update-*.htm", "*.txt"]\nexclude = ["old", "b/*.txt"]\n')
    touch(tmp_path, "a/update-1.htm", "a/payload.txt", "b/more.txt", "old/update-2.htm", "x.upd")
    assert found(["."]) == ["a/payload.txt", "a/update-1.htm"]


def test_gitignore_is_honoured_and_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\nupdate-secret.htm\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("update-local-*.htm\n")
    touch(tmp_path, "update-a.htm", "update-secret.htm", "build/update-b.htm", "sub/update-c.htm", "sub/update-local-1.htm")
    assert found(["."]) == ["sub/update-c.htm", "update-a.htm"]
    # walking from below the repository root still sees the root's .gitignore
    assert found(["sub"]) == ["sub/update-c.htm"]
    clear_caches()
    (tmp_path / ".innolint.toml").write_text("respect-gitignore = false\n")
    assert len(found(["."])) == 5


def test_explicit_files_are_always_linted_and_listed_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "notes.txt", "update-a.htm")
    assert found(["notes.txt", "update-a.htm", ".", "-"]) == ["notes.txt", "update-a.htm", "-"]
    targets = discover(["notes.txt", "."])
    assert [t.explicit for t in targets] == [True, False]


def test_missing_path_raises_or_is_collected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "update-a.htm")
    with pytest.raises(DiscoveryError, match="nope.htm: no such file"):
        discover(["nope.htm"])
    errors: list[str] = []
    assert found(["nope.htm", "update-a.htm"], errors=errors) == ["update-a.htm"]
    assert errors == ["nope.htm: no such file or folder"]
