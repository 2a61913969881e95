"""`innoscript parse`."""

from __future__ import annotations

from .. import jsontext

import click

from ..syntax import parse
from ..syntax.serialize import format_tree, script_to_data, syntax_diagnostics
from .common import read_source


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the AST as JSON (schema: docs/ast.md).")
@click.option("--stdin-filename", metavar="NAME", help="File name to report for `-`.")
def parse_command(files: tuple[str, ...], as_json: bool, stdin_filename: str | None) -> None:
    """Parse FILES and print their syntax trees.

    Exit status: 0 parsed cleanly, 1 syntax errors found, 2 a file could not
    be read.

    \b
    Examples:
      innoscript parse update-ip1200.htm
      innoscript parse --json update-ip1200.htm | jq '.files[0].lines[0]'
      cat update-ip72.htm | innoscript parse - --stdin-filename update-ip72.htm
    """
    sources = [read_source(path, stdin_filename) for path in files]
    scripts = [parse(source) for source in sources]
    errors = sum(1 for s in scripts for d in syntax_diagnostics(s) if d["kind"] in ("syntax-error", "binary"))
    if as_json:
        click.echo(jsontext.dumps({"files": [script_to_data(s) for s in scripts]}))
    else:
        for script in scripts:
            click.echo(format_tree(script), nl=False)
            for diag in syntax_diagnostics(script):
                click.echo(f"{script.path}:{diag['line']}:{diag['col']}: {diag['kind']}: {diag['message']}", err=True)
    raise SystemExit(1 if errors else 0)
