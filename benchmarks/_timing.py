"""Shared timing helpers for the benchmarks."""
import time


def best_time(fn, repeat=5, number=1):
    """Best wall-clock seconds per call of fn() over `repeat` rounds of `number` calls (after a warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def torch_or_none():
    """The torch module if installed (single-threaded like our NumPy runs are not: same threads), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch
