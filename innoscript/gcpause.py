"""The cyclic garbage collector: paused around bulk work, settled in long-running servers.

Parsing and linting a large file allocate millions of small acyclic objects
(nodes, spans, findings).  Each full collection pass then walks the whole
tree again and costs more than the work itself; reference counting frees
everything those passes would, so they are switched off for the duration.
"""

from __future__ import annotations

import gc


class paused_gc:
    """``with paused_gc(): ...``: the collector off inside, as it was after.

    A class rather than ``contextlib.contextmanager``: importing contextlib
    costs `innolint` part of a millisecond at every start.
    """

    __slots__ = ("collecting",)

    def __enter__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, kind, value, traceback) -> None:
        if self.collecting:
            gc.enable()


def settle() -> None:
    """Collect once, then keep everything alive now out of every later collection.

    For a long-running server after its imports: the protocol library's
    classes and tables (tens of thousands of objects in the language
    server) live as long as the process, and each full collection walked
    them all again: a pause of 10-15 ms, over 20 ms with a large document
    open, wherever it fell (an edit's whole work is about 5 ms).
    The one collection first frees what the imports left in cycles, so
    that nothing dead is kept for good.
    """
    gc.collect()
    gc.freeze()
