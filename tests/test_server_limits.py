"""The update server's limits against slow, hostile and anonymous clients, each
provoked over real sockets on 127.0.0.1 (other loopback addresses stand for
other clients): timeouts, connection caps, head size, uploads in flight,
long names, anonymous access, the inventory's growth, password floods and
the lint gate's worker."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")  # the server extra

from innoscript.server.app import ServerThread
from innoscript.server.config import ServerConfig

GOOD = b"mod cmd UP1 times /allow 1,2,3 /initial 6\r\nmod cmd UP0 prot http://10.0.0.1/fw/ip1200.bin ireset 07-60600\r\n"
WAIT = 10.0  # upper bound for anything the server must do "at once" or "after a short timeout"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "backups").mkdir(parents=True)
    (base / "update-ip1200.htm").write_bytes(GOOD)
    (base / "fw.bin").write_bytes(b"F" * 1000)
    return base


def make_config(root: Path, **changes) -> ServerConfig:
    values = dict(root=root, bind="127.0.0.1", port=0, anonymous=frozenset({"read", "write"}))
    values.update(changes)
    return ServerConfig(**values)


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    """A connection from ``source`` (any 127.x address: another client)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT, source_address=(source, 0))
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes; socket.timeout when it does not within WAIT."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def http(port: int, head: bytes, body: bytes = b"", source: str = "127.0.0.1") -> tuple[int, bytes]:
    with connect(port, source) as sock:
        sock.sendall(head + body)
        data = read_all(sock)
    return int(data.split(b" ", 2)[1]), data


def get(port: int, path: str, source: str = "127.0.0.1", headers: str = "") -> tuple[int, bytes]:
    head = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n".encode("latin-1")
    status, data = http(port, head, source=source)
    return status, data.split(b"\r\n\r\n", 1)[1]


def put(port: int, path: str, body: bytes, source: str = "127.0.0.1", headers: str = "") -> int:
    head = (f"PUT {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n").encode("latin-1")
    return http(port, head, body, source)[0]


def wait_until(condition) -> bool:
    deadline = time.monotonic() + WAIT
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def closed_by_server(sock: socket.socket) -> bytes:
    """What the server sent before closing (fails the test if it keeps the connection open)."""
    try:
        return read_all(sock)
    except socket.timeout:
        pytest.fail(f"the server kept the connection open for more than {WAIT} s")


# --- timeouts -------------------------------------------------------------------------

def test_half_sent_head_is_closed_after_the_header_timeout(root: Path) -> None:
    with ServerThread(make_config(root, header_timeout=0.5)) as server:
        with connect(server.port) as sock:
            sock.sendall(b"GET /update-ip1200.htm HTTP/1.1\r\nHost: x\r\n")
            assert closed_by_server(sock).startswith(b"HTTP/1.1 408 ")
        # one byte at a time does not buy more time: the deadline counts from the first byte
        with connect(server.port) as sock:
            started = time.monotonic()
            with contextlib.suppress(OSError):
                for byte in b"GET /update-ip1200.htm HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                    sock.sendall(bytes([byte]))
                    time.sleep(0.05)
            assert closed_by_server(sock).startswith(b"HTTP/1.1 408 ")
            assert time.monotonic() - started < WAIT
        # the second request of a kept-alive connection has the same deadline
        with connect(server.port) as sock:
            sock.sendall(b"GET /update-ip1200.htm HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while not reply.endswith(GOOD):
                reply += sock.recv(65536)
            sock.sendall(b"GET /update-ip1200.htm HTTP/1.1\r\n")
            assert closed_by_server(sock).startswith(b"HTTP/1.1 408 ")
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)


def test_idle_connections_are_closed(root: Path) -> None:
    with ServerThread(make_config(root, idle_timeout=0.5)) as server:
        with connect(server.port) as sock:  # never sends a byte
            assert closed_by_server(sock) == b""
        with connect(server.port) as sock:  # quiet after its first request
            sock.sendall(b"GET /update-ip1200.htm HTTP/1.1\r\nHost: x\r\n\r\n")
            assert closed_by_server(sock).endswith(GOOD)


def test_many_half_sent_heads_do_not_stop_devices(root: Path) -> None:
    config = make_config(root, header_timeout=1.0, max_connections=40, max_per_address=30)
    with ServerThread(config) as server:
        attackers = []
        try:
            for n in range(45):  # more than the cap: the surplus is refused at once
                sock = connect(server.port, "127.0.0.2")
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                attackers.append(sock)
            # a device from another address is still served while they hang
            assert get(server.port, "/update-ip1200.htm", "127.0.0.3") == (200, GOOD)
            replies = [closed_by_server(sock) for sock in attackers]
        finally:
            for sock in attackers:
                sock.close()
        assert sum(r.startswith(b"HTTP/1.1 503 ") for r in replies) == 15
        assert sum(r.startswith(b"HTTP/1.1 408 ") for r in replies) == 30
        assert wait_until(lambda: server.server.connections.open == 0)


# --- caps -----------------------------------------------------------------------------

def test_connection_caps_per_address_and_in_all(root: Path) -> None:
    config = make_config(root, max_connections=5, max_per_address=3)
    with ServerThread(config) as server:
        held = [connect(server.port, "127.0.0.1") for _ in range(3)]
        try:
            for sock in held:
                sock.sendall(b"GET")  # a request begun, not finished
            status, data = http(server.port, b"GET /update-ip1200.htm HTTP/1.1\r\n\r\n", source="127.0.0.1")
            assert status == 503 and b"--max-per-address" in data and b"Retry-After: 10" in data
            more = [connect(server.port, "127.0.0.2") for _ in range(2)]
            held += more
            for sock in more:
                sock.sendall(b"GET")
            status, data = http(server.port, b"GET /update-ip1200.htm HTTP/1.1\r\n\r\n", source="127.0.0.4")
            assert status == 503 and b"--max-connections" in data
        finally:
            for sock in held:
                sock.close()
        assert wait_until(lambda: server.server.connections.open == 0)
        assert get(server.port, "/update-ip1200.htm", "127.0.0.1") == (200, GOOD)


def test_request_head_size_is_capped(root: Path) -> None:
    with ServerThread(make_config(root, max_header_size=8192)) as server:
        # each header alone is under aiohttp's own per-line limit; together they are not
        headers = "".join(f"X-Pad-{n}: {'a' * 4000}\r\n" for n in range(3))
        status, data = http(server.port, f"GET /update-ip1200.htm HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
        assert status == 431 and b"8192" in data
        # a head just under the cap, with its body in the same packet, is fine
        pad = "a" * 7000
        assert put(server.port, "/backups/dev.txt", b"x" * 50_000, headers=f"X-Pad: {pad}\r\n") == 201


def test_uploads_in_flight_are_capped(root: Path) -> None:
    with ServerThread(make_config(root, max_uploads=2)) as server:
        held = []
        try:
            for n in range(2):
                sock = connect(server.port)
                sock.sendall(f"PUT /backups/held-{n}.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000\r\n\r\n".encode()
                             + b"a" * 10)
                held.append(sock)
            assert wait_until(lambda: server.server.uploads == 2)
            status = put(server.port, "/backups/third.txt", b"x" * 100)
            assert status == 503
            temporaries = [p for p in (root / "backups").iterdir() if p.name.startswith(".upload-")]
            assert len(temporaries) == 2
            for sock in held:
                sock.sendall(b"a" * 990)
                assert closed_by_server(sock).split(b" ", 2)[1] == b"201"
        finally:
            for sock in held:
                sock.close()
        assert put(server.port, "/backups/third.txt", b"x" * 100) == 201
        assert server.server.uploads == 0


# --- the lint gate's worker -------------------------------------------------------------

@pytest.fixture
def slow_lint(monkeypatch: pytest.MonkeyPatch):
    """Linting of scripts named `*slow*` blocks until the test releases it;
    every script linted is counted."""
    from innoscript.server.gate import LintGate

    release = threading.Event()
    linted: list[str] = []
    original = LintGate._errors

    def errors(self, relative: str, *rest) -> str:
        linted.append(relative)
        if "slow" in relative:
            release.wait(60)
        return original(self, relative, *rest)

    monkeypatch.setattr(LintGate, "_errors", errors)
    yield release, linted
    release.set()


def test_a_slow_lint_does_not_stall_other_devices(root: Path, slow_lint) -> None:
    release, linted = slow_lint
    with ServerThread(make_config(root, gate_timeout=0.3)) as server:
        # (the first lint of a process imports the rules: on a loaded machine it may take
        # longer than the budget, and that poll is answered 503 meanwhile)
        assert wait_until(lambda: get(server.port, "/update-ip1200.htm") == (200, GOOD))
        (root / "update-slow.htm").write_bytes(GOOD)
        # its first poll gets an answer within the budget, while the lint still runs
        status, body = get(server.port, "/update-slow.htm")
        assert status == 503 and not release.is_set()
        assert get(server.port, "/update-slow.htm")[0] == 503
        # other devices' polls and backups are served meanwhile
        for n in range(5):
            assert get(server.port, "/update-ip1200.htm", source=f"127.0.0.{n + 2}") == (200, GOOD)
            assert put(server.port, f"/backups/dev-{n}.txt", b"backup") == 201
        assert linted.count("update-slow.htm") == 1  # one lint per content, however many polls
        release.set()
        assert wait_until(lambda: get(server.port, "/update-slow.htm") == (200, GOOD))


def test_a_new_version_being_linted_serves_the_last_good_one(root: Path, slow_lint) -> None:
    release, _ = slow_lint
    script = root / "update-slow.htm"
    script.write_bytes(GOOD)
    release.set()
    with ServerThread(make_config(root, gate_timeout=0.3)) as server:
        assert get(server.port, "/update-slow.htm") == (200, GOOD)
        release.clear()
        changed = GOOD + b"mod cmd UP1 check ser 2\r\n"
        script.write_bytes(changed)
        assert get(server.port, "/update-slow.htm") == (200, GOOD)  # stale, not stalled
        release.set()
        assert wait_until(lambda: get(server.port, "/update-slow.htm") == (200, changed))


def test_scripts_over_the_gate_size_limit_are_withheld_unlinted(root: Path, slow_lint) -> None:
    _, linted = slow_lint
    with ServerThread(make_config(root, gate_max_size=64 * 1024, anonymous_status=True)) as server:
        (root / "update-big.htm").write_bytes(b"\r" * (1 << 20))  # 1 MB of CR
        status, body = get(server.port, "/update-big.htm")
        assert status == 503
        assert "update-big.htm" not in linted
        [row] = [g for g in json.loads(get(server.port, "/_status.json")[1])["gate"] if g["path"] == "update-big.htm"]
        assert row["blocked"] and "larger than 65536 bytes" in row["reason"]
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)


def test_uploads_named_like_scripts_are_not_linted(root: Path, slow_lint) -> None:
    _, linted = slow_lint
    config = make_config(root, max_upload=2 << 20, anonymous_backups=True)
    with ServerThread(config) as server:
        body = b"\r" * (1 << 20)
        assert put(server.port, "/backups/update-ip1200.htm", body) == 201
        assert get(server.port, "/backups/update-ip1200.htm") == (200, body)
    assert linted == []


def test_the_lint_backlog_is_bounded(root: Path, slow_lint) -> None:
    from innoscript.server import gate

    release, linted = slow_lint
    with ServerThread(make_config(root, gate_timeout=0.1)) as server:
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)  # its verdict is known
        for n in range(gate.MAX_QUEUE + 10):
            (root / f"update-slow-{n}.htm").write_bytes(GOOD)
            assert get(server.port, f"/update-slow-{n}.htm")[0] == 503
        assert len(server.server.gate._pending) == gate.MAX_QUEUE
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)
        release.set()
        assert wait_until(lambda: not server.server.gate._pending)
        # the scripts left out are queued at their next poll
        assert wait_until(lambda: get(server.port, f"/update-slow-{gate.MAX_QUEUE + 5}.htm") == (200, GOOD))


# --- the inventory ---------------------------------------------------------------------

def status(server: ServerThread) -> dict:
    code, body = get(server.port, "/_status.json")
    assert code == 200
    return json.loads(body)


def test_inventory_records_only_requests_that_served_a_script(root: Path) -> None:
    (root / "update-broken.htm").write_bytes(b"mod cmd UP1 check\x01 x\r\n")
    with ServerThread(make_config(root, anonymous_status=True)) as server:
        for n in range(20):
            mac = f"00-90-33-00-00-{n:02x}"
            assert get(server.port, f"/x?mac={mac}")[0] == 404
            assert get(server.port, f"/update-missing.htm?mac={mac}&ver=x")[0] == 404
            assert get(server.port, f"/fw.bin?mac={mac}&PROT=1")[0] == 200  # a file, not a script
            assert get(server.port, f"/update-broken.htm?mac={mac}")[0] == 503  # withheld
        assert status(server)["devices"] == []
        assert get(server.port, "/update-ip1200.htm?mac=00-90-33-03-0d-f0")[0] == 200
        # a known device's downloads do update it
        assert get(server.port, "/fw.bin?mac=00-90-33-03-0d-f0&PROT=08-1")[0] == 200
        [device] = status(server)["devices"]
        assert device["key"] == "mac:00-90-33-03-0d-f0" and device["serials"] == {"PROT": "08-1"}


def test_inventory_is_capped(root: Path) -> None:
    with ServerThread(make_config(root, max_devices=30, anonymous_status=True)) as server:
        for n in range(60):
            assert get(server.port, f"/update-ip1200.htm?mac=00-90-33-00-01-{n:02x}")[0] == 200
        devices = status(server)["devices"]
        assert len(devices) == 30
        # the devices it knows are still followed
        assert get(server.port, "/update-ip1200.htm?mac=00-90-33-00-01-00&BOOT=145")[0] == 200
        first = {d["key"]: d for d in status(server)["devices"]}["mac:00-90-33-00-01-00"]
        assert first["polls"] == 2 and first["serials"] == {"BOOT": "145"}


# --- anonymous access ---------------------------------------------------------------------

def basic(name: str, password: str) -> str:
    return "Authorization: Basic " + base64.b64encode(f"{name}:{password}".encode()).decode() + "\r\n"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    from innoscript.server.auth import add_user

    path = tmp_path / "users.txt"
    add_user(path, "admin", "admin-pw", frozenset({"read", "write"}))
    add_user(path, "phone", "phone-pw", frozenset({"write"}))
    return path


def test_anonymous_read_reaches_neither_backups_nor_status_pages(root: Path, users: Path) -> None:
    (root / "backups" / "IP1200-03-0d-f0.txt").write_bytes(b"config change ADMIN /pwd secret\r\n")
    with ServerThread(make_config(root, users_file=users, anonymous=frozenset({"read"}))) as server:
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)
        for path in ("/backups/IP1200-03-0d-f0.txt", "/_status", "/_status.json"):
            status, body = get(server.port, path)
            assert status == 401 and b"secret" not in body, path
            assert get(server.port, path, headers=basic("admin", "admin-pw"))[0] == 200
        assert b"secret" in get(server.port, "/backups/IP1200-03-0d-f0.txt", headers=basic("admin", "admin-pw"))[1]
    # `--anonymous all` (no users at all) does not open them either
    with ServerThread(make_config(root)) as server:
        assert get(server.port, "/backups/IP1200-03-0d-f0.txt")[0] == 401
        assert get(server.port, "/_status.json")[0] == 401
        assert put(server.port, "/backups/IP1200-03-0d-f0.txt", b"new") == 204  # writing is still anonymous
    # unless asked for by name
    with ServerThread(make_config(root, anonymous_backups=True, anonymous_status=True)) as server:
        assert get(server.port, "/backups/IP1200-03-0d-f0.txt") == (200, b"new")
        assert get(server.port, "/_status.json")[0] == 200


# --- password checks ----------------------------------------------------------------------

@pytest.fixture
def counted_scrypt(monkeypatch: pytest.MonkeyPatch):
    """Counts password hashings; those for user `slow` block until released."""
    from innoscript.server import auth

    release = threading.Event()
    names: list[str] = []
    original = auth.verify_password

    def verify(password: str, hashed: str) -> bool:
        names.append(password)
        if password.startswith("slow"):
            release.wait(60)
        return original(password, hashed)

    monkeypatch.setattr(auth, "verify_password", verify)
    yield release, names
    release.set()


def test_wrong_passwords_are_rate_limited_per_address(root: Path, users: Path, counted_scrypt) -> None:
    _, hashed = counted_scrypt
    config = make_config(root, users_file=users, anonymous=frozenset({"read"}), auth_burst=3, auth_per_minute=1)
    with ServerThread(config) as server:
        answers = [put(server.port, "/backups/x.txt", b"x", "127.0.0.2", basic("phone", f"guess-{n}"))
                   for n in range(10)]
        assert answers == [401] * 3 + [429] * 7
        assert len(hashed) == 3  # the refused tries cost no scrypt
        status, data = http(server.port, b"PUT /backups/x.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n"
                            + basic("phone", "guess-x").encode() + b"\r\n", b"x", "127.0.0.2")
        assert status == 429 and b"Retry-After: " in data
        # the same wrong header again costs nothing either, and another address is not affected
        assert put(server.port, "/backups/x.txt", b"x", "127.0.0.3", basic("phone", "guess-0")) == 401
        assert len(hashed) == 3
        assert put(server.port, "/backups/x.txt", b"x", "127.0.0.3", basic("phone", "phone-pw")) == 201


def test_password_checks_run_off_the_request_threads(root: Path, users: Path, counted_scrypt) -> None:
    release, _ = counted_scrypt
    config = make_config(root, users_file=users, anonymous=frozenset({"read"}))
    with ServerThread(config) as server:
        assert put(server.port, "/backups/dev.txt", b"first", headers=basic("phone", "phone-pw")) == 201
        # twelve clients whose password hashing hangs (more than the default thread pool has threads)
        flood = []
        try:
            for n in range(12):
                sock = connect(server.port, f"127.0.0.{n + 2}")
                sock.sendall(b"PUT /backups/x.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n"
                             + basic("phone", f"slow-{n}").encode() + b"\r\nx")
                flood.append(sock)
            # a device whose credentials are known uploads and polls meanwhile
            assert put(server.port, "/backups/dev.txt", b"second", headers=basic("phone", "phone-pw")) == 204
            assert get(server.port, "/update-ip1200.htm") == (200, GOOD)
            assert not release.is_set()
        finally:
            release.set()
            replies = [closed_by_server(sock) for sock in flood]
            for sock in flood:
                sock.close()
        assert all(r.startswith(b"HTTP/1.1 401 ") for r in replies)
    assert (root / "backups" / "dev.txt").read_bytes() == b"second"


# --- long names -----------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/" + "%C3%A9" * 129,  # 258 bytes once decoded (129 characters)
    "/" + "a" * 257,  # a 258-byte path
    "/backups/" + "%C3%A9" * 128,
    "/" + "a" * 256 + "/x",
])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_long_paths_get_414_not_500(root: Path, target: str, method: str, caplog: pytest.LogCaptureFixture) -> None:
    with ServerThread(make_config(root)) as server:
        if method == "GET":
            status, body = get(server.port, target)
        else:
            status = put(server.port, target, b"x")
        assert status == 414
        assert get(server.port, "/update-ip1200.htm") == (200, GOOD)
    assert not [r for r in caplog.records if r.exc_info]  # no traceback anywhere
    assert [p.name for p in (root / "backups").iterdir()] == []


@pytest.mark.parametrize("length", [250, 254, 255])
def test_backup_names_without_room_for_versions_are_refused_up_front(root: Path, length: int) -> None:
    with ServerThread(make_config(root, keep_versions=5)) as server:
        status, data = http(server.port, f"PUT /backups/{'n' * length} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                         "Content-Length: 3\r\n\r\n".encode(), b"one")
        assert status == 414 and b"longer than 249 bytes" in data
        assert list((root / "backups").iterdir()) == []


def test_the_longest_backup_name_keeps_all_its_versions(root: Path) -> None:
    name = "n" * 249
    with ServerThread(make_config(root, keep_versions=5)) as server:
        statuses = [put(server.port, f"/backups/{name}", f"v{n}".encode()) for n in range(8)]
    assert statuses == [201] + [204] * 7
    assert (root / "backups" / name).read_bytes() == b"v7"
    assert (root / "backups" / ".versions" / f"{name}.5").read_bytes() == b"v2"
