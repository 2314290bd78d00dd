"""Training throughput of the 784-256-10 MLP of notebook 04: one SGD step (forward, loss,
backward, L2, momentum update) on a batch of 128, in samples per second.

NumPy runs the course's own `helpers.train.train_step`; PyTorch (optional) runs the same step
on CPU with the same thread count as BLAS. Before timing, both take one step from the same
weights and must agree, so the two columns measure the same computation.
"""
import os

import numpy as np

from benchmarks._timing import best_time, torch_or_none
from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import two_layer_net
from helpers.train import SGD, train_step

D, H, K, BATCH = 784, 256, 10, 128
LR, MOMENTUM, REG = 0.01, 0.9, 1e-4
GOAL = 0.8  # NumPy should reach at least this fraction of PyTorch's throughput


def blas_threads():
    """The thread count BLAS was told to use (the Makefile exports 2), else the core count."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def numpy_step(dtype, seed=0):
    """A closure doing one training step of the helpers' MLP; also returns the net and batch."""
    rng = np.random.default_rng(seed)
    net = two_layer_net(D, H, K, rng, dtype)
    X = rng.standard_normal((BATCH, D)).astype(dtype)
    y = rng.integers(0, K, BATCH)
    eye = np.eye(K, dtype=dtype)
    loss_fn, opt = SoftmaxCrossEntropy(), SGD(LR, MOMENTUM)

    def step():
        return train_step(net, loss_fn, opt, X, eye[y], REG)  # eye[y]: the one-hot batch, as in fit

    return step, net, X, y


def torch_step(torch, net_np, X, y):
    """The same step in PyTorch, starting from the NumPy net's current weights."""
    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    net = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, K)).to(dtype)
    with torch.no_grad():
        for i in (0, 2):  # torch keeps W as (out, in): ours transposed
            net[i].weight.copy_(torch.from_numpy(net_np[i].params["W"].T.copy()))
            net[i].bias.copy_(torch.from_numpy(net_np[i].params["b"]))
    weights = [net[0].weight, net[2].weight]
    biases = [net[0].bias, net[2].bias]
    # d/dW of REG * sum W^2 is 2 REG W: torch's weight_decay, on the weights only (as l2_penalty)
    opt = torch.optim.SGD([{"params": weights, "weight_decay": 2 * REG}, {"params": biases}],
                          lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(Xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step, net


def check_same_step(torch, dtype):
    """One step each from identical weights: the two updates of every weight matrix must match."""
    step_np, net_np, X, y = numpy_step(dtype)
    step_t, net_t = torch_step(torch, net_np, X, y)
    before = [net_np[i].params["W"].copy() for i in (0, 2)]
    step_np()
    step_t()
    tol = 1e-3 if dtype == np.float32 else 1e-9
    for i, W0 in zip((0, 2), before):
        # compare the updates, not the weights: an update is ~1e-4 of the weights it changes
        d_np = net_np[i].params["W"] - W0
        d_t = net_t[i].weight.detach().numpy().T - W0
        err = np.abs(d_np - d_t).max() / np.abs(d_t).max()
        if not err < tol:
            raise AssertionError(f"NumPy and PyTorch steps disagree ({dtype.__name__}, layer {i}): "
                                 f"max difference of the updates {err:.1e} of their size")


def run(repeat=7, number=20):
    threads = blas_threads()
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(threads)
    print(f"one SGD step (forward, backward, L2, momentum update), MLP {D}-{H}-{K}, batch {BATCH}, "
          f"{threads} BLAS thread(s)")
    print(f"{'dtype':8s} {'NumPy samples/s':>16s} {'PyTorch samples/s':>18s} {'NumPy / PyTorch':>16s}")
    ratios = []
    for dtype in (np.float32, np.float64):
        step_np, net_np, X, y = numpy_step(dtype)
        if torch is None:
            t_np = best_time(step_np, repeat, number)
            print(f"{dtype.__name__:8s} {BATCH / t_np:16,.0f} {'not installed':>18s} {'-':>16s}")
            continue
        check_same_step(torch, dtype)
        step_t, _ = torch_step(torch, net_np, X, y)
        # alternate the two so that a burst of load elsewhere hits both alike; keep the best
        t_np = t_t = float("inf")
        for _ in range(3):
            t_np = min(t_np, best_time(step_np, repeat, number))
            t_t = min(t_t, best_time(step_t, repeat, number))
        ratios.append(t_t / t_np)
        print(f"{dtype.__name__:8s} {BATCH / t_np:16,.0f} {BATCH / t_t:18,.0f} {t_t / t_np:15.2f}x")
    if torch is None:
        print("PyTorch not installed: no reference (optional: pip install torch)")
    else:
        verdict = "met" if ratios[0] >= GOAL else "NOT met"
        print(f"goal NumPy >= {GOAL}x PyTorch in float32: {verdict} (torch {torch.__version__})")
    return ratios


if __name__ == "__main__":
    run()
