"""The update server's building blocks, without a network: paths, storage,
gate, inventory, auth and access-log formats."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innoscript.server import storage
from innoscript.server.accesslog import AccessRecord, combined, json_line
from innoscript.server.auth import Authenticator, UsersFileError, add_user, hash_password, load_users, verify_password
from innoscript.server.config import ServerConfig
from innoscript.server.gate import LintGate, is_script
from innoscript.server.inventory import Inventory, Observation, identify, parse_ver
from innoscript.server.paths import PathRefused, normalise_folder, resolve, under_folder

GOOD = b"mod cmd UP1 times /allow 1,2,3 /initial 6\r\n"
BROKEN = b"mod cmd UP1 times /allow 1,2,3 /initial 6\r\nmod cmd UP0 prot\x01 x\r\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "configs").mkdir(parents=True)
    (base / "configs" / "update-ip1200.htm").write_bytes(GOOD)
    return base.resolve()


# --- paths -----------------------------------------------------------------

def test_resolve_maps_plain_paths(root: Path) -> None:
    found = resolve(root, "/configs/update-ip1200.htm")
    assert found.relative == "configs/update-ip1200.htm"
    assert found.path == root / "configs" / "update-ip1200.htm"
    assert resolve(root, "//configs//update%2Dip1200.htm").relative == "configs/update-ip1200.htm"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("/../etc/passwd", 403),
        ("/configs/../../etc/passwd", 403),
        ("/%2e%2e/etc/passwd", 403),
        ("/%2E%2E/etc/passwd", 403),
        ("/.%2e/etc/passwd", 403),
        ("/configs%2f..%2f..%2fetc/passwd", 400),
        ("/%252e%252e/etc/passwd", 400),
        ("/%25252e%25252e/etc/passwd", 400),
        ("/..%5c..%5cetc/passwd", 400),
        ("/..\\..\\etc\\passwd", 400),
        ("/configs/a%00b", 400),
        ("/configs/a\x00b", 400),
        ("/a%0ab", 400),
        ("http://host/../etc/passwd", 400),
        ("etc/passwd", 400),
        ("/C:/Windows/win.ini", 400),
        ("/c%3a/windows", 400),
        ("/" + "a" * 2000, 414),
        ("/" + "b" * 300, 414),
        ("/.innoscript-state/inventory.sqlite3", 403),
        ("/backups/.versions/x.1", 403),
        ("/%ff%fe", 400),
    ],
)
def test_resolve_refuses(root: Path, raw: str, status: int) -> None:
    with pytest.raises(PathRefused) as refused:
        resolve(root, raw)
    assert refused.value.status == status


def test_resolve_refuses_symlink_out_of_root(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "escape").symlink_to(outside)
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "inside").symlink_to(root / "configs")
    for raw in ("/escape/secret.txt", "/link.txt", "/escape/new.txt"):
        with pytest.raises(PathRefused) as refused:
            resolve(root, raw)
        assert refused.value.status == 403
    # a symlink that stays inside is followed, and named by its real place
    assert resolve(root, "/inside/update-ip1200.htm").relative == "configs/update-ip1200.htm"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/.%2eEfF5cC0a\\:\x00b")), max_size=40))
def test_resolve_never_leaves_root(tmp_path_factory: pytest.TempPathFactory, raw: str) -> None:
    base = tmp_path_factory.getbasetemp().resolve()
    try:
        found = resolve(base, "/" + raw)
    except PathRefused as refused:
        assert 400 <= refused.status < 500
        return
    assert found.path == base or base in found.path.parents
    assert ".." not in found.relative.split("/")


def test_writable_folders() -> None:
    assert under_folder("backups/a.txt", ("backups",)) == "backups"
    assert under_folder("backups/sub/a.txt", ("backups",)) == "backups"
    assert under_folder("backupsX/a.txt", ("backups",)) is None
    assert under_folder("backups", ("backups",)) is None
    assert under_folder("update.htm", ("backups",)) is None
    assert normalise_folder("./site//backups/") == "site/backups"
    for bad in ("../x", "/abs", ".", ""):
        with pytest.raises(ValueError):
            normalise_folder(bad)


# --- storage ---------------------------------------------------------------

def _store(target: Path, data: bytes, keep: int = 3) -> None:
    upload = storage.Upload(target, limit=1 << 20)
    upload.write(data)
    upload.commit(keep)


def test_upload_replaces_and_keeps_versions(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "dev.txt"
    for number in range(5):
        _store(target, f"version {number}\n".encode())
    assert target.read_bytes() == b"version 4\n"
    kept = [p.read_bytes() for p in storage.versions(target)]
    assert kept == [b"version 3\n", b"version 2\n", b"version 1\n"]  # newest first, at most 3
    assert not list(target.parent.glob(storage.TEMP_PREFIX + "*"))


def test_upload_keep_zero_keeps_nothing(tmp_path: Path) -> None:
    target = tmp_path / "dev.txt"
    _store(target, b"a", keep=0)
    _store(target, b"b", keep=0)
    assert target.read_bytes() == b"b"
    assert storage.versions(target) == []


def test_upload_too_large_and_abort_leave_nothing(tmp_path: Path) -> None:
    target = tmp_path / "dev.txt"
    _store(target, b"old")
    upload = storage.Upload(target, limit=10)
    upload.write(b"12345")
    with pytest.raises(storage.UploadTooLarge):
        upload.write(b"123456")
    upload.abort()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.txt"]


def test_sweep_removes_crash_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "dev.txt"
    upload = storage.Upload(target, limit=100)
    upload.write(b"half")  # never committed: what a killed process leaves
    upload._file.close()
    assert storage.sweep_temporaries(tmp_path) == [upload.temp]
    assert not upload.temp.exists()


def test_concurrent_commits_to_one_file_keep_whole_versions(tmp_path: Path) -> None:
    target = tmp_path / "dev.txt"
    lock = threading.Lock()
    payloads = [bytes([n]) * (1000 + n) for n in range(20)]

    def put(data: bytes) -> None:
        upload = storage.Upload(target, limit=1 << 20)
        upload.write(data)
        upload.commit(30, lock)

    threads = [threading.Thread(target=put, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen = [target.read_bytes()] + [p.read_bytes() for p in storage.versions(target)]
    assert sorted(seen) == sorted(payloads)


# --- gate ------------------------------------------------------------------

def test_script_names() -> None:
    for name in ("update-ip1200.htm", "configs/UPDATE-IP800.HTM", "site.upd", "update-IPBL", "update.htm"):
        assert is_script(name), name
    for name in ("fw/ip1200.bin", "backups/dev.txt", "configs/site.cfg", "updater.txt"):
        assert not is_script(name), name


def test_gate_serves_last_good_version_and_persists_it(root: Path, tmp_path: Path) -> None:
    script = root / "configs" / "update-ip1200.htm"
    state = tmp_path / "state"
    gate = LintGate(state)
    first = gate.decide("configs/update-ip1200.htm", script)
    assert (first.body, first.stale) == (GOOD, False)
    script.write_bytes(BROKEN)
    broken = gate.decide("configs/update-ip1200.htm", script)
    assert (broken.body, broken.stale) == (GOOD, True)
    assert "UPD-090" in broken.reason and "line 2" in broken.reason
    # a new gate (a restart) still knows the good version
    again = LintGate(state).decide("configs/update-ip1200.htm", script)
    assert (again.body, again.stale) == (GOOD, True)
    fixed = GOOD + b"mod cmd UP1 poll\r\n"
    script.write_bytes(fixed)
    assert gate.decide("configs/update-ip1200.htm", script).body == fixed
    assert gate.status() == [{"path": "configs/update-ip1200.htm", "blocked": False, "reason": "",
                              "serving": gate.decide("configs/update-ip1200.htm", script).digest}]


def test_gate_without_good_version_serves_nothing(root: Path) -> None:
    script = root / "update-ip800.htm"
    script.write_bytes(BROKEN)
    decision = LintGate(None).decide("update-ip800.htm", script)
    assert decision.body is None and "UPD-090" in decision.reason


# --- inventory ---------------------------------------------------------------

def test_parse_ver() -> None:
    assert parse_ver("6.00 dvl-sr1 IP6000[07-60600.03], Bootcode[145], HW[104] 16384/131072") == {
        "release": "6.00 dvl-sr1", "model": "IP6000", "firmware": "07-60600.03", "bootcode": "145",
        "hardware": "104", "memory": "16384/131072",
    }
    assert parse_ver("13r1 IP232[13.4250], Bootcode[13.4250], HW[232-01]")["model"] == "IP232"
    assert parse_ver("garbage without brackets") == {}


def test_identify_from_query_and_path() -> None:
    obs = Observation("10.0.0.5", "poll", "update.htm", 200, {"sn": "00:90:33:03:0D:F0"})
    assert identify(obs) == {"mac": "00-90-33-03-0d-f0"}
    obs = Observation("10.0.0.5", "backup", "backups/IP1200-03-0d-f0.txt", 201)
    assert identify(obs) == {"hwid": "IP1200-03-0d-f0"}
    obs = Observation("10.0.0.5", "poll", "sites/009033030df0/update.htm", 200, {"hwid": "IP1200-03-0d-f0"})
    assert identify(obs) == {"mac": "00-90-33-03-0d-f0", "hwid": "IP1200-03-0d-f0"}


def test_inventory_records_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state" / "inventory.sqlite3"
    inventory = Inventory(path)
    now = float(int(time.time()))  # recent: older devices expire
    query = {"ver": "6.00 dvl-sr1 IP1200[07-60600.03], Bootcode[145], HW[104] 16384/131072",
             "BOOT": "145", "PROT": "07-6060003", "mac": "00-90-33-03-0d-f0", "page": "x"}
    key = inventory.record(Observation("10.0.0.5", "poll", "update-ip1200.htm", 200, query, when=now))
    assert key == "mac:00-90-33-03-0d-f0"
    # the backup carries only #h: it joins the device by the MAC's last three bytes
    assert inventory.record(Observation("10.0.0.5", "backup", "backups/IP1200-03-0d-f0.txt", 201, {}, 77,
                                        when=now + 1)) == key
    assert inventory.record(Observation("10.0.0.9", "fetch", "fw/ip1200.bin", 200, {})) is None
    inventory.record(Observation("10.0.0.5", "poll", "update-ip1200.htm", 200,
                                 {"CHECK": "20070511-01", "mac": "00-90-33-03-0d-f0"}, when=now + 2))
    inventory.close()
    reopened = Inventory(path)
    [device] = reopened.devices()
    assert device["model"] == "IP1200" and device["firmware"] == "07-60600.03"
    assert device["hwid"] == "IP1200-03-0d-f0"
    assert device["serials"] == {"BOOT": "145", "CHECK": "20070511-01", "PROT": "07-6060003"}
    assert (device["polls"], device["backups"], device["last_backup_size"]) == (2, 1, 77)
    assert (device["last_poll"], device["last_backup"]) == (now + 2, now + 1)


# --- auth --------------------------------------------------------------------

def _basic(name: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def test_password_hashes() -> None:
    hashed = hash_password("s3cret", n=1024)
    assert hashed.startswith("scrypt$1024$") and "s3cret" not in hashed
    assert verify_password("s3cret", hashed)
    assert not verify_password("s3cret!", hashed)
    assert not verify_password("s3cret", "scrypt$broken")
    assert hash_password("x", n=1024) != hash_password("x", n=1024)  # salted


def test_users_file_and_authenticator(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    assert add_user(users, "reader", "pw-r", frozenset({"read"})) is False
    assert add_user(users, "backup", "pw-b", frozenset({"write"})) is False
    assert add_user(users, "reader", "pw-r2", frozenset({"read"})) is True
    assert sorted(load_users(users)) == ["backup", "reader"]
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    auth = Authenticator(users, anonymous=frozenset({"read"}))
    assert auth.check(None, "read") == (True, None, False)
    assert auth.check(None, "write") == (False, None, False)
    assert auth.check(_basic("reader", "pw-r2"), "read") == (True, "reader", True)
    assert auth.check(_basic("reader", "pw-r"), "read") == (False, "reader", False)  # old password
    assert auth.check(_basic("reader", "pw-r2"), "write") == (False, "reader", True)
    assert auth.check(_basic("backup", "pw-b"), "write") == (True, "backup", True)
    assert auth.check("Basic !!!", "read")[0] is False
    assert auth.check(_basic("nobody", "x"), "read")[0] is False


def test_users_file_errors(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("# comment\n\nalice:admin:scrypt$1$2$3$00$00\n")
    with pytest.raises(UsersFileError, match=":3:"):
        load_users(users)
    users.write_text("alice:read:plain-password\n")
    with pytest.raises(UsersFileError, match=":1:"):
        load_users(users)
    with pytest.raises(UsersFileError):
        add_user(users, "bad:name", "pw", frozenset({"read"}))


# --- config and access log -----------------------------------------------------

def test_anonymous_beyond_loopback_is_warned(tmp_path: Path) -> None:
    assert ServerConfig(tmp_path, bind="127.0.0.1", anonymous=frozenset({"read"})).warnings() == []
    [warning] = ServerConfig(tmp_path, bind="0.0.0.0", anonymous=frozenset({"read", "write"})).warnings()
    assert "anonymous read and write" in warning and "0.0.0.0" in warning
    assert ServerConfig(tmp_path, bind="::1", anonymous=frozenset({"write"})).warnings() == []


def test_access_log_formats() -> None:
    record = AccessRecord("10.0.0.5", None, 0.25, "GET", '/update.htm?ver=a"b', "1.1", 200, 42,
                          None, "ip1200\x07", 0.001, None)
    assert combined(record) == (
        '10.0.0.5 - - [01/Jan/1970:00:00:00 +0000] "GET /update.htm?ver=a\\"b HTTP/1.1" 200 42 "-" "ip1200\\x07"'
    )
    data = json.loads(json_line(record))
    assert data["time"] == "1970-01-01T00:00:00.250Z"
    assert (data["status"], data["size"], data["target"]) == (200, 42, '/update.htm?ver=a"b')


def test_inventory_cap_and_expiry(tmp_path: Path) -> None:
    now = time.time()
    inventory = Inventory(tmp_path / "inventory.sqlite3", max_devices=3, expiry=3600.0)
    keys = [inventory.record(Observation("10.0.0.5", "poll", "update.htm", 200, {"mac": f"00-90-33-00-00-0{n}"},
                                         when=now - 7200 * (n == 0))) for n in range(5)]
    assert keys[3:] == [None, None] and len(inventory) == 3 and inventory.refused == 2
    # a download never adds a device
    assert inventory.record(Observation("10.0.0.6", "fetch", "fw.bin", 200, {"mac": "00-90-33-00-00-09"})) is None
    # the device not seen for more than an hour is forgotten, which makes room
    assert inventory.expire() == 1 and len(inventory) == 2
    assert inventory.record(Observation("10.0.0.7", "backup", "backups/a.txt", 201, {"mac": "00-90-33-00-00-07"}))
    assert sorted(d["key"] for d in inventory.devices()) == [
        "mac:00-90-33-00-00-01", "mac:00-90-33-00-00-02", "mac:00-90-33-00-00-07"]
    inventory.close()
    time.sleep(0.01)
    assert len(Inventory(tmp_path / "inventory.sqlite3", expiry=0.0)) == 0  # expired at open


def test_rate_limiter_burst_then_rate_and_bounded_memory() -> None:
    from innoscript.server.auth import RateLimiter

    limiter = RateLimiter(burst=3, per_minute=60, max_addresses=4)  # one a second after the burst
    assert [limiter.allow("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.allow("a", now=0.0) == pytest.approx(1.0)
    assert limiter.allow("a", now=0.5) == pytest.approx(0.5)
    assert limiter.allow("a", now=1.5) == 0.0
    assert limiter.allow("b", now=1.5) == 0.0  # addresses are counted apart
    for n in range(100):
        limiter.allow(f"flood-{n}", now=2.0)
    assert len(limiter._buckets) <= 4


def test_longest_backup_name_leaves_room_for_versions() -> None:
    assert storage.longest_name(0) == 255
    assert storage.longest_name(5) == 249  # `.5` and `.tmp`
    assert storage.longest_name(1000) == 246


def test_status_paths() -> None:
    from innoscript.server.app import is_status_path

    for path in ("/_status", "/_status.json", "/_status/device/mac:00-90-33-03-0d-f0", "/_status/scripts.json"):
        assert is_status_path(path), path
    for path in ("/_statusx", "/backups/_status", "/status", "/"):
        assert not is_status_path(path), path
