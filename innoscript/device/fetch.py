"""How a virtual device reaches its web server.

A fetcher has two methods: ``get(url) -> Response`` and
``put(url, body) -> status``.  HTTP errors come back as their status code,
never as exceptions.  A request that gets no HTTP answer at all (refused
connection, timeout, a URL the client cannot use) comes back as 502: the
spec notes that the device's own HTTP client reports such cases as
``failed(502)`` (spec 2.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ..urlmap import resolve, sorted_map

NO_ANSWER = 502  # what the device shows when no HTTP answer came (spec 2.4)
MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Fetcher(Protocol):
    def get(self, url: str) -> Response: ...

    def put(self, url: str, body: bytes) -> int: ...


def ok(status: int) -> bool:
    return 200 <= status < 300


class MemoryFetcher:
    """Files from a dict (URL without query -> bytes); uploads kept in ``uploads``.

    ``default`` answers any other GET (None: 404) - the linter's simulation
    uses an empty 200 so every download succeeds without a network.
    """

    def __init__(self, files: dict[str, bytes] | None = None, *, default: bytes | None = None) -> None:
        self.files = dict(files or {})
        self.default = default
        self.uploads: dict[str, bytes] = {}

    def get(self, url: str) -> Response:
        body = self.files.get(url.split("?", 1)[0])
        if body is None:
            body = self.files.get(url)
        if body is None:
            return Response(200, self.default) if self.default is not None else Response(404)
        return Response(200, body)

    def put(self, url: str, body: bytes) -> int:
        self.uploads[url] = bytes(body)
        return 201


class FailingFetcher:
    """Another fetcher whose transfers to some URLs fail (failure injection).

    ``rules``: (glob, status) pairs, tried in order against the URL without
    its query and the full URL; status None is no answer at all (a
    timeout), which the device shows as 502 (spec 2.4).
    """

    def __init__(self, inner, rules) -> None:
        self.inner = inner
        self.rules = tuple(rules)

    def _failure(self, url: str) -> int | None:
        from fnmatch import fnmatchcase

        bare = url.split("?", 1)[0]
        for glob, status in self.rules:
            if fnmatchcase(bare, glob) or fnmatchcase(url, glob):
                return NO_ANSWER if status is None else status
        return None

    def get(self, url: str) -> Response:
        status = self._failure(url)
        return self.inner.get(url) if status is None else Response(status)

    def put(self, url: str, body: bytes) -> int:
        status = self._failure(url)
        return self.inner.put(url, body) if status is None else status


class FolderFetcher:
    """Serves GETs from local folders; uploads go to an output folder.

    GETs follow ``innoscript.urlmap.resolve``: ``url_map`` (URL prefix,
    folder) pairs first, longest prefix first; then ``root`` by the URL's
    path (`http://host/fw/IP232.bin` -> `root/fw/IP232.bin`), then the last
    path segment in ``root``.  No file: 404.
    ``output``: where PUT bodies are written, under the URL's path; None
    keeps them in memory only.  Uploads never go to the folders GETs read
    from, so a backup never overwrites the user's files; every upload is also
    kept in ``uploads`` (URL -> last body).
    """

    def __init__(
        self,
        root: str | Path | None = None,
        *,
        url_map: tuple[tuple[str, str | Path], ...] | dict = (),
        output: str | Path | None = None,
    ) -> None:
        self.url_map = sorted_map(url_map)
        self.root = Path(root) if root is not None else None
        self.output = Path(output) if output is not None else None
        self.uploads: dict[str, bytes] = {}

    def _relative(self, url: str) -> tuple[Path | None, PurePosixPath | None]:
        """(base folder, relative path) for a URL; (None, None) when not servable."""
        bare = url.split("?", 1)[0].split("#", 1)[0]
        for prefix, folder in self.url_map:
            if bare.startswith(prefix):
                return folder, _safe(unquote(bare[len(prefix):]))
        try:
            parts = urlsplit(bare)
        except ValueError:
            return None, None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None, None
        return self.root, _safe(unquote(parts.path))

    def get(self, url: str) -> Response:
        # The same resolution as innolint's for cfg payloads (innoscript.urlmap).
        found = resolve(url, self.url_map, self.root)
        path = found.path
        if path is None:
            return Response(found.status)
        try:
            if path.stat().st_size > MAX_BODY:
                return Response(413)
            return Response(200, path.read_bytes())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return Response(404)
        except PermissionError:
            return Response(403)
        except OSError:
            return Response(500)

    def put(self, url: str, body: bytes) -> int:
        folder, relative = self._relative(url)
        if relative is None:
            return NO_ANSWER if folder is None else 403
        if not relative.parts:
            return 405  # a PUT to a folder
        self.uploads[url.split("?", 1)[0]] = bytes(body)
        if self.output is None:
            return 201
        path = self.output.joinpath(*relative.parts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            path.write_bytes(body)
        except IsADirectoryError:
            return 409
        except PermissionError:
            return 403
        except OSError:
            return 500
        return 204 if existed else 201


def _safe(path: str) -> PurePosixPath | None:
    """A relative path without `..`; None when the URL tries to climb out."""
    parts = [p for p in PurePosixPath("/" + path).parts[1:] if p not in ("", ".")]
    if any(p == ".." or "\\" in p or "\x00" in p for p in parts):
        return None
    return PurePosixPath(*parts) if parts else PurePosixPath()


class HttpFetcher:
    """Real HTTP GET and PUT with ``http.client`` (http and https).

    HTTP errors give their status code; no answer at all (refused, timeout,
    DNS failure, a URL that cannot be used) gives 502, and ``last_error``
    says what happened.  ``timeout`` bounds each wait for the server;
    ``deadline`` bounds a whole request (connect, headers and body), so a
    server that trickles a byte now and then cannot hold a poll for ever.
    Up to five redirects are followed.  Bodies above 64 MiB give 413
    without being read.
    """

    def __init__(self, *, timeout: float = 10.0, deadline: float = 60.0,
                 user_agent: str = "innoscript-virtual-device") -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.user_agent = user_agent
        self.last_error = ""  # why the last request got no HTTP answer ("" when it got one)

    def _once(self, url: str, method: str, body: bytes | None) -> tuple[int, bytes, str]:
        """(status, body, redirect location) of one request; raises OSError and the like."""
        import http.client
        import threading
        import time
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url}")
        kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = kind(parts.hostname, parts.port, timeout=self.timeout)
        expired = threading.Event()

        def cut() -> None:
            # The deadline passed: close the socket under the reading thread.
            expired.set()
            sock = conn.sock
            if sock is not None:
                try:
                    import socket

                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        timer = threading.Timer(self.deadline, cut)
        timer.daemon = True
        timer.start()
        started = time.monotonic()
        try:
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            headers = {"User-Agent": self.user_agent}
            if body is not None:
                headers["Content-Type"] = "text/plain"
            conn.request(method, target, body=body, headers=headers)
            reply = conn.getresponse()
            length = reply.getheader("Content-Length")
            if length is not None and length.isdigit() and int(length) > MAX_BODY:
                return 413, b"", ""
            chunks, size = [], 0
            while True:
                chunk = reply.read1(65536) if hasattr(reply, "read1") else reply.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    return 413, b"", ""
                if time.monotonic() - started > self.deadline:
                    raise TimeoutError("deadline")
            location = reply.getheader("Location", "") if 300 <= reply.status < 400 else ""
            return reply.status, b"".join(chunks), location
        except (OSError, http.client.HTTPException):
            if expired.is_set():
                raise TimeoutError(f"no complete answer within {self.deadline:g} s") from None
            raise
        finally:
            timer.cancel()
            conn.close()

    def _request(self, url: str, method: str, body: bytes | None) -> tuple[int, bytes]:
        import http.client
        from urllib.parse import urljoin

        self.last_error = ""
        url = url.split("#", 1)[0]
        try:
            for _ in range(6):
                status, data, location = self._once(url, method, body)
                if not location or status not in (301, 302, 303, 307, 308):
                    return status, data
                url = urljoin(url, location)
                if status == 303:
                    method, body = "GET", None
            return status, data
        except TimeoutError as exc:
            self.last_error = f"timed out ({exc})" if str(exc) else "timed out"
        except ConnectionRefusedError:
            self.last_error = "connection refused"
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self.last_error = str(exc) or type(exc).__name__
        return NO_ANSWER, b""

    def get(self, url: str) -> Response:
        status, body = self._request(url, "GET", None)
        return Response(status, body)

    def put(self, url: str, body: bytes) -> int:
        return self._request(url, "PUT", bytes(body))[0]
