"""Wall-clock timing, one function for the lessons and the benchmarks alike."""
import time

import numpy as np

from .checks import is_int


def time_call(fn, repeat=5, number=1, reduce="median", clock=time.perf_counter):
    """Seconds per call of fn(): `repeat` rounds of `number` calls each, after one warm-up call.

    reduce='median' (what the benchmarks report: robust to a round disturbed by another process)
    or 'min' (the best round: the cost of the code itself when nothing interferes).
    clock: wall-clock time by default; time.process_time gives this process's CPU time instead.
    """
    if reduce not in ("median", "min"):
        raise ValueError(f"reduce must be 'median' or 'min', got {reduce!r}")
    if not (is_int(repeat) and repeat >= 1 and is_int(number) and number >= 1):
        raise ValueError(f"repeat and number must be positive integers, got {repeat!r} and {number!r}")
    fn()
    rounds = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn()
        rounds.append((clock() - start) / number)
    return float(np.median(rounds) if reduce == "median" else min(rounds))
