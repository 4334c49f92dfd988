"""Keep a serving process's long-lived objects out of the cyclic collector's way.

Every full collection of CPython's cyclic garbage collector traverses every tracked
object, and holds the interpreter while it does. A serving process holds some 150,000
objects built at start-up (modules, templates, validators, the store's clients) and, at
10,000 deals, as many again in the portfolio's kept rows. Measured with
``benchmarks/webapp.py`` (2,000 deals, 200-member committee, load 4-5 on two cores):
the slow edits were exactly those a full collection fell in, 300 ms each; with the
start-up heap frozen they took about 100 ms; with a larger first threshold as well, the
collector's time inside 30 edits went from 836 ms to 62 ms.

Frozen objects (:func:`gc.freeze`) are still freed by reference counting when they die;
only a reference cycle among them would never be collected, which is why start-up's
garbage is collected first and the rows frozen later are plain acyclic data.
"""

from __future__ import annotations

import gc
import threading

# The first generation is collected every this many allocations (CPython: 700). A deal
# page's edit allocates some 10^5 short-lived objects that reference counting frees when
# the request ends; at 700, they were collected and promoted many times per request,
# filling the old generation and triggering full collections every few edits.
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
    when frozen."""
    if rows < FREEZE_MIN_ROWS or not _started:
        return False
    gc.freeze()
    return True
