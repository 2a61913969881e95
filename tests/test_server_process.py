"""`innoscript serve` as a real process: the command line, and a SIGKILL in
the middle of an upload (no torn file, inventory intact after restart)."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("aiohttp")  # the server extra

from innoscript.cli.serve import parse_size, serve_command
from innoscript.server.auth import load_users, verify_password

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class ServeProcess:
    """`python -m innoscript serve ROOT --port 0 ...`, port read from its banner."""

    def __init__(self, root: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "innoscript", "serve", str(root), "--port", "0", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.banner = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.banner += line
            match = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                return
        self.proc.kill()
        raise AssertionError(f"server did not start: {self.banner}")

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.proc.stderr.close()


def test_sigkill_during_upload_leaves_no_torn_file(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "backups").mkdir(parents=True)
    (root / "update-ip1200.htm").write_bytes(b"mod cmd UP1 times /allow 1 /initial 6\n")
    old = b"config change OLD\n" * 1000
    server = ServeProcess(root, "--anonymous", "all", "--anonymous-backups", "--anonymous-status")
    try:
        assert server.request("GET", "/update-ip1200.htm?mac=00-90-33-03-0d-f0&BOOT=145")[0] == 200
        assert server.request("PUT", "/backups/00-90-33-03-0d-f0.txt", old)[0] == 201
        # start a 200 KB upload, send half of it, and kill the server while it is receiving
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(b"PUT /backups/00-90-33-03-0d-f0.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
        sock.sendall(b"N" * 100000)
        deadline = time.monotonic() + 20
        while not list((root / "backups").glob(".upload-*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list((root / "backups").glob(".upload-*")), "the upload never started"
        server.stop(signal.SIGKILL)
        sock.close()
    finally:
        if server.proc.poll() is None:
            server.stop(signal.SIGKILL)
    # whatever the kill left, the backup under its real name is the old, whole file
    assert (root / "backups" / "00-90-33-03-0d-f0.txt").read_bytes() == old
    restarted = ServeProcess(root, "--anonymous", "all", "--anonymous-backups", "--anonymous-status")
    try:
        assert "removed an unfinished upload" in restarted.banner
        assert not list((root / "backups").glob(".upload-*"))
        status, body = restarted.request("GET", "/_status.json")
        [device] = json.loads(body)["devices"]
        assert device["key"] == "mac:00-90-33-03-0d-f0" and device["serials"] == {"BOOT": "145"}
        assert device["backups"] == 1 and device["last_backup_size"] == len(old)
        new = b"config change NEW\n" * 500
        assert restarted.request("PUT", "/backups/00-90-33-03-0d-f0.txt", new)[0] == 204
        assert restarted.request("GET", "/backups/00-90-33-03-0d-f0.txt") == (200, new)
    finally:
        restarted.stop()
    assert restarted.proc.returncode == 0  # SIGTERM: a clean stop


def test_anonymous_mode_must_be_chosen(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_command, [str(tmp_path)])
    assert result.exit_code == 2 and "--anonymous" in result.output


def test_bad_inputs_exit_2_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(serve_command, [str(tmp_path / "missing"), "--anonymous", "read"])
    assert result.exit_code == 2 and "not a folder" in result.output and "Traceback" not in result.output
    (tmp_path / "users.txt").write_text("alice:read:nothashed\n")
    result = runner.invoke(serve_command, [str(tmp_path), "--users", str(tmp_path / "users.txt")])
    assert result.exit_code == 2 and "users.txt:1" in result.output
    result = runner.invoke(serve_command, [str(tmp_path), "--anonymous", "all", "--writable", "../x"])
    assert result.exit_code == 2 and "inside ROOT" in result.output
    result = runner.invoke(serve_command, [str(tmp_path), "--anonymous", "all", "--max-upload", "lots"])
    assert result.exit_code == 2


def test_port_in_use_is_a_clean_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "innoscript", "serve", str(tmp_path), "--port", str(port), "--anonymous", "read"],
            capture_output=True, text=True, timeout=60,
        )
    assert proc.returncode == 2 and "cannot serve" in proc.stderr and "Traceback" not in proc.stderr


def test_anonymous_beyond_loopback_warns(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "innoscript", "serve", str(tmp_path), "--bind", "0.0.0.0", "--port", "0",
         "--anonymous", "all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stderr.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stderr.close()
    assert first.startswith("warning: anonymous read and write access on 0.0.0.0")


def test_add_user(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    runner = CliRunner()
    result = runner.invoke(serve_command, ["--add-user", "backup", "--rights", "write", "--users", str(users),
                                           "--password-stdin"], input="s3cret\n")
    assert result.exit_code == 0, result.output
    user = load_users(users)["backup"]
    assert user.rights == frozenset({"write"}) and verify_password("s3cret", user.hashed)
    assert "s3cret" not in users.read_text()
    result = runner.invoke(serve_command, ["--add-user", "x", "--password-stdin"], input="pw\n")
    assert result.exit_code == 2 and "--users" in result.output
    result = runner.invoke(serve_command, ["--add-user", "x", "--users", str(users), "--rights", "admin",
                                           "--password-stdin"], input="pw\n")
    assert result.exit_code == 2


def test_parse_size() -> None:
    assert [parse_size(t) for t in ("1048576", "512K", "1M", "1MiB", "2g")] == [1 << 20, 512 << 10, 1 << 20,
                                                                                1 << 20, 2 << 30]


def test_limits_from_the_command_line(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "backups").mkdir(parents=True)
    (root / "backups" / "dev.txt").write_bytes(b"config change ADMIN /pwd secret\r\n")
    (root / "update-ip1200.htm").write_bytes(b"mod cmd UP1 times /allow 1 /initial 6\r\n")
    server = ServeProcess(root, "--anonymous", "read", "--header-timeout", "0.5", "--max-per-address", "2",
                          "--max-header-size", "2K", "--gate-max-size", "16", "--max-devices", "5",
                          "--device-expiry", "1", "--auth-burst", "1", "--auth-per-minute", "1")
    try:
        assert server.request("GET", "/backups/dev.txt")[0] == 401  # backups stay private
        assert server.request("GET", "/_status.json")[0] == 401
        assert server.request("GET", "/update-ip1200.htm")[0] == 503  # over --gate-max-size
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as first, \
                socket.create_connection(("127.0.0.1", server.port), timeout=30) as second:
            first.sendall(b"GET / HTTP/1.1\r\n")
            second.sendall(b"GET / HTTP/1.1\r\n")
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as third:
                assert third.recv(100).startswith(b"HTTP/1.1 503 ")
            assert first.recv(100).startswith(b"HTTP/1.1 408 ")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/update-ip1200.htm", headers={"X-Pad": "a" * 3000})
        assert conn.getresponse().status == 431
        conn.close()
    finally:
        server.stop()


def test_bad_limits_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    for option, value in (("--max-header-size", "big"), ("--gate-max-size", "-1"), ("--max-connections", "0"),
                          ("--header-timeout", "0"), ("--device-expiry", "0"), ("--auth-per-minute", "0")):
        result = runner.invoke(serve_command, [str(tmp_path), "--anonymous", "read", option, value])
        assert result.exit_code == 2 and option in result.output and "Traceback" not in result.output, option
