"""Convolution, forward + backward: naive loops vs im2col, and im2col vs PyTorch's conv2d.

The naive loops and im2col are timed in this process (no reference involved). NumPy's im2col
layer and PyTorch's conv2d (optional) are each timed in their own process (see `_timing`), in
interleaved rounds, with the thread count the environment sets (the Makefile: 2); both compute
the output and the gradients of x, W and b, and are first checked to agree.
"""
import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import _timing
from benchmarks._timing import median, paired_ratio, verdict
from helpers.conv import Conv2d, Conv2dNaive

X_SHAPE, W_SHAPE = (100, 3, 32, 32), (20, 3, 5, 5)
PADDINGS, DTYPES = (0, 2), ("float64", "float32")
GOAL_VS_TORCH = 1.0  # NumPy's speed / PyTorch's, at least, in every row
GOAL_VS_NAIVE = 100
REPEAT, NUMBER = 7, 2


def _case(dtype, padding, seed=0):
    """Input, layer and output gradient of one benchmark row."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(X_SHAPE).astype(dtype)
    layer = Conv2d(W_SHAPE[1], W_SHAPE[0], W_SHAPE[2:], padding=padding, rng=rng, dtype=dtype)
    layer.set_weights(layer.params["W"], rng.standard_normal(W_SHAPE[0]))
    dout = rng.standard_normal(layer.output_shape(x.shape)).astype(dtype)
    return x, layer, dout


def _torch_case(x, layer, padding):
    import torch

    torch.set_num_threads(_timing.blas_threads())
    xt, Wt, bt = (torch.from_numpy(np.array(a)).requires_grad_() for a in (x, layer.params["W"], layer.params["b"]))

    def step(dout):
        out = torch.nn.functional.conv2d(xt, Wt, bt, padding=padding)
        return (out,) + torch.autograd.grad(out, (xt, Wt, bt), dout)  # no .grad accumulated

    return torch, step


def seconds_per_step(impl, dtype, padding):
    """Median seconds of forward + backward ('numpy': helpers' Conv2d, or 'torch')."""
    x, layer, dout = _case(dtype, padding)
    if impl == "numpy":
        def step():
            layer.forward(x)
            layer.backward(dout)
    else:
        torch, torch_step = _torch_case(x, layer, padding)
        dout_t = torch.from_numpy(dout)

        def step():
            torch_step(dout_t)
    return _timing.median_seconds(step, REPEAT, NUMBER)


def torch_differences(dtype, padding):
    """Largest difference of out, dx, dW, db between NumPy and PyTorch, relative to their size."""
    x, layer, dout = _case(dtype, padding)
    torch, torch_step = _torch_case(x, layer, padding)
    ours = [layer.forward(x), layer.backward(dout), layer.grads["W"], layer.grads["b"]]
    theirs = [t.detach().numpy() for t in torch_step(torch.from_numpy(dout))]
    return max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(ours, theirs))


def naive_vs_vectorised(threads):
    """Seconds per forward + backward of both layers on (10, 3, 32, 32) x (20, 3, 5, 5), float64."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10,) + X_SHAPE[1:])
    naive, fast = Conv2dNaive(3, 20, 5, rng=rng), Conv2d(3, 20, 5, rng=rng)
    fast.set_weights(naive.params["W"], naive.params["b"])
    dout = np.ones(fast.output_shape(x.shape))

    def step(layer):
        return lambda: layer.backward(dout) if layer.forward(x) is not None else None

    with threadpool_limits(threads):
        t_naive = _timing.median_seconds(step(naive), 1, 1)
        t_fast = _timing.median_seconds(step(fast), 9, 5)
    return t_naive, t_fast


def _span(values):
    """'0.84' for equal values, '0.84-0.90' for a range."""
    low, high = f"{min(values):.2f}", f"{max(values):.2f}"
    return low if low == high else f"{low}-{high}"


def run(rounds):
    """Print the tables and the goals; return the lines for the README's speed section."""
    threads, with_torch = _timing.blas_threads(), _timing.torch_found()
    print(f"forward + backward, (10, 3, 32, 32) x (20, 3, 5, 5), float64, {threads} thread(s), in this process")
    t_naive, t_fast = naive_vs_vectorised(threads)
    print(f"naive loops {t_naive * 1e3:.0f} ms, im2col {t_fast * 1e3:.2f} ms: {t_naive / t_fast:.0f}x faster")
    print(f"goal: im2col at least {GOAL_VS_NAIVE}x faster than the naive loops -> "
          f"{verdict(t_naive / t_fast >= GOAL_VS_NAIVE)}")
    lines = [f"- vectorised convolution (im2col) against the naive loops on (10, 3, 32, 32) x 20 filters: "
             f"**{t_naive / t_fast:.0f}x** faster (goal {GOAL_VS_NAIVE}x)."]

    print(f"\nforward + backward, {X_SHAPE} x {W_SHAPE}, {threads} thread(s); each figure: median over "
          f"{rounds} rounds, each timed in its own process")
    if not with_torch:
        print("PyTorch not found (optional reference: pip install torch): NumPy times only")
    else:
        for dtype in DTYPES:
            tol = 1e-4 if dtype == "float32" else 1e-10
            for padding in PADDINGS:
                err = _timing.measure("conv", "torch_differences", dtype=dtype, padding=padding)
                if not err < tol:
                    raise AssertionError(f"NumPy and PyTorch convolutions disagree ({dtype}, padding "
                                         f"{padding}): {err:.1e} of their size (tolerance {tol:.0e})")
        print("same results: out, dx, dW and db agree with PyTorch's (float32 within 1e-4, float64 within 1e-10)")
    impls = ("numpy", "torch") if with_torch else ("numpy",)
    configs = {(impl, dtype, padding): {"impl": impl, "dtype": dtype, "padding": padding}
               for dtype in DTYPES for padding in PADDINGS for impl in impls}
    times = _timing.interleaved("conv", "seconds_per_step", configs, rounds)
    print(f"{'dtype':>8} {'padding':>7} {'NumPy':>9}" + (f" {'PyTorch':>9} {'NumPy speed / PyTorch':>22}" if with_torch else ""))
    speeds = {}
    for dtype in DTYPES:
        for padding in PADDINGS:
            line = f"{dtype:>8} {padding:>7} {median(times['numpy', dtype, padding]) * 1e3:>7.1f}ms"
            if with_torch:
                speed = paired_ratio(times["torch", dtype, padding], times["numpy", dtype, padding])
                speeds[dtype, padding] = speed
                line += f" {median(times['torch', dtype, padding]) * 1e3:>7.1f}ms {speed:>21.2f}x"
            print(line)
    if with_torch:
        print(f"goal: NumPy at least {GOAL_VS_TORCH}x PyTorch's speed in every row -> "
              f"{verdict(min(speeds.values()) >= GOAL_VS_TORCH)} (slowest {min(speeds.values()):.2f}x)")
        by_dtype = {dtype: _span([speeds[dtype, p] for p in PADDINGS]) for dtype in DTYPES}
        lines.insert(0, f"- convolution forward + backward on {X_SHAPE} x {W_SHAPE}, padding 0 and 2: "
                        f"NumPy at **{by_dtype['float64']}x** PyTorch's "
                        f"speed in float64 and **{by_dtype['float32']}x** "
                        f"in float32 (goal {GOAL_VS_TORCH}x);")
    return lines
