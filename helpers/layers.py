"""Layers as modules: `forward` caches what `backward` needs; rows are samples.

Each module keeps its parameters and their gradients in two dicts with the same keys
(`params['W']`, `grads['W']`), so an optimiser can update any network the same way.
"""
import numpy as np

from .functional import COURSE_GUARD, cross_entropy, log_softmax, sigmoid


class Module:
    """Base class: `forward(x) -> y`, `backward(dout) -> dx`, `params` / `grads` dicts."""

    def __init__(self):
        self.params, self.grads, self.cache = {}, {}, None

    def __call__(self, *args):
        return self.forward(*args)

    def _cached(self):
        if self.cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward: expected a forward(x) first "
                f"(backward uses what forward cached), got none"
            )
        return self.cache

    def named_parameters(self):
        """(name, param, grad) triples, e.g. ('W', W, dW); containers prefix the layer index."""
        for key, p in self.params.items():
            yield key, p, self.grads[key]

    def __repr__(self):
        return f"{type(self).__name__}()"


def _check_features(x, n_features, who, dtype=None):
    """x as a private float copy (N, n_features): integers and bools become `dtype` (the weights'
    dtype, float64 if None) before any arithmetic, and the copy is what a layer caches, so
    changing the caller's x after forward cannot change the gradients of backward."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"{who} expects x of shape (N, {n_features}), got {x.shape}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{who} expects a numeric x, got dtype {x.dtype}")
    if x.dtype.kind != "f":
        return x.astype(np.float64 if dtype is None else dtype)
    return x.copy()


def _check_dout(dout, shape, who):
    # A mis-shaped dout would otherwise broadcast silently (ReLU, Sigmoid, Tanh) or fail
    # deep inside a matmul (Linear).
    dout = np.asarray(dout)
    if dout.shape != shape:
        raise ValueError(
            f"{who}.backward expects dout of the shape forward returned {shape}, got {dout.shape}"
        )
    return dout


class Linear(Module):
    """Affine layer. x: (N, D) -> y: (N, M) with W: (D, M), b: (M,).

    y = x W + b;   dx = dout W^T,   dW = x^T dout,   db = sum_n dout_n
    """

    def __init__(self, in_features, out_features, rng=None, weight_scale=None, dtype=np.float64):
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs positive sizes, got ({in_features}, {out_features})")
        rng = np.random.default_rng(0) if rng is None else rng
        # He initialisation keeps activations' variance steady through ReLU layers.
        scale = np.sqrt(2.0 / in_features) if weight_scale is None else weight_scale
        self.params["W"] = (scale * rng.standard_normal((in_features, out_features))).astype(dtype)
        self.params["b"] = np.zeros(out_features, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x):
        W, b = self.params["W"], self.params["b"]
        x = _check_features(x, W.shape[0], repr(self), W.dtype)
        self.cache = x
        ### BEGIN SOLUTION
        return x @ W + b
        ### END SOLUTION

    def backward(self, dout):
        x = self._cached()
        W, b = self.params["W"], self.params["b"]
        dout = _check_dout(dout, (x.shape[0], W.shape[1]), repr(self))
        ### BEGIN SOLUTION
        self.grads["W"] = x.T @ dout
        self.grads["b"] = dout.sum(axis=0).reshape(b.shape)
        return dout @ W.T
        ### END SOLUTION

    def backward_params(self, dout):
        """The speed option for a first layer, whose input is data: set grads['W'] and
        grads['b'] as backward does, without dx = dout W^T (nobody reads it; it costs as much
        as dW), and return None. `train_step` uses it; everything else calls backward."""
        ### BEGIN INSTRUCTOR ONLY
        x = self._cached()
        dout = _check_dout(dout, (x.shape[0], self.params["W"].shape[1]), repr(self))
        self.grads["W"] = x.T @ dout
        self.grads["b"] = dout.sum(axis=0).reshape(self.params["b"].shape)
        return None
        ### END INSTRUCTOR ONLY
        self.backward(dout)  # the student release: the whole backward, dx dropped

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
        return np.where(x < 0, np.zeros((), dtype=x.dtype), x)

    def backward(self, dout):
        positive = self._cached()
        dout = _check_dout(dout, positive.shape, "ReLU")
        ### BEGIN SOLUTION
        return np.where(positive, dout, 0)
        ### END SOLUTION


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x));   dx = dout * y (1 - y)"""

    def forward(self, x):
        y = sigmoid(x)
        self.cache = y
        return y

    def backward(self, dout):
        y = self._cached()
        dout = _check_dout(dout, y.shape, "Sigmoid")
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
        dout = _check_dout(dout, y.shape, "Tanh")
        ### BEGIN SOLUTION
        return dout * (1 - y**2)
        ### END SOLUTION


class SoftmaxCrossEntropy(Module):
    """Mean cross-entropy of softmax(scores). scores, targets (one-hot): (N, K) -> scalar loss.

    L = -(1/N) sum_i sum_k t_ik log softmax(s_i)_k;   dscores = (softmax(s) - t) / N
    By default (guard=0) the loss is computed through log-softmax: exact, finite for any finite
    scores, and exactly the function whose gradient backward returns, so finite differences of
    the layer agree with its backward.

    guard > 0 gives the course's guarded cross-entropy of probabilities instead,
    L = -(1/N) sum t log(softmax(s) + guard); with guard=COURSE_GUARD (1e-9), i.e.
    `CourseSoftmaxCrossEntropy()`, it reproduces the course's reference losses (a sample's loss
    is capped at -log(1e-9) = 20.7). Its backward is still the gradient of the unguarded loss,
    which differs by O(guard / p): do not gradient-check the guarded loss.
    """

    def __init__(self, guard=0.0):
        super().__init__()
        if not (isinstance(guard, (int, float, np.integer, np.floating)) and 0 <= guard < 1):
            raise ValueError(
                f"SoftmaxCrossEntropy needs a guard in [0, 1): 0 (exact, the default) or the course's "
                f"1e-9 (CourseSoftmaxCrossEntropy), got {guard!r}"
            )
        self.guard = guard

    def __repr__(self):
        return f"{type(self).__name__}(guard={self.guard})"

    def forward(self, scores, targets):
        scores, targets = np.asarray(scores), np.asarray(targets)
        if scores.ndim != 2 or targets.shape != scores.shape:
            raise ValueError(
                "SoftmaxCrossEntropy expects scores (N, K) and one-hot targets of the same "
                f"shape, got {scores.shape} and {targets.shape}"
            )
        logp = log_softmax(scores)
        probs = np.exp(logp)
        # one_hot gives float64; matching the scores' dtype keeps float32 backward in float32
        targets = targets.astype(probs.dtype)  # a copy: the cache cannot change from outside
        self.cache = (probs, targets)
        if self.guard:
            return cross_entropy(probs, targets, guard=self.guard)
        return float(-np.sum(targets * logp) / scores.shape[0])

    def backward(self, dout=1.0):
        probs, targets = self._cached()
        if np.ndim(dout) != 0:
            raise ValueError(
                "SoftmaxCrossEntropy.backward expects a scalar dout (the loss is a scalar), "
                f"got shape {np.shape(dout)}"
            )
        ### BEGIN SOLUTION
        return dout * (probs - targets) / probs.shape[0]
        ### END SOLUTION


class CourseSoftmaxCrossEntropy(SoftmaxCrossEntropy):
    """The course's guarded loss, -(1/N) sum t log(softmax(s) + 1e-9): the loss the course's
    reference values (notebooks 01 and 03) were computed with. Same backward as SoftmaxCrossEntropy."""

    def __init__(self, guard=COURSE_GUARD):
        super().__init__(guard)


class Sequential(Module):
    """Modules applied in order: y = f_L(... f_2(f_1(x))); backward runs them in reverse."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x)
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


def l2_penalty(model, reg, add_grad=True):
    """Add reg * sum W^2 over every weight matrix (parameters named W, not biases).

    Returns the penalty; adds its gradient 2 reg W to the model's grads in place, so call it
    after `backward`. add_grad=False only evaluates the penalty (e.g. inside a finite difference).
    """
    if reg == 0:
        return 0.0
    total = 0.0
    for name, W, dW in model.named_parameters():
        if name.split(".")[-1].startswith("W"):
            total += float(np.sum(W * W))
            if add_grad:
                dW += 2 * reg * W
    return reg * total
