"""Keep a serving process's long-lived objects out of the cyclic collector's way.

Every full collection of CPython's cyclic garbage collector traverses every tracked
object, and holds the interpreter while it does. A serving process holds some 150,000
objects built at start-up (modules, templates, validators, the store's clients) and the
portfolio's kept rows (some ten objects a deal, read once). Measured with
``benchmarks/webapp.py --deals 2000`` (200-member committee, 30 edits): the slow edits
were exactly those a full collection fell in (300 ms each at load 4, 550-640 ms at load
10); with the start-up heap frozen and the first threshold raised, the collector's time
inside the 30 edits went from 1.7-4.6 s to 62-66 ms (load 10, alternate runs).

Frozen objects (:func:`gc.freeze`) are still freed by reference counting when they die;
only a reference cycle among them would never be collected, which is why start-up's
garbage is collected first and the rows frozen later are plain acyclic data.
"""

from __future__ import annotations

import gc
import threading

# The first generation is collected every this many allocations (CPython: 700). An edit
# of a large committee builds many short-lived objects that reference counting frees when
# the request ends; at 700 they were collected and promoted while still alive, filling
# the old generation, so that a full collection came every few edits.
YOUNG_THRESHOLD = 10_000
# Kept rows worth freezing: a smaller view is no burden to the collector (and tests,
# which open many small stores in one process, freeze nothing).
FREEZE_MIN_ROWS = 2_000

_lock = threading.Lock()
_started = False


def freeze_startup_heap() -> bool:
    """Once per process, when a server starts: collect start-up's garbage, freeze what
    remains and raise the first generation's threshold (see the module docstring).
    True when this call did it."""
    global _started
    with _lock:
        if _started:
            return False
        _started = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return True


def freeze_long_lived(rows: int) -> bool:
    """After a process has read a large structure it keeps (``rows`` kept rows of a
    workspace, read in full once per process): freeze it, so full collections no longer
    traverse it. Rows replaced later are freed by reference counting as usual. True
    when frozen.

    Examples
    --------
    >>> freeze_long_lived(10)  # a small view is no burden: nothing frozen
    False
    """
    if rows < FREEZE_MIN_ROWS or not _started:
        return False
    gc.freeze()
    return True
