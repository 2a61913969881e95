"""Pause cyclic garbage collection around bulk work.

Parsing and linting a large file allocate millions of small acyclic objects
(nodes, spans, findings).  Each full collection pass then walks the whole
tree again and costs more than the work itself; reference counting frees
everything those passes would, so they are switched off for the duration.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
