"""The garbage collector of a long-running GovFlow process (``serve`` and ``worker``).

With CPython's defaults a full (generation 2) collection ran every few seconds while the
instance cache filled, 70-170 ms each with every request of the process waiting: those
were the slowest answers of a run (bench/throughput.py, 2 servers, 32 clients: POST p99
294-320 ms; 159-174 ms after this). ``settle`` runs once warm-up is done: it moves every
object then alive (modules, parsed diagram sets, warmed instances) into the permanent
generation, which no collection scans again, and sets the thresholds (settings
``gc_thresholds``): by default a young collection every 10,000 net allocations instead of
700, a full one after 100 middle ones instead of 10 (CPython also waits until the
long-lived objects grew by a quarter). Instances evicted from the cache later are cycles
(SpiffWorkflow's tasks point at their parents) that those rarer full collections reclaim.
"""

import gc


def settle(thresholds: tuple[int, int, int]) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
