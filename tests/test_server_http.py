"""The update server over real HTTP on 127.0.0.1 (a free port, stopped after
each test): GET, Range, PUT, inventory, restart, traversal, limits, auth,
lint gate, status pages, many devices at once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import json
import os
import socket
import time
from pathlib import Path

import pytest

aiohttp = pytest.importorskip("aiohttp")  # the server extra


from innoscript.server.app import ServerThread
from innoscript.server.auth import add_user
from innoscript.server.config import ServerConfig

GOOD = b"mod cmd UP1 times /allow 1,2,3 /initial 6\r\nmod cmd UP0 prot http://10.0.0.1/fw/ip1200.bin ireset 07-60600\r\n"
BROKEN = GOOD + b"mod cmd UP1 check\x01 x\r\n"
VER = "6.00 dvl-sr1 IP1200[07-60600.03], Bootcode[145], HW[104] 16384/131072"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "backups").mkdir(parents=True)
    (base / "fw").mkdir()
    (base / "update-ip1200.htm").write_bytes(GOOD)
    (base / "fw" / "ip1200.bin").write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    (base / "site.cfg").write_bytes(b"config change UP1 /poll 15\r\n")
    return base


def make_config(root: Path, **changes) -> ServerConfig:
    # backups and status pages readable without credentials: these tests are about other things
    values = dict(root=root, bind="127.0.0.1", port=0, anonymous=frozenset({"read", "write"}),
                  anonymous_backups=True, anonymous_status=True)
    values.update(changes)
    return ServerConfig(**values)


@pytest.fixture
def server(root: Path):
    with ServerThread(make_config(root)) as running:
        yield running


def request(server: ServerThread, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw_request(port: int, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes as they are (no client-side checks) and read the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line = data.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), data


def files_under(folder: Path) -> list[str]:
    """Regular files below ``folder`` (symlinks not followed, server state left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != ".innoscript-state"]
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_symlink():
                found.append(str(path.relative_to(folder)))
    return sorted(found)


def status_json(server: ServerThread) -> dict:
    status, _, body = request(server, "GET", "/_status.json")
    assert status == 200
    return json.loads(body)


# --- basics --------------------------------------------------------------------

def test_get_script_firmware_and_cfg_ignoring_query(server: ServerThread, root: Path) -> None:
    status, headers, body = request(server, "GET", "/update-ip1200.htm?ver=x&BOOT=145&CHECK=&PROTdate=20240101")
    assert (status, body) == (200, GOOD)
    assert headers["X-Innoscript-Gate"] == "ok" and headers["Cache-Control"] == "no-cache"
    status, _, body = request(server, "GET", "/fw/ip1200.bin?ver=x")
    assert status == 200 and body == (root / "fw" / "ip1200.bin").read_bytes()
    assert request(server, "GET", "/site.cfg")[2] == b"config change UP1 /poll 15\r\n"
    assert request(server, "GET", "/missing.htm")[0] == 404
    assert request(server, "GET", "/fw/")[0] == 404  # folders are not listed
    assert request(server, "DELETE", "/site.cfg")[0] == 405
    status, headers, body = request(server, "HEAD", "/fw/ip1200.bin")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(1 << 20)


def test_range_requests(server: ServerThread, root: Path) -> None:
    data = (root / "fw" / "ip1200.bin").read_bytes()
    status, headers, body = request(server, "GET", "/fw/ip1200.bin", headers={"Range": "bytes=1000-1999"})
    assert status == 206 and body == data[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    status, _, body = request(server, "GET", "/fw/ip1200.bin", headers={"Range": "bytes=-10"})
    assert status == 206 and body == data[-10:]
    status, _, body = request(server, "GET", "/fw/ip1200.bin", headers={"Range": "bytes=500000-"})
    assert status == 206 and body == data[500000:]
    assert request(server, "GET", "/fw/ip1200.bin", headers={"Range": f"bytes={len(data)}-"})[0] == 416


def test_put_backup_replaces_atomically_and_keeps_versions(root: Path) -> None:
    with ServerThread(make_config(root, keep_versions=2)) as server:
        target = root / "backups" / "IP1200-03-0d-f0.txt"
        assert request(server, "PUT", "/backups/IP1200-03-0d-f0.txt", b"one")[0] == 201
        for payload in (b"two", b"three", b"four"):
            assert request(server, "PUT", "/backups/IP1200-03-0d-f0.txt", payload)[0] == 204
        assert target.read_bytes() == b"four"
        versions = root / "backups" / ".versions"
        assert (versions / "IP1200-03-0d-f0.txt.1").read_bytes() == b"three"
        assert (versions / "IP1200-03-0d-f0.txt.2").read_bytes() == b"two"
        assert not (versions / "IP1200-03-0d-f0.txt.3").exists()
        assert request(server, "GET", "/backups/IP1200-03-0d-f0.txt")[2] == b"four"
        assert request(server, "GET", "/backups/.versions/IP1200-03-0d-f0.txt.1")[0] == 403
        # sub-folders of a writable folder are writable
        assert request(server, "PUT", "/backups/site-a/dev.txt", b"x")[0] == 201
        assert (root / "backups" / "site-a" / "dev.txt").read_bytes() == b"x"


def test_inventory_from_query_parameters(server: ServerThread) -> None:
    from urllib.parse import urlencode

    query = urlencode({"ver": VER, "BOOT": "145", "PROT": "07-6060003", "CHECK": "20070511-01",
                       "SCFG": "WEEKLY", "PROTdate": "20261127-020000", "mac": "00-90-33-03-0d-f0"})
    assert request(server, "GET", f"/update-ip1200.htm?{query}")[0] == 200
    assert request(server, "PUT", "/backups/IP1200-03-0d-f0.txt?CFG-BACKUP-NUM=2", b"vars create X")[0] == 201
    [device] = status_json(server)["devices"]
    assert device["key"] == "mac:00-90-33-03-0d-f0"
    assert (device["model"], device["firmware"], device["bootcode"], device["hardware"]) == (
        "IP1200", "07-60600.03", "145", "104")
    assert device["serials"] == {"BOOT": "145", "CHECK": "20070511-01", "CFG-BACKUP-NUM": "2",
                                 "PROT": "07-6060003", "PROTdate": "20261127-020000", "SCFG": "WEEKLY"}
    assert device["last_poll_path"] == "update-ip1200.htm" and device["polls"] == 1
    assert device["last_backup_path"] == "backups/IP1200-03-0d-f0.txt" and device["last_backup_size"] == 13
    assert device["last_status"] == 201 and device["address"] == "127.0.0.1"
    status, headers, page = request(server, "GET", "/_status")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"00-90-33-03-0d-f0" in page and b"07-60600.03" in page


def test_status_page_escapes_device_data(server: ServerThread) -> None:
    request(server, "GET", "/update-ip1200.htm?ver=%3Cscript%3Ealert(1)%3C/script%3E&mac=00-90-33-00-00-01")
    page = request(server, "GET", "/_status")[2]
    assert b"<script>" not in page and b"&lt;script&gt;" in page


def test_inventory_and_backups_survive_restart(root: Path) -> None:
    with ServerThread(make_config(root)) as server:
        request(server, "GET", "/update-ip1200.htm?sn=00-90-33-03-0d-f0&BOOT=145")
        request(server, "PUT", "/backups/00-90-33-03-0d-f0.txt", b"saved")
        before = status_json(server)["devices"]
    with ServerThread(make_config(root)) as server:
        after = status_json(server)["devices"]
        assert after == before and after[0]["serials"] == {"BOOT": "145"}
        assert request(server, "GET", "/backups/00-90-33-03-0d-f0.txt")[2] == b"saved"


# --- confinement -----------------------------------------------------------------

TRAVERSALS = [
    b"/../secret.txt",
    b"/backups/../../secret.txt",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/secret.txt",
    b"/backups/%2e%2e/%2e%2e/secret.txt",
    b"/..%2fsecret.txt",
    b"/backups%2f..%2f..%2fsecret.txt",
    b"/%252e%252e/secret.txt",
    b"/%252e%252e%252fsecret.txt",
    b"/..%5csecret.txt",
    b"/..\\secret.txt",
    b"/backups\\..\\..\\secret.txt",
    b"/secret.txt%00.htm",
    b"/a\x00b",
    b"http://127.0.0.1/../secret.txt",
    b"//etc/passwd/../../secret.txt",
    b"/C:/secret.txt",
    b"/escape/secret.txt",
    b"/escape-file",
    b"/.innoscript-state/inventory.sqlite3",
    b"/" + b"a/" * 600 + b"secret.txt",
    b"/" + b"x" * 5000,
]


@pytest.fixture
def outside(tmp_path: Path, root: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"SECRET")
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (root / "escape").symlink_to(folder)
    (root / "escape-file").symlink_to(folder / "secret.txt")
    (root / "backups" / "escape").symlink_to(folder)
    return folder


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: t[:40].decode("latin-1"))
@pytest.mark.parametrize("method", [b"GET", b"PUT"])
def test_traversal_is_refused(root: Path, outside: Path, tmp_path: Path, target: bytes, method: bytes,
                              caplog: pytest.LogCaptureFixture) -> None:
    before = files_under(tmp_path)
    with ServerThread(make_config(root)) as server:
        body = b"PWNED"
        head = method + b" " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        head += b"Content-Length: 5\r\n\r\n" if method == b"PUT" else b"\r\n"
        status, data = raw_request(server.port, head, body if method == b"PUT" else b"")
    assert 400 <= status < 500, data[:200]
    assert b"SECRET" not in data
    assert files_under(tmp_path) == before
    assert all(b"PWNED" not in (tmp_path / f).read_bytes() for f in before)
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused ")]
    if b"\x00" in target:
        assert status == 400  # the HTTP parser itself rejects a raw NUL before any handler runs
    else:
        assert len(refusals) == 1 and f"refused {method.decode()} " in refusals[0]


def test_put_outside_writable_folders_is_refused(server: ServerThread, root: Path, outside: Path) -> None:
    for path in ("/update-ip1200.htm", "/fw/ip1200.bin", "/new.htm", "/backups", "/backupsX/a.txt",
                 "/backups/escape/a.txt", "/_status.json"):
        status, _, _ = request(server, "PUT", path, b"PWNED")
        assert status in (403, 409, 405), path
    assert (root / "update-ip1200.htm").read_bytes() == GOOD
    assert not (root / "new.htm").exists() and list((outside).iterdir()) == [outside / "secret.txt"]


# --- limits -----------------------------------------------------------------------

def test_oversized_uploads_are_cut_off(root: Path) -> None:
    with ServerThread(make_config(root, max_upload=1000)) as server:
        request(server, "PUT", "/backups/dev.txt", b"old")
        assert request(server, "PUT", "/backups/dev.txt", b"x" * 1001)[0] == 413
        # chunked, no Content-Length: counted while it streams
        chunks = (b"y" * 300 for _ in range(10))
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("PUT", "/backups/dev.txt", body=chunks, encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        assert conn.getresponse().status == 413
        conn.close()
        assert request(server, "PUT", "/backups/dev.txt", b"z" * 1000)[0] == 204  # the limit itself is fine
    assert files_under(root / "backups") == [".versions/dev.txt.1", "dev.txt"]
    assert (root / "backups" / "dev.txt").read_bytes() == b"z" * 1000


def test_slow_upload_is_cut_off(root: Path) -> None:
    with ServerThread(make_config(root, upload_timeout=0.5)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"PUT /backups/slow.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"a" * 10)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 408")
    assert files_under(root / "backups") == []


def test_client_going_away_mid_upload_leaves_nothing(root: Path) -> None:
    with ServerThread(make_config(root)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"PUT /backups/gone.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"a" * 5000)
        deadline = time.monotonic() + 10
        while files_under(root / "backups") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert request(server, "GET", "/update-ip1200.htm")[0] == 200  # still serving
    assert files_under(root / "backups") == []


# --- authentication ---------------------------------------------------------------

def _basic(name: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_basic_auth_separately_for_read_and_write(root: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    add_user(users, "phone", "pw-read", frozenset({"read"}))
    add_user(users, "backup", "pw-write", frozenset({"read", "write"}))
    with ServerThread(make_config(root, users_file=users, anonymous=frozenset())) as server:
        status, headers, _ = request(server, "GET", "/update-ip1200.htm")
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic realm=")
        assert request(server, "GET", "/_status.json")[0] == 401
        assert request(server, "GET", "/update-ip1200.htm", headers=_basic("phone", "pw-read"))[2] == GOOD
        assert request(server, "GET", "/update-ip1200.htm", headers=_basic("phone", "wrong"))[0] == 401
        assert request(server, "PUT", "/backups/a.txt", b"x", headers=_basic("phone", "pw-read"))[0] == 403
        assert request(server, "PUT", "/backups/a.txt", b"x")[0] == 401
        assert request(server, "PUT", "/backups/a.txt", b"x", headers=_basic("backup", "pw-write"))[0] == 201
    # anonymous read, authenticated write
    with ServerThread(make_config(root, users_file=users, anonymous=frozenset({"read"}))) as server:
        assert request(server, "GET", "/update-ip1200.htm")[0] == 200
        assert request(server, "PUT", "/backups/a.txt", b"y")[0] == 401
        assert request(server, "GET", "/update-ip1200.htm", headers=_basic("phone", "wrong"))[0] == 401
    assert (root / "backups" / "a.txt").read_bytes() == b"x"


# --- lint gate ----------------------------------------------------------------------

def test_lint_gate_keeps_serving_the_last_good_version(root: Path) -> None:
    script = root / "update-ip1200.htm"
    with ServerThread(make_config(root)) as server:
        assert request(server, "GET", "/update-ip1200.htm")[2] == GOOD
        script.write_bytes(BROKEN)
        status, headers, body = request(server, "GET", "/update-ip1200.htm?ver=x")
        assert (status, body, headers["X-Innoscript-Gate"]) == (200, GOOD, "stale")
        gate = status_json(server)["gate"]
        assert gate[0]["blocked"] and "UPD-090" in gate[0]["reason"]
        fixed = GOOD + b"mod cmd UP1 check ser 2\r\n"
        script.write_bytes(fixed)
        status, headers, body = request(server, "GET", "/update-ip1200.htm")
        assert (status, body, headers["X-Innoscript-Gate"]) == (200, fixed, "ok")
        # a new script that is broken from the start has nothing to fall back to
        (root / "update-ip800.htm").write_bytes(BROKEN)
        status, headers, _ = request(server, "GET", "/update-ip800.htm")
        assert status == 503 and "Retry-After" in headers
        script.write_bytes(BROKEN)
    # the last good version outlives a restart
    with ServerThread(make_config(root)) as server:
        assert request(server, "GET", "/update-ip1200.htm")[2] == fixed
    # without the gate the file is served as it is
    with ServerThread(make_config(root, lint_gate=False)) as server:
        assert request(server, "GET", "/update-ip1200.htm")[2] == BROKEN


# --- many devices ---------------------------------------------------------------------

def test_200_devices_poll_and_back_up_concurrently(root: Path) -> None:
    count = 200
    firmware = (root / "fw" / "ip1200.bin").read_bytes()

    def mac(n: int) -> str:
        return "00-90-33-%02x-%02x-%02x" % (n >> 16 & 255, n >> 8 & 255, n & 255)

    def payload(n: int, round_: int) -> bytes:
        seed = hashlib.sha256(f"{n}/{round_}".encode()).digest()
        return seed * (1000 + n * 7 % 1500)  # 32 KB .. 80 KB, different per device

    async def device(session: aiohttp.ClientSession, base: str, n: int) -> list[int]:
        statuses = []
        params = {"ver": VER, "BOOT": str(n), "PROT": "07-6060003", "mac": mac(n)}
        async with session.get(f"{base}/update-ip1200.htm", params=params) as r:
            statuses.append(r.status)
            assert await r.read() == GOOD
        async with session.get(f"{base}/fw/ip1200.bin", headers={"Range": f"bytes={n}-{n + 4095}"}) as r:
            statuses.append(r.status)
            assert await r.read() == firmware[n:n + 4096]
        for round_ in (1, 2):
            async with session.put(f"{base}/backups/{mac(n)}.txt", data=payload(n, round_)) as r:
                statuses.append(r.status)
        return statuses

    async def fleet(base: str) -> list[list[int]]:
        connector = aiohttp.TCPConnector(limit=count)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
            return await asyncio.gather(*(device(session, base, n) for n in range(count)))

    # one test address stands for 200 devices uploading at once: lift the caps
    with ServerThread(make_config(root, max_per_address=count, max_uploads=count)) as server:
        results = asyncio.run(fleet(server.url))
        devices = status_json(server)["devices"]
    assert results == [[200, 206, 201, 204]] * count
    for n in range(count):
        assert (root / "backups" / f"{mac(n)}.txt").read_bytes() == payload(n, 2)
        assert (root / "backups" / ".versions" / f"{mac(n)}.txt.1").read_bytes() == payload(n, 1)
    assert len(devices) == count
    by_key = {d["key"]: d for d in devices}
    for n in range(count):
        entry = by_key[f"mac:{mac(n)}"]
        assert entry["serials"]["BOOT"] == str(n) and entry["backups"] == 2 and entry["polls"] == 1
        assert entry["last_backup_size"] == len(payload(n, 2))
    assert not [p for p in (root / "backups").rglob("*") if p.name.startswith(".upload-")]


# --- access log ---------------------------------------------------------------------

@pytest.mark.parametrize("json_log", [False, True])
def test_access_log_lines(root: Path, json_log: bool, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="innoscript.server.access")
    with ServerThread(make_config(root, json_log=json_log)) as server:
        request(server, "GET", "/update-ip1200.htm?PROT=08-1", headers={"User-Agent": "IP1200"})
        request(server, "GET", "/%2e%2e/x")
    lines = [r.getMessage() for r in caplog.records if r.name == "innoscript.server.access"]
    assert len(lines) == 2
    if json_log:
        first, second = (json.loads(line) for line in lines)
        assert (first["method"], first["target"], first["status"], first["size"]) == (
            "GET", "/update-ip1200.htm?PROT=08-1", 200, len(GOOD))
        assert first["agent"] == "IP1200" and first["time"].endswith("Z")
        assert second["status"] == 403 and second["note"] == "dot segment in path"
    else:
        assert lines[0].startswith("127.0.0.1 - - [")
        assert lines[0].endswith(f'"GET /update-ip1200.htm?PROT=08-1 HTTP/1.1" 200 {len(GOOD)} "-" "IP1200"')
        assert '"GET /%2e%2e/x HTTP/1.1" 403 ' in lines[1]
