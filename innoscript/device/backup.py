"""A device's configuration from text: a saved configuration as `scfg` uploads it.

A backup (spec 8) is a list of commands: `config change <MOD> /...` (one per
module), `vars create <name> <flags> <value>` (the UPDATE/* serials among
them), `mod cmd FLASHDIR0 add-item ...` and the like.  ``read_config``
takes such text, or single `config add|change` lines, and returns the
configuration and the variables it sets, so a dry run can start from a
real device's last backup.  Lines that do not shape the configuration
(`mod cmd ...`, `config write`, comments) are ignored; a line that cannot
be read is an error with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax import ast, parse
from .state import Config, config_from_dict, config_to_dict


class ConfigTextError(ValueError):
    """A line of a configuration text that is not a configuration command."""


@dataclass(frozen=True, slots=True)
class ConfigText:
    config: Config
    vars: dict[str, str]


def read_config(text: str | bytes, base: Config = (), *, where: str = "configuration") -> ConfigText:
    """Apply the lines of ``text`` to ``base`` with the device's `add`/`change` meaning (spec 5.10).

    Raises ConfigTextError naming ``where`` and the line.
    """
    table = config_to_dict(base)
    variables: dict[str, str] = {}
    for line in parse(text).lines:
        if isinstance(line, ast.SyntaxErrorLine):
            raise ConfigTextError(f"{where}:{line.number}: unreadable line: {line.message}")
        if isinstance(line, ast.VarsLine):
            if line.verb is not None and line.verb.text == "create" and line.name is not None:
                variables[line.name.text] = line.args[-1].text if line.args else ""
            continue
        if not isinstance(line, ast.ConfigLine):
            continue
        verb = line.verb.text if line.verb else ""
        spec = line.spec
        if spec is None:
            raise ConfigTextError(f"{where}:{line.number}: unknown config verb {verb!r}")
        if not spec.takes_module:
            continue  # write, activate: the text is the saved configuration already
        target = line.target
        if target is None:
            raise ConfigTextError(f"{where}:{line.number}: config {verb} needs a module")
        # The interpreter's meaning of each verb (spec 5.10): merge, replace, remove.
        current = table.get(target, {})
        if spec.edit == "remove":
            names = {o.key for o in line.options}
            table[target] = {k: v for k, v in current.items() if k not in names}
        else:
            values = {o.key: (o.value.text if o.value else "") for o in line.options}
            table[target] = {**current, **values} if spec.edit == "merge" else values
    return ConfigText(config_from_dict(table), variables)
