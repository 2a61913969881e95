"""The language server in a real editor: Debian's Neovim, headless, with the
configuration docs/editors.md gives.  It opens a script, waits for the
diagnostics, asks for the quick fix of one of them, applies it as the editor
applies any workspace edit, and writes the buffer back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")  # the lsp extra

NVIM = shutil.which("nvim")
if NVIM is None:
    pytest.skip("needs Neovim (apt-get install neovim; .ci/run installs it)", allow_module_level=True)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "editors.md"
SCRIPT = (
    "# phones: firmware at night\n"
    "mod cmd UP1 times /allow 2,3,4 /initial 6\n"
    "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-50218.37\n"
    "iresetn\n"
)

# Waits for the diagnostics, asks for the code actions on the UPD-040 line,
# applies the quick fix, saves, and reports in JSON.
DRIVER = r"""
local out = {}
local buf = vim.api.nvim_get_current_buf()
out.filetype = vim.bo[buf].filetype
out.got_diagnostics = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
out.diagnostics = {}
local target = nil
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  table.insert(out.diagnostics, { line = d.lnum + 1, code = code, message = d.message })
  if code == "UPD-040" then target = d end
end
if target then
  local lsp_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, target.lnum)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = target.lnum, character = 0 }, ["end"] = { line = target.lnum + 1, character = 0 } },
    context = { diagnostics = lsp_diagnostics, only = { "quickfix" } },
  }
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000) or {}
  out.actions = {}
  for client_id, reply in pairs(replies) do
    for _, action in ipairs(reply.result or {}) do
      table.insert(out.actions, action.title)
      if out.applied == nil and action.edit and action.title:find("07%-") == nil and action.title:find("13%-5021837") then
        local client = vim.lsp.get_client_by_id(client_id)
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
        out.applied = action.title
      end
    end
  end
end
vim.cmd("silent write")
out.lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local file = io.open(vim.env.INNOSCRIPT_NVIM_REPORT, "w")
file:write(vim.fn.json_encode(out))
file:close()
vim.cmd("qall!")
"""


def documented_config() -> str:
    """The first Lua block of the Neovim section of docs/editors.md."""
    text = DOCS.read_text("utf-8")
    section = text[text.index("## Neovim\n"):]
    match = re.search(r"```lua\n(.*?)```", section, re.S)
    assert match, "docs/editors.md has a Lua block in its Neovim section"
    return match.group(1)


def test_neovim_shows_diagnostics_and_applies_a_quick_fix(tmp_path: Path) -> None:
    config = documented_config()
    assert 'cmd = { "innoscript", "lsp" }' in config
    # the documented block, with this environment's server
    command = json.dumps([sys.executable, "-m", "innoscript", "lsp"])[1:-1]
    init = tmp_path / "init.lua"
    init.write_text(config.replace('cmd = { "innoscript", "lsp" }', f"cmd = {{ {command} }}"), "utf-8")
    driver = tmp_path / "driver.lua"
    driver.write_text(DRIVER, "utf-8")
    script = tmp_path / "update-ip232.htm"
    script.write_text(SCRIPT, "utf-8")
    report = tmp_path / "report.json"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "INNOSCRIPT_NVIM_REPORT": str(report),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    completed = subprocess.run(
        [NVIM, "--headless", "-n", "-i", "NONE", "-u", str(init), str(script), "-c", f"luafile {driver}"],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
    )
    assert report.exists(), completed.stderr.decode(errors="replace")[-2000:]
    result = json.loads(report.read_text("utf-8"))
    assert result["filetype"] == "innoscript"
    assert result["got_diagnostics"] is True
    codes = {(d["line"], d["code"]) for d in result["diagnostics"]}
    assert (3, "UPD-040") in codes
    assert result.get("applied"), result.get("actions")
    # the edit reached the buffer and the file: the serial the device compares
    assert result["lines"][2] == "mod cmd UP0 prot http://10.0.0.5/fw/ip232.bin ser 13-5021837"
    assert script.read_text("utf-8").splitlines()[2].endswith("ser 13-5021837")
    assert result["lines"][0] == "# phones: firmware at night" and len(result["lines"]) == 4
