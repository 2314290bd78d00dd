"""Convolution, forward + backward: naive loops vs im2col, and im2col vs PyTorch's conv2d.

Every timing is the best of a few runs; ratios compare numbers measured in this run. Each
row is measured twice: with one thread on both sides (the algorithms compared on equal
resources, and steady on a busy machine) and with the thread count the environment sets.
"""
import os

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks._timing import best_time, torch_or_none
from helpers.conv import Conv2d, Conv2dNaive


def _numpy_step(layer, x):
    out = layer.forward(x)
    layer.backward(np.ones_like(out))


def _torch_step(torch, x, w, b, padding):
    out = torch.nn.functional.conv2d(x, w, b, padding=padding)
    out.backward(torch.ones_like(out))


def _torch_time(torch, shape, w_shape, padding, dtype, threads):
    torch.set_num_threads(threads)
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(shape, dtype=tdtype, generator=gen, requires_grad=True)
    w = torch.randn(w_shape, dtype=tdtype, generator=gen, requires_grad=True)
    b = torch.zeros(w_shape[0], dtype=tdtype, requires_grad=True)
    return best_time(lambda: _torch_step(torch, x, w, b, padding))


def _env_threads():
    return int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)


def naive_vs_vectorised(threads, rng):
    """Seconds per forward + backward of both layers on (10, 3, 32, 32) x (20, 3, 5, 5), float64."""
    x = rng.standard_normal((10, 3, 32, 32))
    naive, fast = Conv2dNaive(3, 20, 5, rng=rng), Conv2d(3, 20, 5, rng=rng)
    fast.set_weights(naive.params["W"], naive.params["b"])
    with threadpool_limits(threads):
        t_naive = best_time(lambda: _numpy_step(naive, x), repeat=1)
        t_fast = best_time(lambda: _numpy_step(fast, x), repeat=10)
    return t_naive, t_fast


def run():
    rng = np.random.default_rng(0)
    torch = torch_or_none()
    thread_counts = sorted({1, _env_threads()})

    print("forward + backward, (10, 3, 32, 32) x (20, 3, 5, 5), float64")
    print(f"{'threads':>7} {'naive loops':>12} {'im2col':>10} {'speed-up':>9}")
    speedups = []
    for threads in thread_counts:
        t_naive, t_fast = naive_vs_vectorised(threads, rng)
        speedups.append(t_naive / t_fast)
        print(f"{threads:>7} {t_naive * 1e3:>10.0f}ms {t_fast * 1e3:>8.1f}ms {t_naive / t_fast:>8.0f}x")
    print(f"goal: im2col at least 100x faster -> {'met' if min(speedups) >= 100 else 'NOT met'}")

    print("\nforward + backward, (100, 3, 32, 32) x (20, 3, 5, 5); speed = PyTorch time / ours"
          " (1.0 = as fast as PyTorch)")
    if torch is None:
        print("(PyTorch not installed: NumPy times only)")
    print(f"{'threads':>7} {'dtype':>8} {'padding':>7} {'NumPy':>9} {'PyTorch':>9} {'speed':>6}")
    speeds64 = []
    for threads in thread_counts:
        for dtype in (np.float64, np.float32):
            for padding in (0, 2):
                x = rng.standard_normal((100, 3, 32, 32)).astype(dtype)
                layer = Conv2d(3, 20, 5, padding=padding, rng=rng, dtype=dtype)
                with threadpool_limits(threads):
                    t_np = best_time(lambda: _numpy_step(layer, x))
                name = np.dtype(dtype).name
                if torch is None:
                    print(f"{threads:>7} {name:>8} {padding:>7} {t_np * 1e3:>7.1f}ms {'not installed':>16}")
                    continue
                t_torch = _torch_time(torch, x.shape, layer.params["W"].shape, padding, dtype, threads)
                print(f"{threads:>7} {name:>8} {padding:>7} {t_np * 1e3:>7.1f}ms {t_torch * 1e3:>7.1f}ms "
                      f"{t_torch / t_np:>6.2f}")
                if dtype is np.float64:
                    speeds64.append(t_torch / t_np)
    if speeds64:
        print(f"goal: float64 at least half PyTorch's speed (>= 0.5) -> "
              f"{'met' if min(speeds64) >= 0.5 else 'NOT met'} (slowest {min(speeds64):.2f})")
