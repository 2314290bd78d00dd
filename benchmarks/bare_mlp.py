"""The floor: helpers' MLP training step written as bare NumPy on plain arrays.

The same math as `helpers.train.train_step` on `two_layer_net` with `SoftmaxCrossEntropy`, L2 on
the weights and SGD with momentum, without modules, caches or checks: what NumPy itself costs
for this step on this machine. `tests/test_benchmarks.py` checks that it makes the same update.
"""
import numpy as np


def bare_step(params, velocity, X, y, lr, momentum, reg):
    """One SGD step of the 2-layer ReLU MLP. params = [W1, b1, W2, b2] and velocity (arrays of the
    same shapes) are updated in place; X (N, D), y (N,) integer labels. Returns the loss
    (mean cross-entropy + reg (||W1||^2 + ||W2||^2)).

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
    grads = (X.T @ dh + 2 * reg * W1, dh.sum(axis=0), a.T @ ds + 2 * reg * W2, ds.sum(axis=0))
    for p, v, g in zip(params, velocity, grads):
        v *= momentum
        v -= lr * g
        p += v
    return float(loss)
