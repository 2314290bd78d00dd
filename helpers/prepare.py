"""Data preparation: what turns loaded arrays into a model's inputs, with no file I/O.

One-hot labels, train/validation splits, per-feature standardisation, flattening images to rows,
mini-batches, and ZCA whitening as a convolution (lesson 06). Training (`helpers.train`)
imports from here, so it needs no loader; `helpers.data` re-exports every name for the lessons.
"""
import numpy as np

from .checks import check_rng, is_int, is_real
from .conv import im2col


def flatten(images):
    """(N, H, W) or (N, C, H, W) uint8 images -> (N, D) float64 pixels in [0, 1]."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"flatten expects a batch of images (N, H, W) or (N, C, H, W), got shape {images.shape}")
    return images.reshape(len(images), -1) / 255.0


def one_hot(labels, n_classes=None):
    """Integer labels (N,) -> one-hot matrix (N, K) of float64."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"one_hot expects integer labels of shape (N,), got {labels.dtype} {labels.shape}")
    if n_classes is None and labels.size == 0:
        raise ValueError("one_hot of an empty label array needs n_classes (got none): pass one_hot(labels, K)")
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def train_val_split(X, y, val_fraction, rng):
    """Shuffle with `rng`, then hold out val_fraction of the rows. Returns X_tr, y_tr, X_val, y_val."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction}")
    check_rng(rng, "train_val_split's rng")
    n_val = int(round(val_fraction * len(X)))
    if not 0 < n_val < len(X):
        raise ValueError(
            f"val_fraction {val_fraction} of {len(X)} rows leaves an empty training or validation set"
        )
    order = rng.permutation(len(X))
    val, tr = order[:n_val], order[n_val:]
    return X[tr], y[tr], X[val], y[val]


class Standardizer:
    """Per-feature standardisation fitted on training data: x' = (x - mean) / (std + eps)."""

    def __init__(self, eps=1e-8):
        if not (is_real(eps) and np.isfinite(eps) and eps >= 0):
            raise ValueError(f"Standardizer needs a finite eps >= 0 (e.g. 1e-8 or 0.1), got {eps!r}")
        self.eps, self.mean, self.std = eps, None, None

    def fit(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 0 or len(X) == 0:
            raise ValueError(f"Standardizer.fit needs X of shape (N, ...) with N >= 1, got {X.shape}")
        self.mean, self.std = X.mean(axis=0), X.std(axis=0)
        return self

    def transform(self, X, dtype=np.float64):
        if self.mean is None:
            raise RuntimeError("Standardizer.transform called before fit: expected fit(X_train) first, "
                               "got no fitted mean")
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(f"Standardizer fitted on features {self.mean.shape}, got rows of {X.shape[1:]}; "
                             f"expected rows of the fitted shape")
        scale = self.std + self.eps
        if np.any(scale == 0):
            raise ValueError(
                f"Standardizer(eps=0) expects features that vary, got {int(np.sum(scale == 0))} constant "
                f"in the training data (std 0), where (x - mean) / std would be NaN or inf; use eps > 0 (e.g. 1e-8)"
            )
        return ((X - self.mean) / scale).astype(dtype)

    def fit_transform(self, X, dtype=np.float64):
        return self.fit(X).transform(X, dtype)


def minibatches(X, y, batch_size, rng, shuffle=True):
    """Yield (X_batch, y_batch) covering the data once, in a new random order on every call.

    Each call draws a fresh permutation from `rng`, so every epoch sees a new order. The last
    batch is smaller when batch_size does not divide N.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    if not is_int(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if shuffle:
        check_rng(rng, "minibatches' rng")
    ### BEGIN SOLUTION
    order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        yield X[idx], y[idx]
    ### END SOLUTION


def zca_filter(x, size, eps):
    """ZCA whitening as a convolution. x: (N, C, H, W) -> weights (C, C, size, size), size odd.

    Sigma = covariance of the (C*size*size)-vectors of size x size patches of x,
    Z = (Sigma + eps I)^(-1/2).  A pixel's whitened value in channel c is row (c, centre) of Z
    dotted with the patch around it, so Conv2d(C, C, size, padding=size // 2) with these weights,
    applied to x minus its channel means, whitens x; eps damps directions weaker than noise.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"zca_filter expects images of shape (N, C, H, W), got {x.shape}")
    if not is_int(size) or size < 1 or size % 2 == 0 or size > min(x.shape[2:]):
        raise ValueError(f"size must be an odd int no larger than the images {x.shape[2:]}, got {size!r}")
    if not eps > 0:
        raise ValueError(f"eps must be positive (it keeps (Sigma + eps I)^(-1/2) finite), got {eps!r}")
    C, H, W = x.shape[1:]
    x = x - x.mean(axis=(0, 2, 3), keepdims=True)
    sigma = np.zeros((C * size * size,) * 2)
    for start in range(0, len(x), 100):  # 100 images at a time keeps the im2col matrix small
        cols = im2col(x[start : start + 100], (size, size), (1, 1), (1, 1), (H - size + 1, W - size + 1))
        sigma += cols @ cols.T
    sigma /= len(x) * (H - size + 1) * (W - size + 1)
    evals, evecs = np.linalg.eigh(sigma)
    Z = (evecs / np.sqrt(np.maximum(evals, 0) + eps)) @ evecs.T
    centre = np.arange(C) * size * size + (size * size) // 2
    return Z[centre].reshape(C, C, size, size)
