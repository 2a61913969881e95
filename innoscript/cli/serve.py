"""`innoscript serve`: the update server (needs the ``server`` extra)."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import click

from .common import InputError

_SIZE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*$")


def parse_size(text: str) -> int:
    """``1048576``, ``512K``, ``1M``, ``1MiB`` -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise click.BadParameter(f"{text!r} is not a size (examples: 1048576, 512K, 1M)")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(match.group(1)) * factor


@click.command("serve")
@click.argument("root", required=False, type=click.Path(file_okay=False))
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--state", "state_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Inventory and lint-gate state (default ROOT/.innoscript-state, never served).")
@click.option("--writable", multiple=True, metavar="FOLDER",
              help="Folder under ROOT that accepts backups by PUT (repeatable; default backups).")
@click.option("--max-upload", default="1M", show_default=True, metavar="SIZE", help="Largest backup accepted.")
@click.option("--upload-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="An upload not finished within this time is cut off.")
@click.option("--keep-versions", default=5, show_default=True, type=click.IntRange(0, 1000),
              help="Previous versions of each backup kept in .versions/.")
@click.option("--lint-gate/--no-lint-gate", default=True, show_default=True,
              help="Withhold scripts with error-level findings (serve the last good version or 503).")
@click.option("--users", "users_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Users file for HTTP Basic authentication (see --add-user).")
@click.option("--anonymous", type=click.Choice(["none", "read", "write", "all"]),
              help="What needs no credentials. Required when there is no --users file.")
@click.option("--status", "status", type=click.Choice(["none", "read"]), default="read", show_default=True,
              help="Status pages (/_status): for users with the read right, or none at all.")
@click.option("--json-log", is_flag=True, help="Access log as JSON lines instead of Combined Log Format.")
@click.option("--access-log", default="-", show_default=True, metavar="FILE",
              help="Where the access log goes (-: standard output).")
@click.option("--add-user", metavar="NAME", help="Add a user to --users FILE (or change its password) and exit.")
@click.option("--rights", default="read,write", show_default=True, help="Rights of --add-user: read, write or read,write.")
@click.option("--password-stdin", is_flag=True, help="Read the --add-user password from standard input.")
def serve_command(root: str | None, bind: str, port: int, state_dir: str | None, writable: tuple[str, ...],
                  max_upload: str, upload_timeout: float, keep_versions: int, lint_gate: bool,
                  users_file: str | None, anonymous: str | None, status: str, json_log: bool, access_log: str,
                  add_user: str | None, rights: str, password_stdin: bool) -> None:
    """Serve scripts, firmware and cfg payloads from ROOT; accept backups by PUT.

    Devices poll ROOT by exact path (the query parameters they append are
    recorded in the device inventory); backups are PUT into the writable
    folders, replaced atomically with previous versions kept. The status
    pages are /_status (devices, next polls, backups, scripts; HTML) and
    /_status.json.

    \b
    Examples:
      innoscript serve /srv/update --anonymous read --users users.txt
      innoscript serve /srv/update --bind 0.0.0.0 --port 80 --anonymous all
      innoscript serve --add-user backup --rights write --users users.txt
    """
    if add_user is not None:
        _add_user(users_file, add_user, rights, password_stdin)
        return
    if root is None:
        raise click.UsageError("missing ROOT (the folder to serve)")
    try:
        from ..server.app import serve_forever
        from ..server.auth import UsersFileError, load_users
        from ..server.config import ANONYMOUS_CHOICES, ServerConfig
        from ..server.paths import normalise_folder
    except ImportError as exc:  # aiohttp missing
        raise InputError(f"the update server needs the server extra: pip install 'innoscript[server]' ({exc})") from None

    root_path = Path(root)
    if not root_path.is_dir():
        raise InputError(f"{root}: not a folder")
    if users_file is None and anonymous is None:
        raise click.UsageError(
            "no users file: give --users FILE, or allow access without credentials explicitly with "
            "--anonymous read|write|all"
        )
    if users_file is not None:
        try:
            load_users(Path(users_file))
        except UsersFileError as exc:
            raise InputError(str(exc)) from None
    try:
        folders = tuple(normalise_folder(f) for f in (writable or ("backups",)))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--writable") from None
    config = ServerConfig(
        root=root_path,
        bind=bind,
        port=port,
        state_dir=Path(state_dir) if state_dir else None,
        writable=folders,
        max_upload=parse_size(max_upload),
        upload_timeout=upload_timeout,
        keep_versions=keep_versions,
        lint_gate=lint_gate,
        users_file=Path(users_file) if users_file else None,
        anonymous=ANONYMOUS_CHOICES[anonymous or "none"],
        json_log=json_log,
        status=status,
    )
    try:
        config.state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{config.state}: cannot create the state folder ({exc.strerror or exc})") from None
    _setup_logging(access_log)
    for warning in config.warnings():
        click.echo(f"warning: {warning}", err=True)
    if users_file is None and "write" not in config.anonymous:
        click.echo("warning: no users file and no anonymous write: backups cannot be uploaded", err=True)

    def ready(bound: int) -> None:
        click.echo(f"serving {root_path} on http://{bind}:{bound}/ (state: {config.state}; Ctrl-C stops)", err=True)

    try:
        serve_forever(config, on_ready=ready)
    except OSError as exc:
        raise InputError(f"cannot serve on {bind}:{port}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _add_user(users_file: str | None, name: str, rights: str, password_stdin: bool) -> None:
    from ..server.auth import UsersFileError, add_user, parse_rights

    if users_file is None:
        raise click.UsageError("--add-user needs --users FILE")
    try:
        granted = parse_rights(rights)
    except UsersFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--rights") from None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError("empty password")
    try:
        existed = add_user(Path(users_file), name, password, granted)
    except UsersFileError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"{users_file}: cannot write ({exc.strerror or exc})") from None
    click.echo(f"{'updated' if existed else 'added'} user {name} ({','.join(sorted(granted))}) in {users_file}", err=True)


def _setup_logging(access_log: str) -> None:
    server_log = logging.getLogger("innoscript.server")
    if not server_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        server_log.addHandler(handler)
        server_log.setLevel(logging.INFO)
    access = logging.getLogger("innoscript.server.access")
    access.propagate = False  # access lines are not server messages
    try:
        handler = logging.StreamHandler(sys.stdout) if access_log == "-" else logging.FileHandler(access_log, "a", "utf-8")
    except OSError as exc:
        raise InputError(f"{access_log}: cannot open the access log ({exc.strerror or exc})") from None
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
