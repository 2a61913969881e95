"""The `innoscript` command: a thin face over the library.

Subcommands live in their own modules and are imported only when invoked, so
`innoscript parse` does not pay for the language server or the update server.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from .. import __version__

# name -> (module, attribute, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "parse": ("innoscript.cli.parse", "parse_command", "Parse scripts and print the AST (tree or JSON)."),
    "fmt": ("innoscript.cli.fmt", "fmt_command", "Format scripts: canonical spacing and case."),
    "run": ("innoscript.cli.run", "run_command", "Dry-run a script on a virtual device."),
    "simulate": ("innoscript.cli.simulate", "simulate_command", "Simulate a fleet of devices polling over days."),
    "serve": ("innoscript.cli.serve", "serve_command", "Run the update server for devices and virtual devices."),
    "lsp": ("innoscript.cli.lsp", "lsp_command", "Run the language server (stdio or TCP)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in SUBCOMMANDS if _available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS or not _available(name):
            return None
        module, attribute, _ = SUBCOMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table, so `--help` imports no subcommand.
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(name: str) -> bool:
    return importlib.util.find_spec(SUBCOMMANDS[name][0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="innoscript")
def main() -> None:
    """Tools for innovaphone update scripts.

    \b
    Examples:
      innoscript parse update-ip1200.htm
      innoscript parse --json update-ip1200.htm
      innoscript fmt --check update-*.htm
      innoscript run update-ip1200.htm --model IP1200 --time 02:30
    The linter is `innolint`.
    """
