"""Rule modules, one per family of the catalogue; importing registers them."""

from . import (  # noqa: F401
    arguments,
    behaviour,
    cfg,
    check,
    config,
    download,
    lexical,
    meta,
    scfg,
    source,
    suppression,
    times,
)
