"""Residual networks for the small course sets: the residual layer, an L-layer network builder,
and the gradient checks that cover a whole module (input, every weight and bias).

Rows are samples, so the course's  y = x + W2 sigma(W1 x + b1)  is written  y = x + sigma(x W1 + b1) W2.
"""
import numpy as np

from .gradcheck import gradient_test, jacobian_test, layer_param_jacobian_test
from .layers import Linear, Module, ReLU, Sequential, Tanh, _check_dout, _check_features

# sigma and its derivative written through (z, a = sigma(z)), so backward reuses the forward's a.
_ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
}
_ACTIVATION_LAYERS = {"tanh": Tanh, "relu": ReLU}


def _check_activation(activation):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")


class Residual(Module):
    """Shape-preserving residual layer. x: (N, D) -> y: (N, D); W1: (D, H), b1: (H,), W2: (H, D).

    z = x W1 + b1,   a = sigma(z),   y = x + a W2
    dW2 = a^T dout,   dz = (dout W2^T) * sigma'(z),   dW1 = x^T dz,   db1 = sum_n dz_n,
    dx = dout + dz W1^T          (the identity path hands dout straight back)
    forward caches (x, z, a); sigma is tanh or ReLU, and sigma'(z) is written via (z, a).
    """

    def __init__(self, features, hidden=None, rng=None, activation="tanh", dtype=np.float64):
        super().__init__()
        hidden = features if hidden is None else hidden
        if features < 1 or hidden < 1:
            raise ValueError(f"Residual needs positive sizes, got features={features}, hidden={hidden}")
        _check_activation(activation)
        rng = np.random.default_rng(0) if rng is None else rng
        self.activation = activation
        gain = 2.0 if activation == "relu" else 1.0
        # W1 keeps sigma's input at unit variance; a small W2 starts the block near the identity,
        # so a deep stack begins as a shallow network and its gradients neither vanish nor explode.
        self.params["W1"] = (np.sqrt(gain / features) * rng.standard_normal((features, hidden))).astype(dtype)
        self.params["b1"] = np.zeros(hidden, dtype=dtype)
        self.params["W2"] = (0.1 * np.sqrt(1.0 / hidden) * rng.standard_normal((hidden, features))).astype(dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        W1, b1, W2 = self.params["W1"], self.params["b1"], self.params["W2"]
        x = _check_features(x, W1.shape[0], repr(self), W1.dtype)
        sigma, _ = _ACTIVATIONS[self.activation]
        ### BEGIN SOLUTION
        z = x @ W1 + b1
        a = sigma(z)
        self.cache = (x, z, a)
        return x + a @ W2
        ### END SOLUTION

    def backward(self, dout):
        x, z, a = self._cached()
        W1, W2 = self.params["W1"], self.params["W2"]
        dout = _check_dout(dout, x.shape, repr(self))
        _, dsigma = _ACTIVATIONS[self.activation]
        ### BEGIN SOLUTION
        self.grads["W2"] = a.T @ dout
        dz = (dout @ W2.T) * dsigma(z, a)
        self.grads["W1"] = x.T @ dz
        self.grads["b1"] = dz.sum(axis=0)
        return dout + dz @ W1.T
        ### END SOLUTION

    def __repr__(self):
        D, H = self.params["W1"].shape
        return f"Residual({D}, hidden={H}, {self.activation})"


def build_network(in_features, n_classes, depth, width, residual=True, activation="tanh", rng=None,
                  dtype=np.float64):
    """An L-layer classifier (L = depth) returning scores (N, n_classes); pair it with SoftmaxCrossEntropy.

    depth 1:   Linear(in, K)                                   (softmax regression)
    depth L>1: Linear(in, width), sigma                        (hidden layer: lift to `width`)
               (L - 2) x [Residual(width) or Linear(width, width), sigma]
               Linear(width, K)                                (output layer)
    """
    if depth < 1 or width < 1 or in_features < 1 or n_classes < 2:
        raise ValueError(
            f"build_network needs depth >= 1, width >= 1, in_features >= 1 and n_classes >= 2, got "
            f"depth={depth}, width={width}, in_features={in_features}, n_classes={n_classes}"
        )
    _check_activation(activation)
    rng = np.random.default_rng(0) if rng is None else rng
    if depth == 1:
        return Sequential(Linear(in_features, n_classes, rng, weight_scale=0.01, dtype=dtype))
    act = _ACTIVATION_LAYERS[activation]
    gain = 2.0 if activation == "relu" else 1.0  # He scale for ReLU, Xavier for tanh (slope 1 at 0)
    layers = [Linear(in_features, width, rng, weight_scale=np.sqrt(gain / in_features), dtype=dtype), act()]
    for _ in range(depth - 2):
        if residual:
            layers.append(Residual(width, rng=rng, activation=activation, dtype=dtype))
        else:
            layers += [Linear(width, width, rng, weight_scale=np.sqrt(gain / width), dtype=dtype), act()]
    layers.append(Linear(width, n_classes, rng, weight_scale=np.sqrt(1.0 / width), dtype=dtype))
    return Sequential(*layers)


def count_parameters(model):
    """Number of trainable scalars (every weight and bias)."""
    return int(sum(p.size for _, p, _ in model.named_parameters()))


def layer_jacobian_tests(layer, x, rng=None):
    """Jacobian (Taylor) tests of a layer w.r.t. its input and each parameter. x: (N, D) float64.

    Returns {'x': (eps, zero, first), 'W1': (...), ...} in the order of named_parameters().
    """
    rng = np.random.default_rng(0) if rng is None else rng
    results = {"x": jacobian_test(layer.forward, layer.backward, x, rng=rng)}
    for name, _, _ in list(layer.named_parameters()):
        results[name] = layer_param_jacobian_test(layer, x, name, rng=rng)
    return results


def network_gradient_test(model, loss_fn, X, targets, rng=None):
    """Taylor test of the loss w.r.t. ALL parameters at once, along one random direction.

    f(theta) = loss_fn(model(X; theta), targets), theta = every parameter flattened into one vector.
    Returns (eps, zero_order, first_order) as gradcheck.gradient_test does.
    """
    params = [p for _, p, _ in model.named_parameters()]
    saved = [p.copy() for p in params]

    def assign(theta):
        start = 0
        for p in params:
            p[...] = theta[start : start + p.size].reshape(p.shape)
            start += p.size

    def f(theta):
        assign(theta)
        return loss_fn.forward(model.forward(X), targets)

    def grad(theta):
        f(theta)
        model.backward(loss_fn.backward())
        return np.concatenate([g.ravel() for _, _, g in model.named_parameters()])

    try:
        return gradient_test(f, grad, np.concatenate([p.ravel() for p in saved]), rng=rng)
    finally:
        for p, s in zip(params, saved):
            p[...] = s
