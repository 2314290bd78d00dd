"""Layers as modules: `forward` caches what `backward` needs; rows are samples.

Each module keeps its parameters and their gradients in two dicts with the same keys
(`params['W']`, `grads['W']`), so an optimiser can update any network the same way.
Linear, the activations (ReLU, Sigmoid, Tanh), the residual layer (notebook 05) and Sequential;
the losses are in `helpers.losses`.

A layer caches its input x for backward. A writable x is copied first (a caller reusing its
buffer between forward and backward must not change the gradients); a read-only x is cached as
it is: nobody can write into it. Sequential hands each layer the previous one's output
read-only, and `train.train_step` its batch, so inside a network nothing is copied.
"""
import numpy as np

from .checks import check_dout, check_features, check_forward_ran, read_only, rng_or_default
from .functional import sigmoid


def init_std(fan_in, gain=2.0):
    """The weight scale that keeps activations' variance steady: std = sqrt(gain / fan_in).

    gain 2 before a ReLU (He initialisation: ReLU zeroes half the inputs), 1 before tanh, whose
    slope is 1 at 0, and for an output layer (Xavier/LeCun). fan_in: inputs summed per output.
    """
    return np.sqrt(gain / fan_in)


GAIN = {"relu": 2.0, "tanh": 1.0}
"""init_std's gain for the layer that follows each activation."""


class Module:
    """Base class: `forward(x) -> y`, `backward(dout) -> dx`, `params` / `grads` dicts.

    What every layer's forward and backward keep (the tests check it):
    - the dtype: float32 in gives float32 out, float64 gives float64 (no `.astype(float)`, no
      float64 buffer such as `np.zeros(shape)`: use `np.zeros_like(x)` or `dtype=x.dtype`);
    - the arrays handed in (x, dout, what forward cached) may be read-only: never write into
      them (no `dout *= ...`, no `out=dout`); return new arrays;
    - nothing printed.
    """

    needs_input_grad = True
    """False when nobody will read dL/dx, because x is data (the first layer of a network in
    training: `train.train_step` sets it there for its backward pass). backward may then skip
    dx and return None, as autograd skips the gradient of an input whose requires_grad is False
    (PyTorch). Linear and Conv2d skip it: dout W^T costs as much as dW; the others ignore it."""

    def __init__(self):
        self.params, self.grads, self.cache = {}, {}, None

    def __call__(self, *args):
        return self.forward(*args)

    def _cached(self):
        """What forward saved for backward; a RuntimeError if forward has not run."""
        check_forward_ran(self.cache is not None, type(self).__name__)
        return self.cache

    def named_parameters(self):
        """(name, param, grad) triples, e.g. ('W', W, dW); containers prefix the layer index."""
        for key, p in self.params.items():
            yield key, p, self.grads[key]

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Module):
    """Affine layer. x: (N, D) -> y: (N, M) with W: (D, M), b: (M,).

    y = x W + b;   dx = dout W^T,   dW = x^T dout,   db = sum_n dout_n
    backward returns None instead of dx when needs_input_grad is False (x is data).
    """

    def __init__(self, in_features, out_features, rng=None, weight_scale=None, dtype=np.float64):
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs positive sizes, got ({in_features}, {out_features})")
        rng = rng_or_default(rng, "Linear's rng")
        # He initialisation keeps activations' variance steady through ReLU layers.
        scale = init_std(in_features) if weight_scale is None else weight_scale
        self.params["W"] = (scale * rng.standard_normal((in_features, out_features))).astype(dtype)
        self.params["b"] = np.zeros(out_features, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        W, b = self.params["W"], self.params["b"]
        x = check_features(x, W.shape[0], self, W.dtype)
        self.cache = x
        ### BEGIN SOLUTION
        return x @ W + b
        ### END SOLUTION

    def backward(self, dout):
        x = self._cached()
        W, b = self.params["W"], self.params["b"]
        dout = check_dout(dout, (x.shape[0], b.shape[0]), self)
        ### BEGIN SOLUTION
        self.grads["W"] = x.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        if not self.needs_input_grad:  # x is data: nobody reads dx (see Module.needs_input_grad)
            return None
        return dout @ W.T
        ### END SOLUTION

    def __repr__(self):
        return f"Linear({self.params['W'].shape[0]}, {self.params['W'].shape[1]})"


class ReLU(Module):
    """y = max(x, 0);   dx = dout * [x > 0].

    A NaN in x stays NaN in y (it is not a "negative" to clip to 0): a broken input must show in
    the loss, not vanish in the first activation.
    """

    def forward(self, x):
        x = np.asarray(x)
        self.cache = x > 0
        return np.maximum(x, 0)  # np.maximum propagates NaN

    def backward(self, dout):
        positive = self._cached()
        dout = check_dout(dout, positive.shape, "ReLU")
        ### BEGIN SOLUTION
        return dout * positive
        ### END SOLUTION


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x));   dx = dout * y (1 - y)"""

    def forward(self, x):
        y = sigmoid(x)
        self.cache = y
        return y

    def backward(self, dout):
        y = self._cached()
        dout = check_dout(dout, y.shape, "Sigmoid")
        ### BEGIN SOLUTION
        return dout * y * (1 - y)
        ### END SOLUTION


class Tanh(Module):
    """y = tanh(x);   dx = dout * (1 - y^2)"""

    def forward(self, x):
        y = np.tanh(x)
        self.cache = y
        return y

    def backward(self, dout):
        y = self._cached()
        dout = check_dout(dout, y.shape, "Tanh")
        ### BEGIN SOLUTION
        return dout * (1 - y**2)
        ### END SOLUTION


ACTIVATIONS = {"tanh": Tanh, "relu": ReLU}
"""The activation layers a network builder or a Residual layer can be asked for, by name."""


def check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    return activation


class Residual(Module):
    """Shape-preserving residual layer. x: (N, D) -> y: (N, D); W1: (D, H), b1: (H,), W2: (H, D).

    z = x W1 + b1,   a = phi(z),   y = x + a W2
    dW2 = a^T dout,   dz = phi.backward(dout W2^T),   dW1 = x^T dz,   db1 = sum_n dz_n,
    dx = dout + dz W1^T          (the identity path hands dout straight back)
    phi (the activation; sigma is kept for the sigmoid) is a Tanh or ReLU layer, self.phi: its own
    forward caches what its backward needs, so after a = self.phi.forward(z),
    self.phi.backward(g) = g * phi'(z). forward caches (x, z, a) in self.cache.
    Rows are samples, so the course's  y = x + W2 sigma(W1 x + b1)  is written  y = x + phi(x W1 + b1) W2.
    """

    def __init__(self, in_features, hidden=None, rng=None, activation="tanh", dtype=np.float64):
        super().__init__()
        hidden = in_features if hidden is None else hidden
        if in_features < 1 or hidden < 1:
            raise ValueError(f"Residual needs positive sizes, got in_features={in_features}, hidden={hidden}")
        self.activation = check_activation(activation)
        self.phi = ACTIVATIONS[activation]()
        rng = rng_or_default(rng, "Residual's rng")
        # W1 keeps phi's input at unit variance; a small W2 starts the block near the identity,
        # so a deep stack begins as a shallow network and its gradients neither vanish nor explode.
        W1 = init_std(in_features, GAIN[activation]) * rng.standard_normal((in_features, hidden))
        W2 = 0.1 * init_std(hidden, 1.0) * rng.standard_normal((hidden, in_features))
        self.params = {"W1": W1.astype(dtype), "b1": np.zeros(hidden, dtype=dtype), "W2": W2.astype(dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        W1, b1, W2 = self.params["W1"], self.params["b1"], self.params["W2"]
        x = check_features(x, W1.shape[0], self, W1.dtype)
        ### BEGIN SOLUTION
        z = x @ W1 + b1
        a = self.phi.forward(z)
        self.cache = (x, z, a)
        return x + a @ W2
        ### END SOLUTION

    def backward(self, dout):
        x, z, a = self._cached()
        W1, W2 = self.params["W1"], self.params["W2"]
        dout = check_dout(dout, x.shape, self)
        ### BEGIN SOLUTION
        self.grads["W2"] = a.T @ dout
        dz = self.phi.backward(dout @ W2.T)
        self.grads["W1"] = x.T @ dz
        self.grads["b1"] = dz.sum(axis=0)
        return dout + dz @ W1.T
        ### END SOLUTION

    def __repr__(self):
        D, H = self.params["W1"].shape
        return f"Residual({D}, hidden={H}, {self.activation})"


class Sequential(Module):
    """Modules applied in order: y = f_L(... f_2(f_1(x))); backward runs them in reverse.

    Each layer gets the previous one's output as a read-only view, which it caches without a copy.
    """

    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x if i == 0 else read_only(x))
            except ValueError as err:  # say which layer of the stack refused its input
                raise ValueError(f"Sequential layer {i} ({layer!r}): {err}") from err
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def named_parameters(self):
        for i, layer in enumerate(self.layers):
            for name, p, g in layer.named_parameters():
                yield f"{i}.{name}", p, g

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential(\n  {inner}\n)"
