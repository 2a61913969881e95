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
@click.option("--anonymous-backups", is_flag=True,
              help="Let --anonymous read reach the writable folders too (backups hold passwords).")
@click.option("--anonymous-status", is_flag=True,
              help="Let --anonymous read reach the status pages too (they list every device).")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="A request head not complete this long after its first byte gets 408.")
@click.option("--idle-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="A connection without a request for this long is closed.")
@click.option("--max-connections", default=512, show_default=True, type=click.IntRange(1), metavar="N",
              help="Open connections in all (keep it below the file-descriptor limit).")
@click.option("--max-per-address", default=64, show_default=True, type=click.IntRange(1), metavar="N",
              help="Open connections from one client address.")
@click.option("--max-header-size", default="8K", show_default=True, metavar="SIZE",
              help="Largest request head (request line and headers); larger gets 431.")
@click.option("--max-uploads", default=64, show_default=True, type=click.IntRange(1), metavar="N",
              help="Uploads received at once; more get 503.")
@click.option("--gate-max-size", default="256K", show_default=True, metavar="SIZE",
              help="Larger scripts are withheld by the lint gate without being linted.")
@click.option("--gate-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="How long a poll waits for the lint gate's verdict on a changed script.")
@click.option("--max-devices", default=10_000, show_default=True, type=click.IntRange(1), metavar="N",
              help="Devices kept in the inventory; new ones beyond are not recorded.")
@click.option("--device-expiry", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="DAYS", help="A device not seen for this long is dropped from the inventory.")
@click.option("--auth-burst", default=10, show_default=True, type=click.IntRange(1), metavar="N",
              help="Password checks one address may make at once (then --auth-per-minute).")
@click.option("--auth-per-minute", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="N", help="Password checks per minute and address after the burst; more get 429.")
@click.option("--json-log", is_flag=True, help="Access log as JSON lines instead of Combined Log Format.")
@click.option("--access-log", default="-", show_default=True, metavar="FILE",
              help="Where the access log goes (-: standard output).")
@click.option("--add-user", metavar="NAME", help="Add a user to --users FILE (or change its password) and exit.")
@click.option("--rights", default="read,write", show_default=True, help="Rights of --add-user: read, write or read,write.")
@click.option("--password-stdin", is_flag=True, help="Read the --add-user password from standard input.")
def serve_command(root: str | None, bind: str, port: int, state_dir: str | None, writable: tuple[str, ...],
                  max_upload: str, upload_timeout: float, keep_versions: int, lint_gate: bool,
                  users_file: str | None, anonymous: str | None, anonymous_backups: bool, anonymous_status: bool,
                  status: str,
                  header_timeout: float, idle_timeout: float, max_connections: int, max_per_address: int,
                  max_header_size: str, max_uploads: int, gate_max_size: str, gate_timeout: float,
                  max_devices: int, device_expiry: float, auth_burst: int, auth_per_minute: float,
                  json_log: bool, access_log: str, add_user: str | None, rights: str, password_stdin: bool) -> None:
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
        max_upload=_size(max_upload, "--max-upload"),
        upload_timeout=upload_timeout,
        keep_versions=keep_versions,
        lint_gate=lint_gate,
        users_file=Path(users_file) if users_file else None,
        anonymous=ANONYMOUS_CHOICES[anonymous or "none"],
        anonymous_backups=anonymous_backups,
        anonymous_status=anonymous_status,
        json_log=json_log,
        status=status,
        header_timeout=header_timeout,
        idle_timeout=idle_timeout,
        max_connections=max_connections,
        max_per_address=max_per_address,
        max_header_size=_size(max_header_size, "--max-header-size"),
        max_uploads=max_uploads,
        gate_max_size=_size(gate_max_size, "--gate-max-size"),
        gate_timeout=gate_timeout,
        max_devices=max_devices,
        device_expiry=device_expiry * 86400.0,
        auth_burst=auth_burst,
        auth_per_minute=auth_per_minute,
    )
    try:
        config.state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{config.state}: cannot create the state folder ({exc.strerror or exc})") from None
    _setup_logging(access_log)
    for warning in config.warnings():
        click.echo(f"warning: {warning}", err=True)
    limit = _descriptor_limit()
    if limit is not None and config.max_connections > limit - 64:
        click.echo(f"warning: --max-connections {config.max_connections} is close to the process's limit of "
                   f"{limit} open files: files, backups and the inventory need some too", err=True)
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


def _size(text: str, option: str) -> int:
    try:
        return parse_size(text)
    except click.BadParameter as exc:
        raise click.BadParameter(exc.message, param_hint=option) from None


def _descriptor_limit() -> int | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


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
