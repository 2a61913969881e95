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


class FolderFetcher:
    """Serves GETs from local folders; uploads go to an output folder.

    ``root``: a folder that answers every URL by its path
    (`http://host/fw/IP232.bin` -> `root/fw/IP232.bin`).  ``url_map``:
    (URL prefix, folder) pairs tried first, longest prefix first.
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
        pairs = url_map.items() if isinstance(url_map, dict) else url_map
        self.url_map = tuple(sorted(((p, Path(d)) for p, d in pairs), key=lambda x: -len(x[0])))
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
        folder, relative = self._relative(url)
        if relative is None:
            return Response(NO_ANSWER if folder is None else 403)
        if folder is None:
            return Response(404)
        path = folder.joinpath(*relative.parts) if relative.parts else folder
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
    """Real HTTP GET and PUT with ``urllib.request`` (http and https).

    HTTP errors give their status code; no answer at all (refused, timeout,
    DNS failure, a URL urllib cannot use) gives 502.  Bodies above 64 MiB
    give 413 without being read.
    """

    def __init__(self, *, timeout: float = 10.0, user_agent: str = "innoscript-virtual-device") -> None:
        self.timeout = timeout
        self.user_agent = user_agent

    def _open(self, request) -> tuple[int, bytes]:
        import http.client
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - http(s) only, checked below
                body = reply.read(MAX_BODY + 1)
                if len(body) > MAX_BODY:
                    return 413, b""
                return reply.status, body
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(MAX_BODY)
            except Exception:  # noqa: BLE001 - the status is what matters
                body = b""
            finally:
                exc.close()
            return exc.code, body
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
            return NO_ANSWER, b""

    def _request(self, url: str, data: bytes | None, method: str):
        import urllib.request

        if not url.lower().startswith(("http://", "https://")):
            return None
        try:
            return urllib.request.Request(url, data=data, method=method, headers={"User-Agent": self.user_agent})
        except ValueError:
            return None

    def get(self, url: str) -> Response:
        request = self._request(url, None, "GET")
        if request is None:
            return Response(NO_ANSWER)
        status, body = self._open(request)
        return Response(status, body)

    def put(self, url: str, body: bytes) -> int:
        request = self._request(url, bytes(body), "PUT")
        if request is None:
            return NO_ANSWER
        request.add_header("Content-Type", "text/plain")
        return self._open(request)[0]
