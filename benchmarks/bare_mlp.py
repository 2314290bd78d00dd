"""The floor: helpers' MLP training step written as bare NumPy on plain arrays.

The same math as `helpers.train.train_step` on `two_layer_net` with `SoftmaxCrossEntropy`, L2 on
the weights and SGD with momentum, without modules, caches or checks: what NumPy itself costs
for this step on this machine. `tests/test_benchmarks.py` checks that it makes the same update.
"""
import numpy as np


def bare_step(params, velocity, grads, X, y, lr, momentum, reg):
    """One SGD step of the 2-layer ReLU MLP. params = [W1, b1, W2, b2] and velocity (arrays of the
    same shapes) are updated in place; grads (arrays of the same shapes too) receive the
    gradients: kept from step to step, they spare the step a fresh allocation of W1's size, which
    the memory allocator may hand back to the system and fault in again at every step. X (N, D),
    y (N,) integer labels. Returns the loss (mean cross-entropy + reg (||W1||^2 + ||W2||^2)).

    forward:  h = X W1 + b1,  a = max(h, 0),  s = a W2 + b2,  log p = log-softmax(s)
    backward: ds = (p - onehot(y)) / N,  dW2 = a^T ds + 2 reg W2,  db2 = sum_n ds,
              dh = ds W2^T [h > 0],  dW1 = X^T dh + 2 reg W1,  db1 = sum_n dh
    update:   v <- momentum v - lr g,  p <- p + v
    """
    W1, b1, W2, b2 = params
    rows = np.arange(len(X))
    h = X @ W1 + b1
    a = np.maximum(h, 0)
    s = a @ W2 + b2
    s -= s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[rows, y].mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    ds = np.exp(logp)
    ds[rows, y] -= 1
    ds /= len(X)
    dh = np.where(h > 0, ds @ W2.T, 0)
    np.matmul(X.T, dh, out=grads[0])
    np.sum(dh, axis=0, out=grads[1])
    np.matmul(a.T, ds, out=grads[2])
    np.sum(ds, axis=0, out=grads[3])
    for p, v, g in zip(params, velocity, grads):
        if p.ndim == 2:
            g += 2 * reg * p  # L2, on the weights only
        g *= lr
        v *= momentum
        v -= g
        p += v
    return float(loss)
