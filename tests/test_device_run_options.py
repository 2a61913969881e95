"""`innoscript run`: the device's identity, configuration and failures on the
command line, explanations, live servers and refused input."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from innoscript.cli import main


def run(args):
    return CliRunner().invoke(main, ["run", *args])


def polls_of(result):
    objects = [json.loads(line) for line in result.output.splitlines()]
    return objects[:-1], objects[-1]["summary"]


def script(tmp_path, text, name="update-ip1200.htm"):
    (tmp_path / "fw").mkdir(exist_ok=True)
    (tmp_path / "fw" / "IP1200.bin").write_bytes(b"firmware")
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("data", [b"mod cmd UP1\x00 times\n", "mod cmd UP1 times /allow 2\n".encode("utf-16")])
def test_spec_3_binary_or_utf16_script_is_refused(tmp_path, data):
    path = tmp_path / "update-ip1200.htm"
    path.write_bytes(data)
    result = run([str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    expected = "UTF-16: save it as UTF-8" if data.startswith(b"\xff\xfe") else "binary file"
    assert expected in result.output and "converged" not in result.output


def test_spec_6_1_identity_options_expand_meta_sequences(tmp_path):
    path = script(tmp_path, "mod cmd UP0 scfg http://10.0.0.5/b/#h/#m-#i.txt ser B1\n")
    result = run([str(path), "--mac", "00:90:33:AA:BB:CC", "--ip", "10.1.2.3", "--json", "--polls", "1"])
    assert result.exit_code == 0, result.output
    [upload] = polls_of(result)[0][0]["uploads"]
    assert upload["url"] == "http://10.0.0.5/b/IP1200-aa-bb-cc/00-90-33-aa-bb-cc-10.1.2.3.txt"
    assert upload["written"] == "http://10.0.0.5/b/#h/#m-#i.txt"
    named = run([str(path), "--serial-number", "009033aabbcc", "--hardware-id", "IP1200-x", "--json", "--polls", "1"])
    assert polls_of(named)[0][0]["uploads"][0]["url"] == "http://10.0.0.5/b/IP1200-x/00-90-33-aa-bb-cc-192.168.0.20.txt"
    for bad in (["--mac", "00-90-33"], ["--ip", "10.0.0.300"], ["--mac", "00-90-33-aa-bb-cc", "--serial-number", "00-90-33-aa-bb-cd"]):
        refused = run([str(path), *bad])
        assert refused.exit_code == 2 and refused.output.count("\n") == 1, bad


def test_spec_8_config_file_is_the_devices_saved_configuration(tmp_path):
    backup = tmp_path / "IP1200-03-0d-f0.txt"
    backup.write_text("config change UP1 /url http://10.0.0.5/ /poll 60\r\nconfig change CMD0 /name Hall\r\n"
                      "vars create UPDATE/CHECK p S1\r\n")
    path = script(tmp_path, "mod cmd UP1 check ser S2\nconfig add CMD0 /name Reception\nconfig write\n")
    result = run([str(path), "--config", str(backup), "--config-line", "config add GW1 /name trunk", "--json"])
    assert result.exit_code == 0, result.output
    polls, summary = polls_of(result)
    first = polls[0]
    assert first["config"]["saved"]["CMD0"] == {"/name": "Reception"}
    assert first["config"]["running"]["CMD0"] == {"/name": "Hall"}  # written, not activated
    assert first["config"]["saved"]["GW1"] == {"/name": "trunk"}
    assert first["config"]["running"]["UP1"] == {"/url": "http://10.0.0.5/", "/poll": "60"}
    assert polls[1]["clock"] == "2026-01-01 03:00"  # UP1 /poll 60 of the backup
    assert summary["vars"]["CHECK"] == "S2"
    text = run([str(path), "--config", str(backup)])
    assert "saved configuration: CMD0 /name Hall -> Reception" in text.output
    unreadable = tmp_path / "bad.txt"
    unreadable.write_text("config frobnicate X\n")
    refused = run([str(path), "--config", str(unreadable)])
    assert refused.exit_code == 2 and "bad.txt:1" in refused.output
    for bad in (["--config", str(tmp_path / "missing.txt")], ["--config-line", "mod cmd UP0 prot x ser 1"],
                ["--unsaved-line", "config write"]):
        refused = run([str(path), *bad])
        assert refused.exit_code == 2 and refused.output.count("\n") == 1, (bad, refused.output)


@pytest.mark.parametrize("poll", ["\u00b2", "-5", "0", "", "99999999999"])
def test_spec_2_1_unreadable_poll_of_the_starting_configuration_is_the_default(tmp_path, poll):
    # A backup may hold anything; the catalogue's parser reads it (`²` passes
    # str.isdigit() but not int()), an unreadable interval is the default.
    path = script(tmp_path, "mod cmd UP1 times /allow 3\n")
    result = run([str(path), "--config-line", f"config add UP1 /poll {poll}", "--json", "--polls", "2"])
    assert result.exit_code == 0, result.output
    assert polls_of(result)[0][1]["clock"] == "2026-01-01 02:15"


def test_spec_5_10_unsaved_line_is_active_until_a_restart(tmp_path):
    path = script(tmp_path, "reset\n")
    result = run([str(path), "--unsaved-line", "config add CMD0 /name Hall", "--json", "--polls", "1"])
    first = polls_of(result)[0][0]
    assert "CMD0" not in first["config"]["running"]
    text = run([str(path), "--unsaved-line", "config add CMD0 /name Hall", "--polls", "1"]).output
    assert "unsaved configuration of CMD0 lost at the restart" in text
    assert "running configuration: CMD0 removed" in text


def test_spec_q3_fail_injection_and_the_options_that_govern_it(tmp_path):
    path = script(tmp_path, "mod cmd UP0 prot http://10.0.0.5/fw/ ireset 08-2\nvars create A/B p 1\n")
    failed = run([str(path), "--firmware", "08-1", "--fail", "*/fw/*=404", "--json"])
    polls, summary = polls_of(failed)
    assert failed.exit_code == 1
    assert polls[0]["downloads"][0]["status"] == 404 and polls[0]["executed"] == [1, 2]
    assert summary["loop"] is None and summary["failing"][0]["status"] == 404
    stopped = run([str(path), "--firmware", "08-1", "--fail", "*IP1200.bin", "--option", "transfer_failure=stop",
                   "--json", "--polls", "1"])
    first = polls_of(stopped)[0][0]
    assert first["downloads"][0]["status"] == 502 and first["stopped_by"] == "error" and first["executed"] == [1]
    text = run([str(path), "--firmware", "08-1", "--fail", "*/fw/*=503"]).output
    assert "line 1: prot download failed(503) http://10.0.0.5/fw/IP1200.bin" in text
    helptext = run(["--help"]).output
    assert "on_error          a malformed line" in helptext and "transfer_failure  a well-formed UP0 line" in helptext


def test_spec_5_8_power_save_fails_until_activate_pwr(tmp_path):
    body = "mod cmd UP0 prot http://10.0.0.5/fw/ip72.bin ireset 08-2\n"
    path = script(tmp_path, body, name="update-ip72.htm")
    (tmp_path / "fw" / "ip72.bin").write_bytes(b"fw")
    result = run([str(path), "--firmware", "08-1", "--power-save-fails", "--json", "--polls", "1"])
    assert polls_of(result)[0][0]["downloads"][0]["status"] == 502
    path.write_text("mod cmd WLANMGR0 activate-pwr\n" + body)
    fixed = run([str(path), "--firmware", "08-1", "--power-save-fails", "--json", "--polls", "1"])
    assert polls_of(fixed)[0][0]["downloads"][0]["status"] == 200


def test_spec_10_restart_at_is_a_power_cut_before_the_poll(tmp_path):
    path = script(tmp_path, "mod cmd UP1 times /initial 10\nvars create A/B p 1\n")
    result = run([str(path), "--restart-at", "2", "--json", "--polls", "3"])
    polls, _ = polls_of(result)
    assert polls[1]["restarts"] == [{"line": 0, "command": "power cut"}]
    assert [p["stopped_by"] for p in polls] == ["end", "initial", "end"]


def test_why_explains_each_poll_for_one_line(tmp_path):
    path = script(tmp_path, "mod cmd UP1 times /allow 3\nmod cmd UP1 check ser S1\nvars create A/B p 1\n")
    result = run([str(path), "--time", "02:30", "--why", "3"])
    text = result.output.split("why line 3 (vars create A/B p 1):", 1)[1]
    assert ("polls 1-2 2026-01-01 02:30 to 02:45: did not run: not reached: stopped by times at line 1: "
            "hour 2 is not in /allow 3") in text
    assert "poll 3 2026-01-01 03:00: ran: vars create: applied" in text
    assert "stopped by check at line 2" in text
    as_json = polls_of(run([str(path), "--time", "02:30", "--why", "3", "--json"]))[1]["why"]
    assert as_json["line"] == 3 and [p["ran"] for p in as_json["polls"]][:3] == [False, False, True]
    for bad in ("9", "0"):
        assert run([str(path), "--why", bad]).exit_code == 2


def test_spec_9_default_horizon_reaches_the_night_window(tmp_path):
    path = script(tmp_path, "mod cmd UP1 times /allow 2,3\nmod cmd UP1 check ser S1\n")
    result = run([str(path), "--time", "12:00"])
    assert result.exit_code == 0, result.output[-400:]
    assert result.output.rstrip().splitlines()[-1] == (
        "converged after 58 polls (polled until converged, at most 1 day of device time)"
    )
    limited = run([str(path), "--time", "12:00", "--max-polls", "3"])
    assert limited.exit_code == 1 and "polled at most 3 times" in limited.output


def test_url_map_from_the_config_file_serves_run_and_innolint_alike(tmp_path):
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "site.txt").write_text("config add CMD0 /name Hall\n")
    (tmp_path / ".innolint.toml").write_text('url-map = { "http://10.0.0.5/cfg/" = "payloads" }\n')
    path = script(tmp_path, "mod cmd UP0 cfg http://10.0.0.5/cfg/site.txt ser C1\n")
    result = run([str(path), "--json"])
    assert result.exit_code == 0, result.output
    polls, _ = polls_of(result)
    assert polls[0]["downloads"][0]["status"] == 200 and polls[0]["config"]["saved"]["CMD0"] == {"/name": "Hall"}

    from innoscript.lint.crossfile import payload_path
    from innoscript.lint.config import resolve

    settings = resolve(str(path)).settings
    assert payload_path("http://10.0.0.5/cfg/site.txt", str(path), settings) == str(tmp_path / "payloads" / "site.txt")
    # A file that is not there: a failed download every poll, not a loop.
    path.write_text("mod cmd UP0 cfg http://10.0.0.5/cfg/other.txt ser C1\n")
    missing = run([str(path)])
    assert missing.exit_code == 1 and "LOOP" not in missing.output
    assert "line 1: cfg download failed(404) http://10.0.0.5/cfg/other.txt" in missing.output
    assert payload_path("http://10.0.0.5/cfg/other.txt", str(path), settings) is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_exits_2_with_one_line():
    url = f"http://127.0.0.1:{_free_port()}/update-ip232.htm"
    result = run([url])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith(f"error: cannot reach {url}: ") and "refused" in result.output


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Sends a script one byte at a time, for ever."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(b"#")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_download_deadline_ends_a_trickling_download():
    from innoscript.device import HttpFetcher

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fetcher = HttpFetcher(timeout=1.0, deadline=1.0)
    answer = []
    worker = threading.Thread(target=lambda: answer.append(fetcher.get(f"http://127.0.0.1:{server.server_address[1]}/x")),
                              daemon=True)
    try:
        worker.start()
        worker.join(20)  # a per-read timeout alone would never end
        assert answer and answer[0].status == 502
        assert fetcher.last_error.startswith("timed out")
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def test_run_against_the_update_server_on_loopback(tmp_path):
    pytest.importorskip("aiohttp")  # the server extra
    from innoscript.server.app import ServerThread
    from innoscript.server.config import ServerConfig

    root = tmp_path / "root"
    (root / "fw").mkdir(parents=True)
    (root / "backups").mkdir()
    (root / "fw" / "IP232.bin").write_bytes(b"firmware")
    config = ServerConfig(root=root, port=0, anonymous=frozenset({"read", "write"}))
    with ServerThread(config) as server:
        (root / "update-ip232.htm").write_text(
            f"mod cmd UP0 prot {server.url}/fw/ ireset 08-2\nmod cmd UP0 scfg {server.url}/backups/#m.txt ser B1\n")
        result = run([server.url + "/update-ip232.htm", "--firmware", "08-1", "--mac", "00-90-33-01-02-03", "--json"])
    assert result.exit_code == 0, result.output
    polls, summary = polls_of(result)
    assert polls[0]["downloads"][0]["status"] == 200 and summary["converged"] and summary["firmware"] == "08-2"
    assert (root / "backups" / "00-90-33-01-02-03.txt").is_file()


def test_fail_status_and_time_take_ascii_digits_only():
    from innoscript.cli.run import _failures, _TIME

    assert _failures(("*/fw/*=404",)) == [("*/fw/*", 404)]
    # `٤٠٤` is not a status: the whole word is the glob, failing by time-out.
    assert _failures(("x=\u0664\u0660\u0664",)) == [("x=\u0664\u0660\u0664", None)]
    assert _TIME.match("02:30") and not _TIME.match("\u0660\u0662:30")
