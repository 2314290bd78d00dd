"""The argument checks the public entry points share, written once: whole numbers, real numbers
(scalars: `is_real`; arrays: `check_real`), random generators, (rows, columns) pairs, an upstream
gradient's shape (`check_dout`), a batch of feature rows, and backward-before-forward
(`check_forward_ran`, the guard of both the layers and the scalar nodes).

Each returns the checked value (converted where that is safe) or raises an error that says what
was expected and what came. Kernels do not call them on every step: the public entry points
(constructors, `forward` of a layer, `fit`) check once, at the door.
"""
import numpy as np

DEFAULT_SEED = 0
"""The seed of `rng=None`: where a function takes rng=None, it draws from default_rng(DEFAULT_SEED)."""


def is_int(value):
    """True for a whole number (int or a NumPy integer), False for bool, floats and the rest."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_real(value):
    """True for a real number (int, float or a NumPy scalar of either), False for bool and the rest."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_real(a, who):
    """a as an array of real numbers (bools, integers or floats), else a TypeError naming `who`:
    complex numbers, strings and objects have no place in a layer, a loss or a training set."""
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected real numbers (bools, integers or floats), got dtype {a.dtype}")
    return a


def check_forward_ran(ran, who):
    """The guard of backward: a RuntimeError unless forward has run (`ran`), as backward uses
    what forward saved."""
    if not ran:
        raise RuntimeError(
            f"{who}.backward called before forward: expected a forward first (backward uses what "
            f"forward saved), got none"
        )


def check_rng(rng, who="rng"):
    """rng itself if it is a numpy.random.Generator, else a TypeError (None included)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{who} must be a numpy.random.Generator, e.g. np.random.default_rng(SEED); got {rng!r}")
    return rng


def rng_or_default(rng, who="rng"):
    """rng, or for rng=None a fresh np.random.default_rng(DEFAULT_SEED): the same numbers on every
    call (two layers built without a generator get the same weights). Anything else: TypeError."""
    return np.random.default_rng(DEFAULT_SEED) if rng is None else check_rng(rng, who)


def pair(value, name, minimum):
    """An int or a pair of ints (rows, columns) -> a pair of ints >= minimum, or a clear error."""
    values = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(values) != 2 or not all(is_int(v) for v in values):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def check_dout(dout, shape, who):
    """dout as an array of the shape forward returned (a loss's: shape (), a scalar). A mis-shaped
    dout would otherwise broadcast silently (ReLU, Sigmoid, Tanh) or fail deep inside a matmul
    (Linear)."""
    dout = np.asarray(dout)
    if dout.shape != tuple(shape):
        scalar = " (a scalar)" if not shape else ""
        raise ValueError(f"{who}.backward expects dout of the shape forward returned {tuple(shape)}{scalar}, "
                         f"got {dout.shape}")
    return dout


def check_features(x, n_features, who, dtype=None):
    """x as a float array (N, n_features) that a layer may cache: integers and bools become
    `dtype` (the weights' dtype, float64 if None) before any arithmetic; a writable float x is
    copied, so that later changes to the caller's array cannot change backward's gradients; a
    read-only x (nobody can write into it) is returned as it is. `who` names the layer in errors."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"{who} expects x of shape (N, {n_features}), got {x.shape}")
    check_real(x, who)
    if x.dtype.kind != "f":
        return x.astype(np.float64 if dtype is None else dtype)
    return x.copy() if x.flags.writeable else x


def read_only(a):
    """A read-only view of array a (a itself is left writable): a layer caches it without a copy."""
    view = np.asarray(a).view()
    view.flags.writeable = False
    return view
