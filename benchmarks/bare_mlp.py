"""The floor: helpers' MLP training step written as bare NumPy on plain arrays.

The same math as `helpers.train.train_step` on `two_layer_net` with `SoftmaxCrossEntropy`, L2 on
the weights and SGD with momentum, without modules, caches or checks, and with every saving
plain NumPy offers: no temporary array that an in-place operation can replace, the gradients
written into buffers kept from step to step, and the update done a block at a time while the
block is in the cache. What NumPy itself costs for this step on this machine.
`tests/test_benchmarks.py` checks that it makes the same update as helpers.
"""
import numpy as np

BLOCK_BYTES = 1 << 17  # bytes of each array the update handles at a time (a cache-sized block)


def bare_step(params, velocity, grads, X, y, lr, momentum, reg):
    """One SGD step of the 2-layer ReLU MLP. params = [W1, b1, W2, b2] and velocity (arrays of the
    same shapes) are updated in place; grads (arrays of the same shapes too) receive the data's
    gradients. X (N, D), y (N,) integer labels.
    Returns the loss (mean cross-entropy + reg (||W1||^2 + ||W2||^2)).

    forward:  h = X W1 + b1,  a = max(h, 0),  s = a W2 + b2,  log p = log-softmax(s)
    backward: ds = (p - onehot(y)) / N,  dW2 = a^T ds,  db2 = sum_n ds,
              dh = ds W2^T [h > 0],  dW1 = X^T dh,  db1 = sum_n dh
    update:   v <- momentum v - lr (g + 2 reg W)  (2 reg W for the weights only),  p <- p + v
    """
    W1, b1, W2, b2 = params
    rows = np.arange(len(X))
    h = X @ W1
    h += b1
    a = np.maximum(h, 0)
    s = a @ W2
    s += b2
    s -= s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[rows, y].mean() + reg * (np.vdot(W1, W1) + np.vdot(W2, W2))
    ds = np.exp(logp)
    ds[rows, y] -= 1
    ds /= len(X)
    dh = ds @ W2.T
    dh *= h > 0
    np.matmul(X.T, dh, out=grads[0])
    np.sum(dh, axis=0, out=grads[1])
    np.matmul(a.T, ds, out=grads[2])
    np.sum(ds, axis=0, out=grads[3])
    for p, v, g in zip(params, velocity, grads):
        decay = 2 * reg if p.ndim == 2 else 0.0  # L2 on the weights only
        _update(p.reshape(-1), v.reshape(-1), g.reshape(-1), lr, momentum, decay)
    return float(loss)


def _update(p, v, g, lr, momentum, decay):
    """v <- momentum v - lr (g + decay p);  p <- p + v, on flat arrays, a block at a time."""
    size = BLOCK_BYTES // p.itemsize
    scratch = np.empty(min(size, p.size), p.dtype)
    for start in range(0, p.size, size):
        pb, vb, gb = p[start : start + size], v[start : start + size], g[start : start + size]
        step = np.multiply(pb, decay, out=scratch[: pb.size])
        step += gb
        step *= lr
        vb *= momentum
        vb -= step
        pb += vb
