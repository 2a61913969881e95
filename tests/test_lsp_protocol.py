"""The server at the wire: malformed messages over stdio, TCP mode, lazy imports."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time

from lsp_support import SERVER, WAIT


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Wire:
    """A minimal JSON-RPC peer over a pair of byte streams."""

    def __init__(self, reader, writer) -> None:
        self.reader, self.writer = reader, writer

    def send(self, message: dict) -> None:
        message = {"jsonrpc": "2.0", **message}
        self.writer(frame(message))

    def receive(self) -> dict:
        headers = {}
        while True:
            line = self.reader.readline()
            if not line:
                raise EOFError("server closed the stream")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            headers[name.strip().lower()] = value.strip()
        return json.loads(self.reader.read(int(headers["content-length"])))

    def response(self, request_id: int) -> dict:
        while True:
            message = self.receive()
            if message.get("id") == request_id and "method" not in message:
                return message

    def initialize(self) -> dict:
        self.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        result = self.response(1)
        self.send({"method": "initialized", "params": {}})
        return result

    def shutdown(self) -> None:
        self.send({"id": 999, "method": "shutdown"})
        self.response(999)
        self.send({"method": "exit"})


@contextlib.contextmanager
def stdio_server():
    """The server on stdio: its process, a Wire to it and the raw writer; killed if left running."""
    process = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def write(data: bytes) -> None:
        process.stdin.write(data)
        process.stdin.flush()

    try:
        yield process, Wire(process.stdout, write), write
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def open_script(wire: Wire) -> str:
    """Open a one-line script; its URI."""
    uri = "file:///tmp/innoscript-wire/update-ip232.htm"
    text = "mod cmd UP1 check iresetn 2024-06-01\n"
    wire.send({"method": "textDocument/didOpen",
               "params": {"textDocument": {"uri": uri, "languageId": "innoscript", "version": 1, "text": text}}})
    return uri


def test_malformed_messages_get_errors_and_the_server_lives():
    with stdio_server() as (process, wire, write):
        assert "capabilities" in wire.initialize()["result"]
        uri = open_script(wire)
        # Parameters of the wrong shape: an error response, not a dead server.
        wire.send({"id": 2, "method": "textDocument/hover", "params": {"textDocument": {}, "position": "bad"}})
        assert "error" in wire.response(2)
        wire.send({"id": 3, "method": "textDocument/completion", "params": None})
        assert "error" in wire.response(3)
        wire.send({"id": 4, "method": "no/suchMethod", "params": {}})
        assert wire.response(4)["error"]["code"] == -32601
        # Notifications with nonsense are dropped.
        wire.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri}, "contentChanges": 5}})
        wire.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": "file:///never/opened.htm", "version": 2}, "contentChanges": [{"text": "x"}]}})
        # Negative and huge positions.
        wire.send({"id": 5, "method": "textDocument/hover",
                   "params": {"textDocument": {"uri": uri}, "position": {"line": 99999, "character": 99999}}})
        assert wire.response(5).get("result") is None
        wire.send({"id": 6, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 5000, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}}})
        assert isinstance(wire.response(6).get("result"), list)
        # Still answering properly.
        wire.send({"id": 7, "method": "textDocument/hover",
                   "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 20}}})
        assert "iresetn" in wire.response(7)["result"]["contents"]["value"]
        wire.shutdown()
        assert process.wait(WAIT) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_tcp_mode():
    port = free_port()
    process = subprocess.Popen([*SERVER, "--tcp", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
                break
            except OSError:
                assert process.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server never listened"
                time.sleep(0.05)
        with connection:
            stream = connection.makefile("rb")
            wire = Wire(stream, connection.sendall)
            result = wire.initialize()["result"]
            assert result["serverInfo"]["name"] == "innoscript"
            wire.shutdown()
    finally:
        process.terminate()
        process.wait(WAIT)


def test_stdio_and_tcp_exclude_each_other():
    result = subprocess.run([*SERVER, "--stdio", "--tcp"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --stdio and --tcp exclude each other"


def invoked_in_a_process(args: list[str], before: str = "", after: str = "") -> list[str]:
    """What a fresh Python prints, words split, around `innoscript ARGS` run in it (exit status 0):
    ``before`` runs first, ``after`` then, with the CliRunner ``result`` (the command's own output is in it)."""
    code = (
        f"import gc, sys\n{before}"
        "from click.testing import CliRunner\n"
        "from innoscript.cli import main\n"
        f"result = CliRunner().invoke(main, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        f"{after}"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_help_does_not_import_pygls():
    out = invoked_in_a_process(["--help"], after="assert 'lsp' in result.output\n"
                                                 "print('pygls' in sys.modules, 'lsprotocol' in sys.modules)\n")
    assert out == ["False", "False"]


def test_the_server_serves_with_what_it_imported_out_of_the_collector_s_sight():
    # A full collection walked the protocol's classes again: 26 ms with a large document open.
    serving = ("from innoscript.lsp.server import InnoServer\n"
               "InnoServer.start_io = lambda self: print(gc.get_freeze_count() > 10000, gc.isenabled())\n")
    assert invoked_in_a_process(["lsp"], before=serving, after="print(result.output)\n") == ["True", "True"]


def test_a_wrong_content_length_does_not_lose_later_messages():
    with stdio_server() as (process, wire, write):
        wire.initialize()
        uri = open_script(wire)
        hover = {"method": "textDocument/hover",
                 "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 20}}}
        body = json.dumps({"jsonrpc": "2.0", "id": 2, **hover}).encode()
        # Too long: the declared body would swallow the next message.
        write(b"Content-Length: %d\r\n\r\n" % (len(body) + 400) + body)
        wire.send({"id": 3, **hover})
        assert "iresetn" in wire.response(3)["result"]["contents"]["value"]
        # Too short, not a number, missing: each message after them is still answered.
        write(b"Content-Length: %d\r\n\r\n" % (len(body) - 9) + body)
        wire.send({"id": 4, **hover})
        assert "iresetn" in wire.response(4)["result"]["contents"]["value"]
        write(b"Content-Length: many\r\n\r\n" + body)
        write(b"Content-Type: application/json\r\n\r\n" + body)
        write(b"garbage\r\n")
        wire.send({"id": 5, **hover})
        assert "iresetn" in wire.response(5)["result"]["contents"]["value"]
        wire.shutdown()
        assert process.wait(WAIT) == 0
