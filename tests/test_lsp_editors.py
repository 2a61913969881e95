"""The editor set-ups: the VS Code extension's files and the documented snippets."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from innoscript import catalog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
VSCODE = ROOT / "editors" / "vscode"
DOC = ROOT / "docs" / "editors.md"


def grammar() -> dict:
    return json.loads((VSCODE / "syntaxes" / "innoscript.tmLanguage.json").read_text(encoding="utf-8"))


def test_manifest_points_at_real_files():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert (VSCODE / manifest["main"]).is_file()
    language = manifest["contributes"]["languages"][0]
    assert language["id"] == "innoscript"
    assert "update-*.htm" in language["filenamePatterns"] and ".upd" in language["extensions"]
    assert (VSCODE / language["configuration"]).is_file()
    json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    entry = manifest["contributes"]["grammars"][0]
    assert entry["scopeName"] == grammar()["scopeName"]
    assert (VSCODE / entry["path"]).is_file()
    assert "vscode-languageclient" in manifest["dependencies"]
    assert manifest["contributes"]["configuration"]["properties"]["innoscript.server.command"]["default"] == ["innoscript", "lsp"]
    script = (VSCODE / manifest["main"]).read_text(encoding="utf-8")
    assert 'require("vscode-languageclient/node")' in script and "source.fixAll" not in script


def _patterns(node):
    if isinstance(node, dict):
        for key in ("match", "begin", "end"):
            if key in node:
                yield node[key]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def _rule(name: str) -> str:
    rules = grammar()["repository"]
    return json.dumps(rules[name])


def test_grammar_regexes_compile_and_include_resolves():
    data = grammar()
    for pattern in _patterns(data):
        re.compile(pattern.replace("\\\\", "\\\\"))
    for include in re.findall(r'"include": "#([^"]+)"', json.dumps(data)):
        assert include in data["repository"]


def test_grammar_knows_the_catalogue():
    finals = re.search(r"\(\?i:\(?([a-z|]+)\)", _rule("final-line")).group(1).split("|")
    assert sorted(finals) == sorted(catalog.FINAL_COMMANDS)
    meta = re.compile(json.loads(_rule("url"))["patterns"][0]["match"])
    for code in catalog.META_SEQUENCES:
        assert meta.fullmatch("#b5" if code == "#b" else code), code
    config_verbs = re.search(r"\(config\)\)\(\?:\\\\s\+\(([a-z|]+)\|", _rule("config-command")).group(1).split("|")
    assert sorted(config_verbs) == sorted(catalog.CONFIG_VERBS)
    vars_verbs = re.search(r"\(vars\)\)\(\?:\\\\s\+\(([a-z|]+)\|", _rule("vars-command")).group(1).split("|")
    assert sorted(vars_verbs) == sorted(catalog.VARS_VERBS)


def test_grammar_on_lines():
    rules = grammar()["repository"]
    directive = re.compile(rules["directive"]["match"])
    found = directive.match("# innolint: disable-next-line=UPD-025,UPD-046 -- staged rollout")
    assert found.group(2) == "disable-next-line" and found.group(4) == "UPD-025,UPD-046" and found.group(6) == " staged rollout"
    command = re.compile(rules["mod-command"]["begin"])
    found = command.match("mod cmd UP1 times /allow 1,2")
    assert found.group(3, 4) == ("UP1", "times")
    assert re.compile(rules["comment"]["match"]).match("  # note")


def _fenced(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def test_documented_helix_config_is_valid():
    (helix,) = _fenced("toml")
    data = tomllib.loads(helix)
    server = data["language-server"]["innoscript"]
    assert [server["command"], *server["args"]] == ["innoscript", "lsp"]
    language = data["language"][0]
    assert language["language-servers"] == ["innoscript"]
    assert {"glob": "update-*.htm"} in language["file-types"] and "upd" in language["file-types"]


def test_documented_settings_are_accepted():
    from innoscript.lsp.settings import client_overrides

    settings = [json.loads(block) for block in _fenced("json") if '"innolint"' in block]
    assert settings
    for block in settings:
        values, problems = client_overrides(block["innolint"])
        assert problems == [] and values
    vscode = next(json.loads(b) for b in _fenced("json") if "innolint.targetVersion" in b)
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    for key in vscode:
        if key.startswith(("innoscript.", "innolint.")):
            assert key in manifest["contributes"]["configuration"]["properties"]


def test_every_editor_section_starts_the_same_server():
    text = DOC.read_text(encoding="utf-8")
    for section in ("## VS Code", "## Neovim", "## Helix", "## Emacs (eglot)"):
        assert section in text
    lua = "\n".join(_fenced("lua"))
    assert lua.count('cmd = { "innoscript", "lsp" }') == 3  # Neovim 0.7+, 0.11+ and nvim-lspconfig
    (elisp,) = _fenced("elisp")
    assert '("innoscript" "lsp")' in elisp and "update-" in elisp and "upd" in elisp
