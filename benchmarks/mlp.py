"""Training throughput of the 784-256-10 MLP of notebook 04: one SGD step (forward, loss,
backward, L2, momentum update) on a batch of 128, in samples per second.

Four implementations of the same step:
  helpers   the course's `train_step` on `two_layer_net`, as `fit` calls it: the textbook update;
  bare      `bare_mlp.bare_step`, the same math on plain arrays with every saving NumPy offers:
            the fastest plain-NumPy step here;
  tutorial  PyTorch on the CPU (optional) written the way its tutorials write it: autograd,
            CrossEntropyLoss, the L2 term added to the loss, torch.optim.SGD with momentum;
  torch     PyTorch tuned: the L2 term as the optimiser's weight_decay, gradients set to None.
Goals: helpers' step within 1.2x of the bare step's time, and at least as fast as the tutorial
step; the tuned step's ratio is printed without a goal (PyTorch multiplies with MKL, NumPy's
wheels with OpenBLAS: a difference of libraries, not of the code here).
PyTorch is timed in a process of its own (see `_timing`); helpers and bare share one, timed
alternately, so that their ratio is not at the mercy of each process's memory layout.
Before timing, the three take one step from the same weights in one process and must agree,
so the columns measure the same computation.
"""
import numpy as np

from benchmarks import _timing
from benchmarks._timing import median, paired_ratio, verdict
from benchmarks.bare_mlp import bare_step
from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import two_layer_net
from helpers.train import SGD, train_step

D, H, K, BATCH = 784, 256, 10, 128
LR, MOMENTUM, REG = 0.01, 0.9, 1e-4
DTYPES = ("float32", "float64")
MAX_OVERHEAD = 1.2  # helpers' step may take at most this multiple of the bare step's time
GOAL_VS_TUTORIAL = 1.0  # helpers' speed / the tutorial PyTorch step's, at least
REPEAT, NUMBER = 9, 25  # per process: median of 9 rounds of 25 steps


def helpers_step(dtype, seed=0):
    """One training step of helpers' MLP as a closure, with the net and the batch (X, y)."""
    rng = np.random.default_rng(seed)
    net = two_layer_net(D, H, K, rng, dtype)
    X = rng.standard_normal((BATCH, D)).astype(dtype)
    y = rng.integers(0, K, BATCH)
    eye = np.eye(K, dtype=dtype)
    loss_fn, opt = SoftmaxCrossEntropy(), SGD(LR, MOMENTUM)  # reg: fit's L2 weight, passed to train_step

    def step():
        return train_step(net, loss_fn, opt, X, eye[y], REG)  # eye[y]: the one-hot batch, as in fit

    return step, net, X, y


def bare_from(net, X, y):
    """The bare step starting from the weights of helpers' net: (step, params [W1, b1, W2, b2])."""
    params = [net[i].params[k].copy() for i in (0, 2) for k in ("W", "b")]
    velocity, grads = [np.zeros_like(p) for p in params], [np.empty_like(p) for p in params]
    return (lambda: bare_step(params, velocity, grads, X, y, LR, MOMENTUM, REG)), params


def torch_from(torch, net_np, X, y, tutorial=False):
    """The same step in PyTorch, starting from the weights of helpers' net: (step, torch net).
    tutorial=True: written as PyTorch's tutorials write it (the L2 term in the loss, zero_grad())."""
    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    net = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, K)).to(dtype)
    with torch.no_grad():
        for i in (0, 2):  # torch keeps W as (out, in): ours transposed
            net[i].weight.copy_(torch.from_numpy(net_np[i].params["W"].T.copy()))
            net[i].bias.copy_(torch.from_numpy(net_np[i].params["b"]))
    weights = [net[0].weight, net[2].weight]
    biases = [net[0].bias, net[2].bias]
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    if tutorial:
        opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)

        def step():
            opt.zero_grad()
            loss = loss_fn(net(Xt), yt) + REG * sum((W**2).sum() for W in weights)
            loss.backward()
            opt.step()
            return loss

        return step, net
    # d/dW of REG * sum W^2 is 2 REG W: torch's weight_decay, on the weights only (as l2_penalty)
    opt = torch.optim.SGD([{"params": weights, "weight_decay": 2 * REG}, {"params": biases}],
                          lr=LR, momentum=MOMENTUM)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(Xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step, net


def seconds_per_step(impl, dtype):
    """Median seconds of one step in `dtype`: for impl 'numpy', [helpers' step, the bare step],
    timed alternately in this one process (both are NumPy, so neither disturbs the other, and
    both see the same memory layout, whose luck varies from process to process by a few
    percent); for impl 'torch', [the tuned PyTorch step, the tutorial one], alternately too."""
    step, net, X, y = helpers_step(np.dtype(dtype).type)
    if impl == "torch":
        import torch

        torch.set_num_threads(_timing.blas_threads())
        steps = {"torch": torch_from(torch, net, X, y)[0], "tutorial": torch_from(torch, net, X, y, tutorial=True)[0]}
        rounds = {name: [] for name in steps}
        for _ in range(REPEAT):
            for name, fn in steps.items():
                rounds[name].append(_timing.median_seconds(fn, 1, NUMBER))
        return [median(rounds["torch"]), median(rounds["tutorial"])]
    bare, _ = bare_from(net, X, y)
    rounds = {"helpers": [], "bare": []}
    for _ in range(REPEAT):
        for name, fn in (("helpers", step), ("bare", bare)):
            rounds[name].append(_timing.median_seconds(fn, 1, NUMBER))
    return [median(rounds["helpers"]), median(rounds["bare"])]


def update_errors(dtype, with_torch):
    """Max difference between the weight updates of one step of helpers' and of the bare step
    (and of PyTorch's), relative to the size of helpers' update, over W1 and W2."""
    step, net, X, y = helpers_step(np.dtype(dtype).type)
    before = [net[i].params["W"].copy() for i in (0, 2)]
    others = {"bare": bare_from(net, X, y)}
    if with_torch:
        import torch

        others["torch"] = torch_from(torch, net, X, y)
        others["tutorial"] = torch_from(torch, net, X, y, tutorial=True)
    step()
    ours = [net[i].params["W"] - W0 for i, W0 in zip((0, 2), before)]
    errors = {}
    for name, (other_step, other) in others.items():
        other_step()
        after = [other[0], other[2]] if name == "bare" else [other[i].weight.detach().numpy().T for i in (0, 2)]
        # compare the updates, not the weights: an update is ~1e-4 of the weights it changes
        errors[name] = max(float(np.abs(W1 - W0 - d).max() / np.abs(d).max())
                           for W0, W1, d in zip(before, after, ours))
    return errors


def check_same_step(with_torch):
    """Refuse to time steps that do not compute the same update."""
    for dtype in DTYPES:
        tol = 1e-3 if dtype == "float32" else 1e-9
        for name, err in _timing.measure("mlp", "update_errors", dtype=dtype, with_torch=with_torch).items():
            if not err < tol:
                raise AssertionError(f"helpers' and the {name} step disagree ({dtype}): max difference "
                                     f"of the updates {err:.1e} of their size (tolerance {tol:.0e})")
    print(f"same step: helpers, bare{' and PyTorch' if with_torch else ''} make the same update "
          f"(float32 within 1e-3, float64 within 1e-9 of its size)")


def run(rounds):
    """Print the table and the goals; return the lines for the README's speed section."""
    threads, with_torch = _timing.blas_threads(), _timing.torch_found()
    impls = ("helpers", "bare") + (("tutorial", "torch") if with_torch else ())
    print(f"one SGD step (forward, backward, L2, momentum update), MLP {D}-{H}-{K}, batch {BATCH}, "
          f"{threads} thread(s); each figure: median over {rounds} rounds, each round a process for NumPy "
          f"(helpers and bare, alternately) and one for PyTorch")
    check_same_step(with_torch)
    processes = ("numpy",) + (("torch",) if with_torch else ())
    configs = {(proc, dtype): {"impl": proc, "dtype": dtype} for dtype in DTYPES for proc in processes}
    measured = _timing.interleaved("mlp", "seconds_per_step", configs, rounds)
    times = {}  # (impl, dtype) -> seconds per step, one figure per round
    for (proc, dtype), results in measured.items():
        for i, impl in enumerate(("helpers", "bare") if proc == "numpy" else ("torch", "tutorial")):
            times[impl, dtype] = [result[i] for result in results]
    header = f"{'dtype':8s}" + "".join(f"{impl + ' samples/s':>20s}" for impl in impls)
    torch_header = f"{'helpers/tutorial speed':>24s}{'helpers/torch speed':>21s}" if with_torch else ""
    print(header + f"{'helpers/bare time':>19s}" + torch_header)
    overhead, speed, vs_tutorial = {}, {}, {}
    for dtype in DTYPES:
        line = f"{dtype:8s}"
        for impl in impls:
            t = times[impl, dtype]
            line += f"{BATCH / median(t):>11,.0f} ({BATCH / max(t) / 1e3:.0f}-{BATCH / min(t) / 1e3:.0f}k)"
        overhead[dtype] = paired_ratio(times["helpers", dtype], times["bare", dtype])
        line += f"{overhead[dtype]:>18.2f}x"
        if with_torch:
            vs_tutorial[dtype] = paired_ratio(times["tutorial", dtype], times["helpers", dtype])
            speed[dtype] = paired_ratio(times["torch", dtype], times["helpers", dtype])
            line += f"{vs_tutorial[dtype]:>23.2f}x{speed[dtype]:>20.2f}x"
        print(line)
    print("(samples/s: median (lowest-highest round); a ratio: median over rounds of the ratio within a round)")
    print("goals:")
    for dtype in DTYPES:
        print(f"  helpers' step <= {MAX_OVERHEAD}x the bare step's time, {dtype}: {overhead[dtype]:.2f}x -> "
              f"{verdict(overhead[dtype] <= MAX_OVERHEAD)}")
    if not with_torch:
        print("  helpers vs PyTorch: PyTorch not found (optional reference: pip install torch)")
    ceiling = {dtype: paired_ratio(times["torch", dtype], times["bare", dtype]) for dtype in speed}
    for dtype in vs_tutorial:
        print(f"  helpers >= {GOAL_VS_TUTORIAL}x the speed of PyTorch's tutorial step, {dtype}: "
              f"{vs_tutorial[dtype]:.2f}x -> {verdict(vs_tutorial[dtype] >= GOAL_VS_TUTORIAL)}")
    for dtype in speed:
        print(f"  (no goal) helpers at {speed[dtype]:.2f}x the tuned PyTorch step's speed, {dtype}; "
              f"the bare step at {ceiling[dtype]:.2f}x")
    samples = {(impl, dtype): f"{BATCH / median(times[impl, dtype]) / 1e3:.0f}k" for impl, dtype in times}
    unit = "samples per CPU-second" if _timing.cpu_time() else "samples/s"
    lines = [f"- one SGD step of the {D}-{H}-{K} MLP at batch {BATCH} (forward, backward, L2, momentum), "
             f"{unit} in float32 / float64: `helpers` {samples['helpers', 'float32']} / "
             f"{samples['helpers', 'float64']}, the same math in bare NumPy {samples['bare', 'float32']} / "
             f"{samples['bare', 'float64']}: `helpers` takes **{overhead['float32']:.2f}x / "
             f"{overhead['float64']:.2f}x** the bare step's time (goal at most {MAX_OVERHEAD}x);"]
    if with_torch:
        lines.append(f"- PyTorch's same step as its tutorials write it: {samples['tutorial', 'float32']} / "
                     f"{samples['tutorial', 'float64']} {unit}; `helpers` at **{vs_tutorial['float32']:.2f}x / "
                     f"{vs_tutorial['float64']:.2f}x** its speed (goal at least {GOAL_VS_TUTORIAL}x);")
        lines.append(f"- PyTorch's step tuned (weight_decay, gradients set to None): {samples['torch', 'float32']} / "
                     f"{samples['torch', 'float64']} {unit}; `helpers` at {speed['float32']:.2f}x / "
                     f"{speed['float64']:.2f}x its speed, the bare step at {ceiling['float32']:.2f}x / "
                     f"{ceiling['float64']:.2f}x (no goal: MKL against OpenBLAS);")
    return lines
