"""Stateless math used by the layers: softmax, log-softmax, cross-entropy, sigmoid.

All functions are numerically stable: they stay finite and correct for scores of +-1e4.
"""
import numpy as np

from .checks import check_real, is_real

COURSE_GUARD = 1e-9
"""The course's guard in log(p + guard): caps a sample's loss at -log(1e-9) = 20.7."""


def _check_2d(a, name):
    """a as a 2-D float array; integers and bools become float64 *before* any arithmetic
    (uint8 scores would wrap around in s - max s, int8 ones overflow)."""
    a = check_real(a, name)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (N samples, K classes), got shape {a.shape}")
    return _float(a)


def _check_targets(targets, n_rows_like):
    targets = _check_2d(targets, "targets")
    if targets.shape != n_rows_like.shape:
        raise ValueError(
            f"one-hot targets must have the shape of the scores/probs {n_rows_like.shape}, "
            f"got {targets.shape} (use helpers.data.one_hot(labels, K))"
        )
    return targets


def _float(x):
    """x as a float array: float32/float64 kept, integers and bools promoted to float64."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def softmax_naive(scores):
    """Textbook softmax exp(s) / sum exp(s): overflows to nan for scores above ~710."""
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def softmax(scores):
    """Row-wise softmax. scores: (N, K) -> probs: (N, K).

    p_ik = exp(s_ik - max_j s_ij) / sum_j exp(s_ij - max_j s_ij)   (shift for stability)
    """
    scores = _check_2d(scores, "scores")
    ### BEGIN SOLUTION
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    ### END SOLUTION


def log_softmax(scores):
    """Row-wise log-softmax. scores: (N, K) -> (N, K).

    log p_ik = (s_ik - m_i) - log sum_j exp(s_ij - m_i),   m_i = max_j s_ij
    """
    scores = _check_2d(scores, "scores")
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy(probs, targets, guard=1e-9):
    """Mean cross-entropy of probabilities. probs, targets (one-hot): (N, K) -> scalar.

    L = -(1/N) sum_i sum_k t_ik log(p_ik + guard)      (guard keeps log(0) finite)

    The default guard is the course's COURSE_GUARD = 1e-9 (a sample's loss is capped at 20.7);
    guard=0 is the exact cross-entropy. probs must lie in [0, 1]: scores (any real numbers) are
    refused, as log of a negative "probability" is NaN and of one above 1 a negative loss.
    """
    probs = _check_2d(probs, "probs")
    targets = _check_targets(targets, probs)
    if not (is_real(guard) and 0 <= guard < 1):
        raise ValueError(f"cross_entropy needs a guard in [0, 1) (the course uses 1e-9), got {guard!r}")
    if probs.size and not (np.all(probs >= 0) and np.all(probs <= 1)):  # False for NaN too
        raise ValueError(
            f"cross_entropy expects probabilities in [0, 1], got values in "
            f"[{np.nanmin(probs):.4g}, {np.nanmax(probs):.4g}]{' and NaN' if np.isnan(probs).any() else ''}; "
            f"for scores use softmax_cross_entropy(scores, targets) or cross_entropy(softmax(scores), targets)"
        )
    ### BEGIN SOLUTION
    return float(-np.sum(targets * np.log(probs + guard)) / probs.shape[0])
    ### END SOLUTION


def softmax_cross_entropy(scores, targets):
    """Mean cross-entropy straight from scores (log-softmax: finite for any finite scores).

    scores, targets (one-hot): (N, K) -> (loss, dscores)
    L = -(1/N) sum_i sum_k t_ik log softmax(s)_ik,     dL/ds = (softmax(s) - t) / N
    """
    scores = _check_2d(scores, "scores")
    targets = _check_targets(targets, scores)
    n = scores.shape[0]
    logp = log_softmax(scores)
    loss = -np.sum(targets * logp) / n
    dscores = (np.exp(logp) - targets) / n
    return float(loss), dscores


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise, without overflow for any x.

    For x < 0 it is evaluated as exp(x) / (1 + exp(x)), whose exp cannot overflow.
    """
    x = _float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(x):
    """log(sigmoid(x)) = -log(1 + exp(-x)) = min(x, 0) - log1p(exp(-|x|)), finite for all x."""
    x = _float(x)
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
