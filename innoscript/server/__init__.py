"""The update server: a face that serves scripts, firmware and cfg payloads to
devices and stores their configuration backups.

Only ``app`` imports aiohttp; the other modules (paths, storage, gate,
inventory, auth, accesslog, config) use the standard library and the core, so
they can be tested and reused without the ``server`` extra.
"""
