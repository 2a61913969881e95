"""The wheel ships the grammar and works outside the repository (issue: foundation, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_installs_and_parses_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    wheel = next(dist.glob("innoscript-*.whl"))
    assert "innoscript/grammar/innoscript.lark" in zipfile.ZipFile(wheel).namelist()

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)

    script = tmp_path / "update-ip1200.htm"
    # The second line needs the Lark parser (a control character), so the
    # shipped grammar file is really used.
    script.write_bytes(b"mod cmd UP1 times /allow 23,0,1 /initial 6\r\nbad\x01line\r\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(env_dir / "bin" / "innoscript"), "parse", "--json", str(script)],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"kind": "times"' in proc.stdout and '"kind": "syntax-error"' in proc.stdout
    located = subprocess.run(
        [str(python), "-c", "import innoscript, sys; print(innoscript.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert str(env_dir) in located.stdout
