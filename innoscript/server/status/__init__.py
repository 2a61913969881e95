"""The update server's status pages and their JSON API (docs/server.md).

    /_status                          devices: model, builds, serials, last poll and backup,
                                      goal state, the next poll (dry run), flags
    /_status.json                     the same as JSON (all devices, or ?page=&per_page=)
    /_status/device/<key>[.json]      one device: poll history, backups and their versions,
                                      the next three polls, the lint findings of its script
    /_status/device/<key>/backup      one backup version (?path=&version=)
    /_status/device/<key>/diff[.json] a diff between two versions of a text backup
    /_status/scripts[.json]           each served script: lint gate, findings, devices,
                                      converged, rollout chart (inline SVG)

``predict`` dry-runs the served scripts from the state devices reported,
``dashboard`` gathers the data, ``pages`` and ``chart`` draw it, ``routes``
answers HTTP (the only module here that imports aiohttp).
"""

from __future__ import annotations


def register(app, server, authorise) -> None:
    """Add the status routes to ``app`` (before its catch-all route)."""
    from .routes import add_routes

    add_routes(app, server, authorise)
