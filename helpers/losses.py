"""Losses as modules: `forward(scores, targets) -> scalar`, `backward(dout=1.0) -> dscores`, and
the L2 weight penalty of training.

A loss's forward caches what its backward needs, as a layer's does; its backward takes the
scalar dout = dJ/dL (1 when the loss is the objective) and returns the gradient w.r.t. scores.
"""
import numpy as np

from .checks import check_dout, check_real, is_real
from .functional import COURSE_GUARD, cross_entropy, log_softmax
from .layers import Module


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
        if not (is_real(guard) and 0 <= guard < 1):
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
        logp = log_softmax(scores)  # refuses non-real scores; integers become float64
        probs = np.exp(logp)
        # one_hot gives float64; matching the scores' dtype keeps float32 backward in float32
        targets = targets.astype(probs.dtype)  # a copy: the cache cannot change from outside
        self.cache = (probs, targets)
        if self.guard:
            return cross_entropy(probs, targets, guard=self.guard)
        return float(-np.sum(targets * logp) / logp.shape[0])

    def backward(self, dout=1.0):
        probs, targets = self._cached()
        check_dout(dout, (), type(self).__name__)  # the loss is a scalar, so is dout (a float keeps float32)
        ### BEGIN SOLUTION
        return dout * (probs - targets) / probs.shape[0]
        ### END SOLUTION


class CourseSoftmaxCrossEntropy(SoftmaxCrossEntropy):
    """The course's guarded loss, -(1/N) sum t log(softmax(s) + 1e-9): the loss the course's
    reference values (notebooks 01 and 03) were computed with. Same backward as SoftmaxCrossEntropy."""

    def __init__(self, guard=COURSE_GUARD):
        super().__init__(guard)


class L2Loss(Module):
    """Half the squared distance per sample, averaged over the batch. y, targets: (N, ...) -> scalar.

    L = 1/(2N) sum_n ||y_n - t_n||^2;   dL/dy = (y - t) / N
    """

    def forward(self, y, targets):
        y, targets = np.asarray(y), np.asarray(targets)
        if y.shape != targets.shape or y.ndim < 1 or len(y) == 0:
            raise ValueError(f"L2Loss expects y and targets of one shape (N, ...), got {y.shape} and {targets.shape}")
        for name, a in (("y", y), ("targets", targets)):
            check_real(a, f"L2Loss's {name}")
        # Private float copies: uint8 images would wrap around in y - targets (0 - 255 = 1), and
        # a caller changing y after forward must not change backward's gradient.
        y, targets = (a.astype(np.float64) if a.dtype.kind != "f" else a.copy() for a in (y, targets))
        self.cache = (y, targets)
        ### BEGIN SOLUTION
        diff = y - targets
        return float(0.5 * np.sum(diff * diff) / len(y))
        ### END SOLUTION

    def backward(self, dout=1.0):
        y, targets = self._cached()
        check_dout(dout, (), "L2Loss")  # the loss is a scalar, so is dout
        ### BEGIN SOLUTION
        return dout * (y - targets) / len(y)
        ### END SOLUTION


def is_weight(name):
    """True for a weight matrix, whose name (after a container's "3." prefix) starts with W:
    the parameters the L2 penalty counts. Biases (b...) are left out."""
    return name.rpartition(".")[2].startswith("W")


def l2_penalty(model, reg, add_grad=True):
    """Add reg * sum W^2 over every weight matrix (parameters named W..., not biases).

    Returns the penalty; adds its gradient 2 reg W to the model's grads in place, so call it
    after `backward`. add_grad=False only evaluates the penalty (e.g. inside a finite difference).
    """
    if reg == 0:
        return 0.0
    total = 0.0
    for name, W, dW in model.named_parameters():
        if is_weight(name):
            total += float(np.vdot(W, W))  # sum W^2 without a temporary W * W
            if add_grad:
                dW += (2 * reg) * W
    return reg * total
