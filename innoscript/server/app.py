"""The aiohttp application: thin request handling over paths, storage, gate,
inventory and auth.

The only module of the server that imports aiohttp (the ``server`` extra).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from ..lint import Settings, lint_text
from .accesslog import AccessRecord, combined, json_line
from .auth import Authenticator
from .config import ServerConfig
from .gate import LintGate, is_script
from .inventory import Inventory, Observation
from .paths import PathRefused, is_inside, normalise_folder, resolve, split_target, under_folder
from .storage import Upload, UploadTooLarge, sweep_temporaries

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
        self.inventory = Inventory(self.state / "inventory.sqlite3")
        self.gate = LintGate(self.state, Settings()) if config.lint_gate else None
        if self.gate is not None:
            # build the parser and load the rules now, not while the first
            # devices of a busy minute wait for their script
            lint_text("", "warm-up", self.gate.settings)
        self.auth = Authenticator(config.users_file, config.anonymous)
        # one writer thread: inventory transactions are serialised anyway
        self._inventory_thread = ThreadPoolExecutor(1, thread_name_prefix="inventory")
        self._commit_locks: dict[Path, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
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
    app = web.Application()
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
    denied = await _authorise(request, server, right)
    if denied:
        return denied
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    if request.method == "PUT":
        return await _put(request, server, resolved.relative, resolved.path, query)
    return await _get(request, server, resolved.relative, resolved.path, query)


async def _authorise(request: web.Request, server: UpdateServer, right: str) -> web.Response | None:
    header = request.headers.get("Authorization")
    if not header and right in server.auth.anonymous:
        return None
    loop = asyncio.get_running_loop()
    allowed, user, authenticated = await loop.run_in_executor(None, server.auth.check, header, right)
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
    script = is_script(relative, server.config.script_patterns)
    kind = "poll" if script else "fetch"
    if not path.is_file():
        await server.record(Observation(request.remote or "-", kind, relative, 404, query))
        return _refuse(request, 404, "not found", warn=False)
    if script and server.gate is not None:
        loop = asyncio.get_running_loop()
        try:
            # the common case (unchanged file) costs one stat; reading and
            # linting a changed script happens off the event loop
            decision = server.gate.cached(relative, path)
            if decision is None:
                decision = await loop.run_in_executor(None, server.gate.decide, relative, path)
        except OSError as exc:
            log.error("cannot read %s: %s", relative, exc)
            return _refuse(request, 404, "not found", warn=False)
        if decision.body is None:
            await server.record(Observation(request.remote or "-", kind, relative, 503, query))
            response = _refuse(request, 503, "script withheld by the lint gate", warn=False)
            response.headers["Retry-After"] = "300"
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
    client = request.remote or "-"
    if under_folder(relative, server.writable) is None:
        return _refuse(request, 403, "not a writable folder")
    if path.is_dir():
        return _refuse(request, 409, "a folder has that name")
    declared = request.content_length
    if declared is not None and declared > config.max_upload:
        response = _refuse(request, 413, f"upload larger than {config.max_upload} bytes")
        response.force_close()  # do not read the rest of a body we refuse
        return response
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
    )
    await runner.setup()
    site = web.TCPSite(runner, config.bind, config.port)
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
