"""config rules (see the catalogue in lint-rules.md)."""

from __future__ import annotations
