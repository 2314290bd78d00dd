"""Convolution, forward + backward: naive loops vs im2col, the layer vs its parts, and im2col vs
PyTorch's conv2d.

The naive loops and im2col are timed in this process (no reference involved). The layer
(`Conv2d`, forward + backward) is timed against the sum of its parts timed alone (im2col, the
three matrix products, col2im), alternately in one process: the goal is at most 1.2x, i.e. the
layer's own bookkeeping (padding, transposes, bias) costs at most a fifth of the arithmetic.
NumPy's im2col layer and PyTorch's conv2d (optional) are each timed in their own process (see
`_timing`), in interleaved rounds, with the thread count the environment sets (the Makefile: 2);
both compute the output and the gradients of x, W and b, and are first checked to agree. The
PyTorch ratio is printed without a goal (MKL against OpenBLAS).
"""
import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import _timing
from benchmarks._timing import median, paired_ratio, verdict
from helpers.conv import Conv2d, Conv2dNaive, col2im, im2col

X_SHAPE, W_SHAPE = (100, 3, 32, 32), (20, 3, 5, 5)
PADDINGS, DTYPES = (0, 2), ("float64", "float32")
MAX_OVER_PARTS = 1.2  # the layer's forward + backward time / the sum of its parts' times, at most
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


def layer_and_parts(dtype, padding):
    """Median seconds of the layer's forward + backward and of each of its parts timed alone,
    alternately in this process: {'layer': s, 'im2col': s, 'W2 @ cols': s, 'dout2 @ cols^T': s,
    'W2^T @ dout2': s, 'col2im': s}."""
    x, layer, dout = _case(dtype, padding)
    N, F, OH, OW = dout.shape
    geometry = (layer.kernel_size, layer.stride, layer.dilation, (OH, OW))
    x_pad = layer._pad(x)
    cols = im2col(x_pad, *geometry)
    W2 = layer.params["W"].reshape(F, -1)
    dout2 = np.ascontiguousarray(dout.transpose(1, 0, 2, 3).reshape(F, -1))
    dcols = W2.T @ dout2

    def whole():
        layer.forward(x)
        layer.backward(dout)

    timed = {"layer": whole,
             "im2col": lambda: im2col(x_pad, *geometry),
             "W2 @ cols": lambda: W2 @ cols,
             "dout2 @ cols^T": lambda: dout2 @ cols.T,
             "W2^T @ dout2": lambda: W2.T @ dout2,
             "col2im": lambda: col2im(dcols, x_pad.shape, *geometry)}
    rounds = {name: [] for name in timed}
    for _ in range(REPEAT):
        for name, fn in timed.items():
            rounds[name].append(_timing.median_seconds(fn, 1, NUMBER))
    return {name: median(values) for name, values in rounds.items()}


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

    print(f"\nthe layer against its parts timed alone, {X_SHAPE} x {W_SHAPE}, {threads} thread(s); each "
          f"figure: median over {rounds} rounds, each round a process timing the layer and the parts alternately")
    parts = _timing.interleaved("conv", "layer_and_parts",
                                {(dtype, padding): {"dtype": dtype, "padding": padding}
                                 for dtype in DTYPES for padding in PADDINGS}, rounds)
    names = [name for name in parts[DTYPES[0], PADDINGS[0]][0] if name != "layer"]
    print(f"{'dtype':>8} {'padding':>7} {'layer':>8}" + "".join(f"{name:>15}" for name in names)
          + f"{'sum':>8} {'layer/sum':>9}")
    over = {}
    for (dtype, padding), results in parts.items():
        sums = [sum(r[name] for name in names) for r in results]
        over[dtype, padding] = paired_ratio([r["layer"] for r in results], sums)
        print(f"{dtype:>8} {padding:>7} {median([r['layer'] for r in results]) * 1e3:>6.1f}ms"
              + "".join(f"{median([r[name] for r in results]) * 1e3:>13.1f}ms" for name in names)
              + f"{median(sums) * 1e3:>6.1f}ms {over[dtype, padding]:>8.2f}x")
    worst = max(over.values())
    print(f"goal: the layer's forward + backward at most {MAX_OVER_PARTS}x the sum of its parts, every row -> "
          f"{verdict(worst <= MAX_OVER_PARTS)} (largest {worst:.2f}x)")
    by_dtype = {dtype: _span([over[dtype, p] for p in PADDINGS]) for dtype in DTYPES}
    lines.insert(0, f"- convolution layer forward + backward on {X_SHAPE} x {W_SHAPE} against the sum of its parts "
                 f"timed alone (im2col, three matrix products, col2im): **{by_dtype['float64']}x** "
                 f"in float64 and **{by_dtype['float32']}x** in float32, padding 0 and 2 "
                 f"(goal at most {MAX_OVER_PARTS}x);")

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
    torch_header = f" {'PyTorch':>9} {'NumPy speed / PyTorch':>22}" if with_torch else ""
    print(f"{'dtype':>8} {'padding':>7} {'NumPy':>9}" + torch_header)
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
        print("(no goal for the PyTorch ratio: PyTorch multiplies with MKL, NumPy's wheels with OpenBLAS)")
        by_dtype = {dtype: _span([speeds[dtype, p] for p in PADDINGS]) for dtype in DTYPES}
        lines.insert(0, f"- convolution forward + backward on {X_SHAPE} x {W_SHAPE}, padding 0 and 2: "
                        f"NumPy at {by_dtype['float64']}x PyTorch's speed in float64 and "
                        f"{by_dtype['float32']}x in float32 (no goal);")
    return lines
