"""`innoscript simulate`: output, plots, HTTP server, errors with exit 2."""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import re
import threading

import pytest
from click.testing import CliRunner

from innoscript.cli import main

SCRIPT = b"mod cmd UP1 times /allow 23,0,1\r\nmod cmd UP0 prot http://10.0.0.5/fw/ ireset 13-5001235\r\n"
FLEET = """
[fleet]
start = "2026-12-01T18:00"
days = 1
seed = 4

[groups.dect]
count = 10
model = "IP1200"
firmware = "13-5001234"

[groups.noclock]
count = 3
model = "IP1200"
firmware = "13-5001234"
has_clock = false
"""


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "www"
    (root / "fw").mkdir(parents=True)
    (root / "update-ip1200.htm").write_bytes(SCRIPT)
    (root / "fw" / "IP1200.bin").write_bytes(b"\x01" * 100_000)
    fleet = tmp_path / "fleet.toml"
    fleet.write_text(FLEET)
    return root, fleet


def run(*args):
    return CliRunner().invoke(main, ["simulate", *map(str, args)])


def test_table(site):
    root, fleet = site
    result = run("--fleet", fleet, "--root", root)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"fleet {fleet}: 13 devices, 1 days from 2026-12-01T18:00, seed 4")
    assert re.search(r"^dect\s+IP1200\s+10\s+10\s", result.output, re.M)
    assert re.search(r"^noclock\s+IP1200\s+3\s+0\s", result.output, re.M)
    assert "noclock: not converged: 3 no clock" in result.output
    assert "server: 10 downloads, 0 uploads" in result.output


def test_json_is_deterministic_and_exact_agrees(site):
    root, fleet = site
    first = run("--fleet", fleet, "--root", root, "--json")
    assert first.exit_code == 0
    data = json.loads(first.output)
    assert data["schema"] == 1 and data["fleet"]["devices"] == 13
    assert [g["converged"] for g in data["groups"]] == [10, 0]
    assert run("--fleet", fleet, "--root", root, "--json").output == first.output
    assert run("--fleet", fleet, "--root", root, "--json", "--exact").output == first.output


def test_command_line_overrides_the_file(site):
    root, fleet = site
    data = json.loads(run("--fleet", fleet, "--root", root, "--json", "--days", "0.5", "--seed", "9",
                          "--start", "2026-12-02T23:30").output)
    assert data["fleet"]["days"] == 0.5 and data["fleet"]["seed"] == 9
    assert data["fleet"]["start"] == "2026-12-02T23:30"
    # starting inside the allowed hours, devices update within the first hour and a half
    assert data["groups"][0]["time_to_converge"]["max"] <= 5400


def test_interpreter_option(site):
    root, fleet = site
    (root / "update-ip1200.htm").write_bytes(SCRIPT.replace(b"13-5001235", b"13-50012.35"))
    looping = json.loads(run("--fleet", fleet, "--root", root, "--json", "--option", "update_vars_survive_reboot=false").output)
    assert looping["groups"][0]["loops"] == 10
    calm = json.loads(run("--fleet", fleet, "--root", root, "--json").output)
    assert calm["groups"][0]["loops"] == 0


def test_default_fleet_from_root(site):
    root, _ = site
    result = run("--root", root, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [(g["name"], g["devices"]) for g in data["groups"]] == [("ip1200", 10)]


def _check_png(data: bytes, min_width: int = 300):
    image = pytest.importorskip("matplotlib.image").imread(io.BytesIO(data), format="png")
    height, width = image.shape[:2]
    assert width >= min_width and height >= 200
    assert image.min() < image.max()  # something is drawn


def test_plot_file_folder_and_html(site, tmp_path):
    pytest.importorskip("matplotlib")
    root, fleet = site
    one = tmp_path / "out" / "fleet.png"
    folder = tmp_path / "plots"
    page = tmp_path / "report.html"
    result = run("--fleet", fleet, "--root", root, "--plot", one, "--html", page)
    assert result.exit_code == 0, result.output
    _check_png(one.read_bytes())
    result = run("--fleet", fleet, "--root", root, "--plot", f"{folder}/")
    assert result.exit_code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["fleet-converged.png", "fleet-transfers.png"]
    for path in folder.iterdir():
        _check_png(path.read_bytes())
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<td>dect</td>" in html
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 2
    for data in images:
        _check_png(base64.b64decode(data))
    # same report, same picture
    again = tmp_path / "again.png"
    run("--fleet", fleet, "--root", root, "--plot", again)
    assert again.read_bytes() == one.read_bytes()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_http_server_gives_the_same_report(site):
    root, fleet = site
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        over_http = run("--fleet", fleet, "--server", url, "--json")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert over_http.exit_code == 0, over_http.output
    from_folder = run("--fleet", fleet, "--root", root, "--json")
    assert over_http.output == from_folder.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "1"], "give exactly one of --root DIR and --server URL"),
        (["--root", "{root}", "--server", "http://x/"], "give exactly one of"),
        (["--root", "{root}/missing"], "not a folder"),
        (["--server", "http://127.0.0.1:9/"], "--server needs --fleet"),
        (["--server", "ftp://x/", "--fleet", "{fleet}"], "http:// or https://"),
        (["--root", "{root}", "--fleet", "{root}/none.toml"], "none.toml: no such file"),
        (["--root", "{root}", "--fleet", "{bad}"], "bad.toml: groups.a.count: must be at least 0"),
        (["--root", "{root}", "--fleet", "{fleet}", "--start", "soon"], "--start: not a date"),
        (["--root", "{root}", "--fleet", "{fleet}", "--days", "0"], "--days must be above 0"),
        (["--root", "{root}", "--fleet", "{fleet}", "--option", "nonsense=1"], "unknown interpreter option"),
        (["--root", "{root}", "--fleet", "{fleet}", "--option", "novalue"], "NAME=VALUE"),
        (["--root", "{root}", "--fleet", "{fleet}", "-o", "transfer_failure=1"], "-o is --output-file now"),
        (["--root", "{root}", "--fleet", "{badopt}"], "badopt.toml: fleet.options: option transfer_failure"),
        (["--root", "{tmp}"], "no update-<model>.htm"),
    ],
)
def test_errors_exit_2(site, tmp_path, args, message):
    root, fleet = site
    bad = tmp_path / "bad.toml"
    bad.write_text('[groups.a]\nmodel = "IP232"\ncount = -4\n')
    badopt = tmp_path / "badopt.toml"
    badopt.write_text('[fleet]\noptions = { transfer_failure = "explode" }\n[groups.a]\nmodel = "IP232"\n')
    empty = tmp_path / "empty"
    empty.mkdir()
    values = {"root": root, "fleet": fleet, "bad": bad, "badopt": badopt, "tmp": empty}
    result = run(*[a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unwritable_plot_target_exits_2(site, tmp_path):
    pytest.importorskip("matplotlib")
    root, fleet = site
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("--fleet", fleet, "--root", root, "--plot", f"{blocker}/sub/plot.png")
    assert result.exit_code == 2 and "cannot write" in result.output


def test_importing_the_fleet_loads_no_optional_dependency():
    import subprocess
    import sys

    code = ("import sys, innoscript.fleet, innoscript.cli.simulate; "
            "print(sorted(m for m in ('matplotlib', 'numpy', 'aiohttp', 'pygls') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_output_file_takes_the_report(site, tmp_path):
    root, fleet = site
    out = tmp_path / "report.json"
    result = run("--fleet", fleet, "--root", root, "--json", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(run("--fleet", fleet, "--root", root, "--json").stdout)
    long_form = run("--fleet", fleet, "--root", root, "--output-file", tmp_path / "table.txt")
    assert long_form.exit_code == 0 and (tmp_path / "table.txt").read_text().startswith(f"fleet {fleet}:")


def _simulate_in(site, terminal: bool, env_extra=None):
    """Run `innoscript simulate` with stderr on a pseudo-terminal or a pipe; what stderr showed."""
    import os
    import subprocess
    import sys

    root, fleet = site
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(env_extra or {})
    command = [sys.executable, "-m", "innoscript", "simulate", "--fleet", str(fleet), "--root", str(root), "--days", "3"]
    if not terminal:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120).stderr
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal_only(site):
    assert "simulating" in _simulate_in(site, terminal=True)
    assert "simulating" not in _simulate_in(site, terminal=False)
    assert "simulating" not in _simulate_in(site, terminal=True, env_extra={"CI": "true"})
