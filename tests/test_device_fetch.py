"""Fetchers: local folders and real HTTP against a server on 127.0.0.1."""

from __future__ import annotations

import http.server
import socket
import threading
from datetime import datetime
from pathlib import Path

import pytest

from innoscript.device import FolderFetcher, HttpFetcher, make_state, run_poll, run_until_converged


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    uploads: Path

    def log_message(self, *args):  # keep test output quiet
        pass

    def _path(self, base: Path) -> Path | None:
        relative = self.path.split("?", 1)[0].lstrip("/")
        if ".." in relative.split("/"):
            return None
        return base / relative

    def do_GET(self):
        if self.path.startswith("/secret/"):
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self._path(self.root)
        if path is None or not path.is_file():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        path = self._path(self.uploads)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    uploads = tmp_path / "uploads"
    root.mkdir()
    uploads.mkdir()
    handler = type("Handler", (_Handler,), {"root": root, "uploads": uploads})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, uploads
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


SCRIPT = (
    "mod cmd UP1 check ser S1\n"
    "mod cmd UP0 prot {base}/fw/ ireset 08-2\n"
    "config add GW1 /name trunk\n"
    "config write\n"
    "mod cmd UP0 scfg {base}/backup/#m.txt ser B1\n"
)


def test_virtual_device_polls_a_real_server(server):
    base, root, uploads = server
    (root / "update-ip232.htm").write_text(SCRIPT.format(base=base))
    (root / "fw").mkdir()
    (root / "fw" / "IP232.bin").write_bytes(b"\x00firmware")
    state = make_state("IP232", firmware="08-1", update_url=base + "/", mac="00-90-33-01-02-03",
                       clock=datetime(2026, 3, 2, 2, 0))
    sent = {}

    class Recording(HttpFetcher):
        def put(self, url, body):
            sent[url] = body
            return super().put(url, body)

    run = run_until_converged(state, Recording(timeout=5))
    assert run.converged
    first = run.polls[0].result.summary
    assert first.status == "ok"
    assert [(d.url, d.status) for d in first.downloads] == [(base + "/fw/IP232.bin", 200)]
    assert run.state.firmware == "08-2" and run.state.var("CHECK") == "S1"
    # The backup arrives byte-exact.
    url = base + "/backup/00-90-33-01-02-03.txt"
    assert [u.url for u in run.polls[1].result.summary.uploads] == [url]
    assert (uploads / "backup" / "00-90-33-01-02-03.txt").read_bytes() == sent[url]
    assert b"config change GW1 /name trunk" in sent[url]


@pytest.mark.parametrize("path,status", [("/missing/", "failed(404)"), ("/secret/", "failed(401)")])
def test_http_errors_show_as_failed_status(server, path, status):
    base, _, _ = server
    result = run_poll(make_state("IP232", update_url=base + path), HttpFetcher(timeout=5))
    assert result.summary.status == status
    assert result.state.status == status


def test_no_answer_is_502():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more: the connection is refused.
    assert HttpFetcher(timeout=2).get(f"http://127.0.0.1:{port}/x").status == 502
    assert HttpFetcher().get("not a url").status == 502
    assert HttpFetcher().put("ftp://example/x", b"") == 502


def test_folder_fetcher_serves_files_and_keeps_uploads_out_of_the_root(tmp_path):
    root = tmp_path / "www"
    (root / "fw").mkdir(parents=True)
    (root / "fw" / "a.bin").write_bytes(b"A")
    (root / "backup.txt").write_bytes(b"user file")
    out = tmp_path / "out"
    fetcher = FolderFetcher(root, output=out)
    assert fetcher.get("http://h/fw/a.bin?x=1").body == b"A"
    assert fetcher.get("http://h/fw/missing.bin").status == 404
    assert fetcher.get("http://h/fw/../../etc/passwd").status == 403
    assert fetcher.get("no-url").status == 502
    assert fetcher.put("http://h/backup.txt", b"new") == 201
    assert (root / "backup.txt").read_bytes() == b"user file"
    assert (out / "backup.txt").read_bytes() == b"new"
    assert fetcher.uploads["http://h/backup.txt"] == b"new"


def test_folder_fetcher_url_map_longest_prefix_first(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_bytes(b"from a")
    (tmp_path / "b" / "x").write_bytes(b"from b")
    fetcher = FolderFetcher(url_map={"http://h/": tmp_path / "a", "http://h/deep/": tmp_path / "b"})
    assert fetcher.get("http://h/x").body == b"from a"
    assert fetcher.get("http://h/deep/x").body == b"from b"
    assert fetcher.get("http://other/x").status == 404
    assert fetcher.put("http://h/deep/y", b"kept") == 201  # no output folder: memory only
    assert not (tmp_path / "b" / "y").exists()


def test_cli_runs_a_script_from_a_url(server, tmp_path):
    import json

    from click.testing import CliRunner

    from innoscript.cli import main

    base, root, uploads = server
    (root / "update-ip232.htm").write_text(SCRIPT.format(base=base))
    (root / "fw").mkdir()
    (root / "fw" / "IP232.bin").write_bytes(b"fw")
    out = tmp_path / "copies"
    result = CliRunner().invoke(main, ["run", base + "/update-ip232.htm", "--firmware", "08-1", "--json",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    polls = [json.loads(line) for line in result.output.splitlines()]
    assert polls[0]["downloads"][0]["status"] == 200
    assert polls[-1]["summary"]["converged"] is True
    sent = (uploads / "backup" / "00-90-33-03-0d-f0.txt").read_bytes()
    assert (out / "backup" / "00-90-33-03-0d-f0.txt").read_bytes() == sent
    missing = CliRunner().invoke(main, ["run", base + "/nothing/update-ip232.htm"])
    assert missing.exit_code == 1
    assert "status failed(404)" in missing.output and "could not be fetched" in missing.output
