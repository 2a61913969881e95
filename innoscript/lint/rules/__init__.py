"""Rule modules, one per family of the catalogue; importing registers them."""

from . import source  # noqa: F401
