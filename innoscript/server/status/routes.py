"""HTTP for the status pages: GET and HEAD only, behind the read right."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import unquote

from aiohttp import web

from . import pages
from .dashboard import Dashboard, iso

HTML_PER_PAGE = 100
MAX_PER_PAGE = 5000
# device data is escaped; the policy is a second line of defence: no script
# but the page's own, nothing loaded from elsewhere
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self' data:;"
                               " form-action 'self'; frame-ancestors 'none'",
}


def add_routes(app: web.Application, server, authorise) -> None:
    dashboard = Dashboard(server)

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, text="405 method not allowed\n", headers={"Allow": "GET, HEAD"})
        denied = await authorise(request, server, "read")
        if denied is not None:
            return denied
        loop = asyncio.get_running_loop()
        # reading the inventory, linting and dry runs block: off the event loop
        return await loop.run_in_executor(None, answer, dashboard, request.path, request.query)

    for path in ("/_status", "/_status.json", "/_status/{tail:.*}"):
        app.router.add_route("*", path, handle)


def _number(query, name: str, default: int, top: int) -> int:
    try:
        return min(max(0, int(query.get(name, default))), top)
    except ValueError:
        return default


def _json(data: object, status: int = 200) -> web.Response:
    # compact: with an indent the encoder falls back to pure Python, three times slower
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return web.Response(text=text, status=status, content_type="application/json", headers=_HEADERS)


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", headers=_HEADERS)


def _missing(what: str) -> web.Response:
    return web.Response(status=404, text=f"404 {what}\n", headers=_HEADERS)


def answer(dashboard: Dashboard, path: str, query) -> web.StreamResponse:
    as_json = path.endswith(".json")
    stem = path[: -len(".json")] if as_json else path
    if stem == "/_status":
        options = {
            "query": query.get("q", "").strip(),
            "flagged": query.get("flagged", "") not in ("", "0"),
            # the page shows flagged devices first; the API sorts by key
            "sort": query.get("sort", "key" if as_json else "flags"),
        }
        per_page = _number(query, "per_page", 0 if as_json else HTML_PER_PAGE, MAX_PER_PAGE)
        data = dashboard.devices(page=_number(query, "page", 1, 10**9), per_page=per_page, **options)
        return _json(data) if as_json else _html(pages.devices_page(data, **options))
    if path == "/_status/sort.js":
        return web.Response(text=pages.SORT_SCRIPT, content_type="text/javascript", headers=_HEADERS)
    if stem == "/_status/scripts":
        data = dashboard.scripts()
        return _json(data) if as_json else _html(pages.scripts_page(data))
    if stem.startswith("/_status/device/"):
        rest = stem[len("/_status/device/"):]
        key, _, action = rest.partition("/")
        key = unquote(key)
        if action == "":
            data = dashboard.device(key)
            if data is None:
                return _missing("no such device")
            return _json(data) if as_json else _html(pages.device_page(data))
        relative = query.get("path", "")
        if action == "backup" and not as_json:
            file = dashboard.backup_file(key, relative, _number(query, "version", 0, 10**6))
            if file is None:
                return _missing("no such backup")
            name = relative.rsplit("/", 1)[-1].replace('"', "")
            return web.FileResponse(file, headers={**_HEADERS, "Content-Type": "text/plain; charset=utf-8",
                                                   "Content-Disposition": f'attachment; filename="{name}"'})
        if action == "diff":
            diff = dashboard.diff(key, relative, _number(query, "old", 1, 10**6), _number(query, "new", 0, 10**6))
            if diff is None:
                return _missing("no such backup")
            if as_json:
                return _json(diff)
            return _html(pages.diff_page({"server": dashboard.server_info(), "now": iso(dashboard.now())}, key, diff))
    return _missing("not found")
