"""The VS Code extension: its client code passes TypeScript's checks
(`tsc` with checkJs, strict) and it packages into a .vsix with @vscode/vsce.

Both tools come from the npm registry as the extension's devDependencies:
`npm ci` in editors/vscode installs them (.ci/run does); without them the
tests skip and say so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"
BIN = EXTENSION / "node_modules" / ".bin"
NODE = shutil.which("node")

if NODE is None:
    pytest.skip("needs Node.js (apt-get install nodejs npm)", allow_module_level=True)
if not (BIN / "tsc").exists() or not (BIN / "vsce").exists():
    pytest.skip("needs the extension's devDependencies: run `npm ci` in editors/vscode (.ci/run does)",
                allow_module_level=True)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "CI": "true"}
    return subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=180)


def test_client_code_passes_tsc() -> None:
    result = run([str(BIN / "tsc"), "-p", "."], EXTENSION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tsc_finds_a_mistake(tmp_path: Path) -> None:
    # the same project with one misspelt method: the check is real
    for name in ("tsconfig.json", "package.json"):
        shutil.copy(EXTENSION / name, tmp_path / name)
    source = (EXTENSION / "extension.js").read_text("utf-8")
    assert "client.start();" in source
    (tmp_path / "extension.js").write_text(source.replace("client.start();", "client.strat();"), "utf-8")
    (tmp_path / "node_modules").symlink_to(EXTENSION / "node_modules")
    result = run([str(BIN / "tsc"), "-p", "."], tmp_path)
    assert result.returncode != 0 and "strat" in result.stdout


def test_extension_packages_into_a_vsix(tmp_path: Path) -> None:
    target = tmp_path / "innoscript.vsix"
    result = run([str(BIN / "vsce"), "package", "--out", str(target)], EXTENSION)
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(target) as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
    ours = json.loads((EXTENSION / "package.json").read_text("utf-8"))
    assert (manifest["name"], manifest["version"], manifest["main"]) == (ours["name"], ours["version"], "./extension.js")
    assert {"extension.vsixmanifest", "extension/extension.js", "extension/language-configuration.json",
            "extension/syntaxes/innoscript.tmLanguage.json"} <= names
    # the client library ships inside; the build tools do not
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert not any(name.startswith(("extension/node_modules/typescript/", "extension/node_modules/@vscode/vsce/"))
                   for name in names)
    assert not any(name.endswith(".vsix") for name in names)
