"""The collector around bulk work and in long-running servers."""

from __future__ import annotations

import subprocess
import sys

from innoscript.gcpause import paused_gc

SETTLE = """
import gc, weakref
from innoscript.gcpause import settle

class Node:
    pass

dead = Node(); dead.me = dead; dead_ref = weakref.ref(dead); del dead
alive = Node(); alive.me = alive
settle()
print(dead_ref() is None, gc.get_freeze_count() > 0, gc.isenabled())
late = Node(); late.me = late; late_ref = weakref.ref(late); del late
gc.collect()
print(late_ref() is None, alive.me is alive)
"""


def test_settle_frees_what_is_dead_and_leaves_later_garbage_to_the_collector():
    # A process of its own: the freeze lasts as long as the process.
    out = subprocess.run([sys.executable, "-c", SETTLE], capture_output=True, text=True, check=True).stdout.split()
    # A cycle dead before is freed (not kept for good); the living are frozen; the collector
    # stays on, and a cycle made later is still collected.
    assert out == ["True", "True", "True", "True", "True"]


def test_paused_gc_restores_the_collector_as_it_was():
    import gc

    was = gc.isenabled()
    try:
        gc.enable()
        with paused_gc():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
