"""Shared helpers for the benchmarks (the timing itself is helpers.timing.time_call)."""
from helpers.timing import time_call


def best_time(fn, repeat=5, number=1):
    """Best wall-clock seconds per call of fn() over `repeat` rounds of `number` calls (after a warm-up)."""
    return time_call(fn, repeat, number, reduce="min")


def torch_or_none():
    """The torch module if installed (single-threaded like our NumPy runs are not: same threads), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch
