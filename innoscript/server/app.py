"""The aiohttp application: thin request handling over paths, storage, gate,
inventory and auth.

The only module of the server that imports aiohttp (the ``server`` extra).
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ..lint import lint_text
from .accesslog import AccessRecord, combined, json_line
from .auth import Authenticator, RateLimiter
from .config import ServerConfig
from .connections import ConnectionGuard, ConnectionLimits
from .gate import GateDecision, LintGate, is_script
from .inventory import Inventory, Observation
from .paths import PathRefused, is_inside, normalise_folder, resolve, split_target, under_folder
from .storage import Upload, UploadTooLarge, longest_name, sweep_temporaries

log = logging.getLogger("innoscript.server")
access_log = logging.getLogger("innoscript.server.access")

CHUNK = 64 * 1024
_STATE_KEY = web.AppKey("innoscript_server", object)
# typed request keys where aiohttp has them (3.14+), plain strings before
_RequestKey = getattr(web, "RequestKey", None)
NOTE = _RequestKey("innoscript_note", str) if _RequestKey else "innoscript_note"
USER = _RequestKey("innoscript_user", str) if _RequestKey else "innoscript_user"
# the User-Agent of the request being handled: each request runs in its own task
_AGENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("innoscript_agent", default=None)


class UpdateServer:
    """The server's state: what the handlers share."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.root = config.root.resolve()
        if not self.root.is_dir():
            raise ValueError(f"{config.root}: not a folder")
        self.state = config.state.resolve()
        self.writable = tuple(normalise_folder(folder) for folder in config.writable)
        self.state.mkdir(parents=True, exist_ok=True)
        for folder in self.writable:
            for path in sweep_temporaries(self.root / folder):
                log.warning("removed an unfinished upload left by a crash: %s", path)
        self.inventory = Inventory(self.state / "inventory.sqlite3", max_devices=config.max_devices,
                                   expiry=config.device_expiry)
        # each script with its project configuration
        self.gate = (LintGate(self.state, max_size=config.gate_max_size, timeout=config.gate_timeout)
                     if config.lint_gate else None)
        if self.gate is not None:
            # build the parser and load the rules now, not while the first
            # devices of a busy minute wait for their script
            lint_text("", "warm-up", self.gate.settings)
        self.auth = Authenticator(config.users_file, config.anonymous)
        self.auth_limiter = RateLimiter(config.auth_burst, config.auth_per_minute)
        # scrypt on a thread of its own: a flood of wrong passwords waits
        # there, not in front of uploads, the gate or known devices
        self._auth_thread = ThreadPoolExecutor(1, thread_name_prefix="auth")
        # one writer thread: inventory transactions are serialised anyway
        self._inventory_thread = ThreadPoolExecutor(1, thread_name_prefix="inventory")
        self._commit_locks: dict[Path, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.connections = ConnectionGuard(ConnectionLimits(
            header_timeout=config.header_timeout, idle_timeout=config.idle_timeout,
            max_connections=config.max_connections, max_per_address=config.max_per_address,
            max_header_size=config.max_header_size,
        ))
        self.uploads = 0  # PUT bodies being received (event loop only: no lock)

    def close(self) -> None:
        if self.gate is not None:
            self.gate.close()
        self._auth_thread.shutdown(wait=False, cancel_futures=True)
        self._inventory_thread.shutdown(wait=True)
        self.inventory.close()

    def commit_lock(self, path: Path) -> threading.Lock:
        with self._locks_guard:
            return self._commit_locks.setdefault(path, threading.Lock())

    async def record(self, obs: Observation) -> None:
        agent = _AGENT.get()
        if agent:
            obs = replace(obs, agent=agent)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._inventory_thread, self.inventory.record, obs)
        except Exception as exc:  # the inventory must never take a download down with it
            log.error("inventory: cannot record %s from %s: %s", obs.path, obs.client, exc)


def build_app(config: ServerConfig) -> web.Application:
    server = UpdateServer(config)
    app = web.Application(middlewares=[_request_bounds])
    app[_STATE_KEY] = server
    if config.status != "none":
        from .status import register as register_status

        register_status(app, server, _authorise)
    app.router.add_route("*", "/{tail:.*}", _handle)

    async def _close(app: web.Application) -> None:
        server.close()

    app.on_cleanup.append(_close)
    return app


def server_of(app: web.Application) -> UpdateServer:
    return app[_STATE_KEY]  # type: ignore[return-value]


@web.middleware
async def _request_bounds(request: web.Request, handler) -> web.StreamResponse:
    """Tells the connection guard when a request is being handled: the header
    timeout applies to the next head only once this one is answered."""
    connections = server_of(request.app).connections
    connections.request_started(request.transport)
    try:
        return await handler(request)
    finally:
        connections.request_finished(request.transport)


def _refuse(request: web.Request, status: int, reason: str, *, warn: bool = True) -> web.Response:
    request[NOTE] = reason
    if warn:
        log.warning("refused %s %s from %s: %s", request.method, _printable(request.raw_path), request.remote, reason)
    response = web.Response(status=status, text=f"{status} {reason}\n")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="innoscript", charset="UTF-8"'
    return response


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:300]


async def _handle(request: web.Request) -> web.StreamResponse:
    server = server_of(request.app)
    if request.method not in ("GET", "HEAD", "PUT"):
        response = _refuse(request, 405, "method not allowed", warn=False)
        response.headers["Allow"] = "GET, HEAD, PUT"
        return response
    raw_path, raw_query = split_target(request.raw_path)
    _AGENT.set(request.headers.get("User-Agent"))  # the inventory reads it (model hints)
    right = "write" if request.method == "PUT" else "read"
    try:
        resolved = resolve(server.root, raw_path)
    except PathRefused as refused:
        return _refuse(request, refused.status, refused.reason)
    if is_inside(server.state, resolved.path):
        return _refuse(request, 403, "the state folder is not served")
    # backups hold passwords: anonymous read does not reach them unless asked for
    private = right == "read" and under_folder(resolved.relative, server.writable) is not None
    denied = await _authorise(request, server, right,
                              anonymous_ok=not private or server.config.anonymous_backups)
    if denied:
        return denied
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    if request.method == "PUT":
        return await _put(request, server, resolved.relative, resolved.path, query)
    return await _get(request, server, resolved.relative, resolved.path, query)


def is_status_path(raw_path: str) -> bool:
    return raw_path == "/_status" or raw_path.startswith(("/_status/", "/_status."))


async def _authorise(request: web.Request, server: UpdateServer, right: str,
                     anonymous_ok: bool | None = None) -> web.Response | None:
    """None when the request has ``right``, else the refusal.  ``anonymous_ok``
    False: this resource needs credentials even where ``right`` is anonymous;
    None: decided by the path (the status pages need them unless
    ``--anonymous-status``)."""
    if anonymous_ok is None:
        anonymous_ok = server.config.anonymous_status or not is_status_path(split_target(request.raw_path)[0])
    header = request.headers.get("Authorization")
    if not header:
        if right in server.auth.anonymous and anonymous_ok:
            return None
        reason = f"{right} access needs valid credentials"
        if right in server.auth.anonymous:
            reason += " here (see --anonymous-backups and --anonymous-status)"
        return _refuse(request, 401, reason, warn=False)
    verdict = server.auth.quick_check(header, right)
    if verdict is None:
        # a password to hash: limited per address, and done off the shared threads
        client = request.remote or "-"
        wait = server.auth_limiter.allow(client)
        if wait:
            response = _refuse(request, 429, "too many password attempts from this address", warn=False)
            response.headers["Retry-After"] = str(max(1, round(wait)))
            return response
        loop = asyncio.get_running_loop()
        verdict = await loop.run_in_executor(server._auth_thread, server.auth.check, header, right)
    allowed, user, authenticated = verdict
    if user:
        request[USER] = user
    if allowed:
        return None
    if authenticated:
        # right password, missing right: asking again would not help
        return _refuse(request, 403, f"user has no {right} access")
    return _refuse(request, 401, f"{right} access needs valid credentials", warn=bool(header))


async def _get(request: web.Request, server: UpdateServer, relative: str, path: Path,
               query: dict[str, str]) -> web.StreamResponse:
    # uploads are the devices' data, not scripts the site publishes: the gate
    # never lints them (anyone allowed to upload could keep it busy)
    script = is_script(relative, server.config.script_patterns) and under_folder(relative, server.writable) is None
    kind = "poll" if script else "fetch"
    # the inventory records only what served a script (or stored a backup):
    # made-up identifiers on a 404 or a withheld script add nothing
    try:
        found = path.is_file()
    except OSError as exc:  # a name the file system refuses: nothing of that name exists
        if exc.errno == errno.ENAMETOOLONG:
            return _refuse(request, 414, "path too long for the file system")
        found = False
    if not found:
        return _refuse(request, 404, "not found", warn=False)
    if script and server.gate is not None:
        loop = asyncio.get_running_loop()
        try:
            # the common case (unchanged file) costs one stat; reading a
            # changed script happens off the event loop, linting it on the
            # gate's worker, and this request waits for that within a budget
            decision = server.gate.cached(relative, path)
            if decision is None:
                verdict = await loop.run_in_executor(None, server.gate.check, relative, path)
                if isinstance(verdict, GateDecision):
                    decision = verdict
                else:
                    try:
                        decision = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(verdict)),
                                                          server.gate.timeout)
                    except asyncio.TimeoutError:
                        decision = server.gate.while_linting(relative)
        except OSError as exc:
            log.error("cannot read %s: %s", relative, exc)
            return _refuse(request, 404, "not found", warn=False)
        if decision.body is None:
            response = _refuse(request, 503, f"script withheld by the lint gate ({decision.reason})", warn=False)
            # a verdict still being computed is worth asking again soon
            response.headers["Retry-After"] = "30" if decision.reason == "being linted" else "300"
            return response
        await server.record(Observation(request.remote or "-", kind, relative, 200, query))
        if decision.stale:
            request[NOTE] = f"lint gate: last good version served ({decision.reason})"
        return web.Response(
            body=decision.body,
            content_type="text/plain",
            headers={
                "Cache-Control": "no-cache",
                "ETag": f'"{decision.digest[:32]}"',
                "X-Innoscript-Gate": "stale" if decision.stale else "ok",
            },
        )
    await server.record(Observation(request.remote or "-", kind, relative, 200, query))
    # FileResponse streams from disk (sendfile) and answers Range and conditional requests
    response = web.FileResponse(path, chunk_size=256 * 1024)
    if script:
        response.headers["Cache-Control"] = "no-cache"
    return response


async def _put(request: web.Request, server: UpdateServer, relative: str, path: Path,
               query: dict[str, str]) -> web.StreamResponse:
    config = server.config
    if under_folder(relative, server.writable) is None:
        return _refuse(request, 403, "not a writable folder")
    room = longest_name(config.keep_versions)
    if len(path.name.encode("utf-8")) > room:
        # refused before a byte is stored: a name that fits once but leaves no
        # room for `.versions/<name>.N` would make every later update fail
        return _refuse(request, 414, f"backup name longer than {room} bytes (its previous versions need the rest)")
    try:
        if path.is_dir():
            return _refuse(request, 409, "a folder has that name")
    except OSError:
        return _refuse(request, 414, "path too long for the file system")
    declared = request.content_length
    if declared is not None and declared > config.max_upload:
        response = _refuse(request, 413, f"upload larger than {config.max_upload} bytes")
        response.force_close()  # do not read the rest of a body we refuse
        return response
    if server.uploads >= config.max_uploads:
        # each upload holds a temporary file and a connection until it ends
        response = _refuse(request, 503, f"{server.uploads} uploads in progress (--max-uploads)")
        response.headers["Retry-After"] = "10"
        response.force_close()
        return response
    server.uploads += 1
    try:
        return await _receive(request, server, relative, path, query)
    finally:
        server.uploads -= 1


async def _receive(request: web.Request, server: UpdateServer, relative: str, path: Path,
                   query: dict[str, str]) -> web.StreamResponse:
    config = server.config
    client = request.remote or "-"
    declared = request.content_length
    existed = path.exists()
    try:
        upload = Upload(path, config.max_upload)
    except OSError as exc:
        log.error("cannot store %s: %s", relative, exc)
        return _refuse(request, 500, "cannot store the upload", warn=False)
    async def receive() -> None:
        async for chunk in request.content.iter_chunked(CHUNK):
            upload.write(chunk)

    try:
        # one deadline for the whole body: a client trickling bytes cannot hold the upload open
        await asyncio.wait_for(receive(), config.upload_timeout)
        if declared is not None and upload.size != declared:
            raise ConnectionError("body shorter than Content-Length")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, upload.commit, config.keep_versions, server.commit_lock(path))
    except UploadTooLarge as exc:
        upload.abort()
        response = _refuse(request, 413, str(exc))
        response.force_close()
        return response
    except asyncio.TimeoutError:  # an alias of TimeoutError from Python 3.11
        upload.abort()
        response = _refuse(request, 408, f"upload not finished within {config.upload_timeout:g} s")
        response.force_close()
        return response
    except asyncio.CancelledError:
        upload.abort()
        raise
    except Exception as exc:
        # a client that went away, a broken chunked body, a full disk: no partial file
        upload.abort()
        log.warning("upload of %s from %s failed: %s", relative, client, exc)
        response = _refuse(request, 400, "upload incomplete", warn=False)
        response.force_close()
        return response
    await server.record(Observation(client, "backup", relative, 201 if not existed else 204, query, upload.size))
    return web.Response(status=204) if existed else web.Response(status=201, text="stored\n")


class AccessLogger(AbstractAccessLogger):
    """Writes one line per request to the ``innoscript.server.access`` logger."""

    json_format = False

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time_taken: float) -> None:
        record = AccessRecord(
            client=request.remote or "-",
            user=request.get(USER),
            when=time.time() - time_taken,
            method=request.method,
            target=request.raw_path,
            version=f"{request.version.major}.{request.version.minor}",
            status=response.status,
            # body bytes, as %b counts them (body_length includes the headers)
            size=0 if request.method == "HEAD" else (response.content_length or 0),
            referer=request.headers.get("Referer"),
            agent=request.headers.get("User-Agent"),
            duration=time_taken,
            note=request.get(NOTE),
        )
        self.logger.info(json_line(record) if self.json_format else combined(record))


class JsonAccessLogger(AccessLogger):
    json_format = True


async def start(config: ServerConfig) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (for ``cleanup()``) and the bound port."""
    app = build_app(config)
    runner = web.AppRunner(
        app,
        access_log_class=JsonAccessLogger if config.json_log else AccessLogger,
        access_log=access_log,
        handle_signals=False,
        # after a refused upload, wait only briefly for the rest of its body:
        # a slow client must not keep the connection for aiohttp's default 10 s
        lingering_time=1.0,
        # quiet time between requests; the guard bounds the rest
        keepalive_timeout=config.idle_timeout,
        max_line_size=max(config.max_header_size, 8190),
        max_field_size=max(config.max_header_size, 8190),
    )
    await runner.setup()
    site = _GuardedSite(runner, server_of(app).connections, config.bind, config.port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    port = config.port
    for address in runner.addresses:
        port = address[1]
        break
    return runner, port


class _GuardedSite(web.TCPSite):
    """A TCP site whose connections pass through the connection guard."""

    def __init__(self, runner: web.AppRunner, guard: ConnectionGuard, host: str, port: int) -> None:
        super().__init__(runner, host, port)
        self._guard = guard

    async def start(self) -> None:
        self._runner._reg_site(self)
        self._guard.inner = self._runner.server
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._guard, self._host, self._port, backlog=self._backlog)

    async def stop(self) -> None:
        await super().stop()
        self._guard.close_refused()


def serve_forever(config: ServerConfig, on_ready=None) -> None:
    """Run until SIGINT/SIGTERM (the CLI)."""
    import signal

    async def main() -> None:
        runner, port = await start(config)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        if on_ready:
            on_ready(port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())


class ServerThread:
    """A server on its own event loop in a background thread (tests, benchmarks,
    virtual devices in the same process).  Use as a context manager."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.config.bind}:{self.port}"

    @property
    def server(self) -> UpdateServer:
        assert self._runner is not None
        return server_of(self._runner.app)

    def start(self) -> "ServerThread":
        self._thread = threading.Thread(target=self._run, name="innoscript-serve", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._runner, self.port = loop.run_until_complete(start(self.config))
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
