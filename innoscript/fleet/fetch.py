"""The fleet's view of the web server: answers fetched once, uploads only counted.

A simulation asks the same server for the same files millions of times.
``FleetFetcher`` asks the real fetcher (a folder or an HTTP server) once per
URL and keeps the answer, so the server's content counts as fixed for the
run.  The query part the device appends (its serials, spec 2.2) is part of
the key, except the `...date` stamps, so a server that answers by serial
(as the official PHP server does) still gets a faithful simulation.

Uploads (`scfg` backups) are never sent: the simulation must not write into
the user's folder or server.  They answer 201 and are counted by the
simulation from the poll summaries.
"""

from __future__ import annotations

import re

from ..device.fetch import Response

_STAMP = re.compile(r"&[A-Za-z-]+date=[^&]*")


def cache_key(url: str) -> str:
    return _STAMP.sub("", url)


class FleetFetcher:
    def __init__(self, inner) -> None:
        self.inner = inner
        self._answers: dict[str, Response] = {}
        self.requests = 0  # GETs that reached the inner fetcher

    def get(self, url: str) -> Response:
        key = cache_key(url)
        answer = self._answers.get(key)
        if answer is None:
            self.requests += 1
            answer = self.inner.get(url)
            self._answers[key] = answer
        return answer

    def size(self, url: str) -> int:
        """Body size of a URL fetched before (0 when unknown)."""
        answer = self._answers.get(cache_key(url))
        return len(answer.body) if answer is not None else 0

    def put(self, url: str, body: bytes) -> int:
        return 201


class Rebase:
    """Sends requests for URLs under ``logical`` to ``actual`` instead
    (the fleet file names the server devices see; --server says where it runs)."""

    def __init__(self, inner, logical: str, actual: str) -> None:
        self.inner = inner
        self.logical = logical
        self.actual = actual

    def _url(self, url: str) -> str:
        return self.actual + url[len(self.logical):] if url.startswith(self.logical) else url

    def get(self, url: str) -> Response:
        return self.inner.get(self._url(url))

    def put(self, url: str, body: bytes) -> int:
        return self.inner.put(self._url(url), body)
