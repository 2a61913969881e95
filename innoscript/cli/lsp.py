"""`innoscript lsp`: the language server (stdio or TCP)."""

from __future__ import annotations

import click

from .common import InputError


@click.command("lsp")
@click.option("--stdio", "stdio", is_flag=True, help="Talk over stdin/stdout (the default).")
@click.option("--tcp", is_flag=True, help="Listen on a TCP port instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on with --tcp.")
@click.option("--port", type=click.IntRange(1, 65535), default=2087, show_default=True, help="Port to listen on with --tcp.")
@click.option("--log-file", type=click.Path(dir_okay=False, writable=True), help="Write the server's log to this file.")
def lsp_command(stdio: bool, tcp: bool, host: str, port: int, log_file: str | None) -> None:
    """Run the language server: diagnostics, quick fixes, hover, completion, formatting.

    Editors start it themselves; see docs/editors.md.

    \b
    Examples:
      innoscript lsp                       # stdio, what editors run
      innoscript lsp --tcp --port 2087     # for debugging with a TCP client
    """
    if stdio and tcp:
        raise InputError("--stdio and --tcp exclude each other")
    try:
        # Imported here: `innoscript --help` and `innolint` never load pygls.
        from ..lsp.server import create_server
    except ImportError as exc:
        raise InputError(f"the language server needs the lsp extra: pip install 'innoscript[lsp]' ({exc})") from None
    if log_file:
        import logging

        logging.basicConfig(filename=log_file, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = create_server()
    from ..gcpause import settle

    settle()  # what was imported lives as long as the server: later collections skip it
    if tcp:
        server.start_tcp(host, port)
    else:
        server.start_io()
