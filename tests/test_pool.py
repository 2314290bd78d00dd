"""Max-pooling and Flatten: forward against loops, backward against finite differences (float64),
Taylor/Jacobian tests alone and inside a small ConvNet, ties, dtypes, the errors bad input gets,
and the classic bugs the checks must catch."""
import itertools

import numpy as np
import pytest

from helpers.conv import Conv2d
from helpers.data import one_hot
from helpers.gradcheck import (
    jacobian_test,
    layer_param_jacobian_test,
    numerical_gradient,
    param_gradient_errors,
    rel_error,
    taylor_verdict,
)
from helpers.layers import Linear, ReLU, Sequential
from helpers.losses import SoftmaxCrossEntropy
from helpers.pool import Flatten, MaxPool2d

PASS = ("O(eps^2)", "exact")
# (kernel, stride): tiling windows, overlapping ones (a pixel in several windows), gaps between
# windows, non-square kernels and strides
GEOMETRIES = [(2, None), (2, 2), (3, 3), (2, 1), (3, 1), (3, 2), (2, 3), ((2, 3), (1, 2)), ((3, 1), (2, 1))]


def reference_pool(x, kernel, stride):
    """Max-pooling written out: one np.max per output entry."""
    (KH, KW), (sh, sw) = kernel, stride
    N, C, H, W = x.shape
    OH, OW = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    for n, c, i, j in itertools.product(range(N), range(C), range(OH), range(OW)):
        out[n, c, i, j] = np.max(x[n, c, sh * i : sh * i + KH, sw * j : sw * j + KW])
    return out


def pair(v):
    return (v, v) if np.ndim(v) == 0 else tuple(v)


def distinct_input(rng, shape):
    """Entries spread evenly over (-1, 1) in random order, 2 / size apart: no finite-difference or
    Taylor step (see EPS) changes a window's winner, so the max is differentiable there, and no
    window has a tie. Values of order 1 keep the round-off of x + step far below the step."""
    size = int(np.prod(shape))
    return ((2 * rng.permutation(size) + 1.0 - size) / size).reshape(shape)


# Taylor steps for max-pooling: the largest, 2^-8, moves an entry by at most ~2^-8 * 0.2 (entries of
# a random unit direction over >= 100 inputs), less than the gap between entries of distinct_input.
EPS = 0.5 ** np.arange(8, 22)


def random_shape(rng, kernel, stride):
    """Several images and channels, non-square, with rows/columns left over (floor mode)."""
    (KH, KW), (sh, sw) = pair(kernel), pair(stride)
    return 2, 3, KH + sh * int(rng.integers(1, 4)) + int(rng.integers(0, sh + 1)), KW + sw * 2 + 1


# ---------------------------------------------------------------- forward

@pytest.mark.parametrize("kernel, stride", GEOMETRIES)
def test_forward_matches_loops(kernel, stride, rng):
    layer = MaxPool2d(kernel, stride)
    x = rng.standard_normal(random_shape(rng, kernel, layer.stride))
    out = layer.forward(x)
    assert out.shape == layer.output_shape(x.shape)
    np.testing.assert_array_equal(out, reference_pool(x, layer.kernel_size, layer.stride))


def test_default_is_2x2_stride_2_and_drops_a_leftover_row():
    x = np.arange(30.0).reshape(1, 1, 5, 6)  # row 4 is in no 2x2 window (floor mode)
    layer = MaxPool2d()
    assert layer.kernel_size == layer.stride == (2, 2)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[7, 9, 11], [19, 21, 23]])
    dx = layer.backward(np.ones((1, 1, 2, 3)))
    assert dx.shape == x.shape and np.all(dx[0, 0, 4] == 0)


def test_nan_wins_its_window():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]])
    layer = MaxPool2d(2)
    assert np.isnan(layer.forward(x)[0, 0, 0, 0])
    np.testing.assert_array_equal(layer.backward(np.full((1, 1, 1, 1), 5.0))[0, 0], [[0, 5], [0, 0]])


# ---------------------------------------------------------------- backward

@pytest.mark.parametrize("kernel, stride", GEOMETRIES)
def test_backward_matches_finite_differences(kernel, stride, rng):
    layer = MaxPool2d(kernel, stride)
    x = distinct_input(rng, random_shape(rng, kernel, layer.stride))
    u = rng.standard_normal(layer.output_shape(x.shape))
    layer.forward(x)
    dx = layer.backward(u)
    assert dx.shape == x.shape and dx.dtype == np.float64
    numeric = numerical_gradient(lambda z: np.sum(layer.forward(z) * u), x)
    assert rel_error(dx, numeric) < 1e-7


@pytest.mark.parametrize("kernel, stride", GEOMETRIES)
def test_jacobian_test(kernel, stride, rng):
    layer = MaxPool2d(kernel, stride)
    x = distinct_input(rng, random_shape(rng, kernel, layer.stride))
    assert taylor_verdict(*jacobian_test(layer.forward, layer.backward, x, eps=EPS, rng=rng)) in PASS


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1)])
def test_each_output_sends_its_gradient_to_exactly_one_input(kernel, stride, rng):
    layer = MaxPool2d(kernel, stride)
    x = rng.standard_normal((2, 2, 7, 8))
    out = layer.forward(x)
    u = rng.standard_normal(out.shape)
    dx = layer.backward(u)
    # every window hands its dout on once, to an entry holding the window's max
    assert np.isclose(dx.sum(), u.sum())
    assert np.all(np.isin(x[dx != 0], out))


def test_ties_go_to_the_first_entry_in_row_major_order():
    # window 1: all equal; window 2: a tie between its bottom-left and bottom-right entries
    x = np.array([[[[4.0, 4.0, 0.0, 1.0],
                    [4.0, 4.0, 2.0, 2.0]]]])
    layer = MaxPool2d(2)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[4.0, 2.0]])
    dx = layer.backward(np.array([[[[10.0, 20.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[10, 0, 0, 0], [0, 0, 20, 0]])


def test_overlapping_windows_add_their_gradients():
    # stride 1: the centre pixel is the max of all four 2x2 windows, so it collects 1 + 2 + 3 + 4
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0
    layer = MaxPool2d(2, stride=1)
    np.testing.assert_array_equal(layer.forward(x), np.ones((1, 1, 2, 2)))
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert dx[0, 0, 1, 1] == 10 and dx.sum() == 10


# ---------------------------------------------------------------- in a network

def small_convnet(rng):
    return Sequential(Conv2d(2, 3, 3, rng=rng), ReLU(), MaxPool2d(2), Flatten(), Linear(3 * 3 * 3, 4, rng=rng))


def test_convnet_gradients_match_finite_differences(rng):
    net = small_convnet(rng)
    for _, p, _ in net.named_parameters():
        p += 0.1 * rng.standard_normal(p.shape)  # biases too: no exact zeros anywhere
    x, targets = rng.standard_normal((5, 2, 8, 8)), one_hot(rng.integers(0, 4, 5), 4)
    errors = param_gradient_errors(net, SoftmaxCrossEntropy(), x, targets)
    assert sorted(errors) == ["0.W", "0.b", "4.W", "4.b"]
    assert max(errors.values()) < 1e-6, errors
    loss_fn = SoftmaxCrossEntropy()
    loss_fn.forward(net.forward(x), targets)
    dx = net.backward(loss_fn.backward())
    numeric = numerical_gradient(lambda z: loss_fn.forward(net.forward(z), targets), x)
    # some input gradients are ~1e-6, where the round-off of central differences (~1e-16 L / h)
    # is ~1e-6 of them; a wrong formula is off by O(1)
    assert rel_error(dx, numeric) < 1e-5


def test_convnet_jacobian_tests(rng):
    net = small_convnet(rng)
    x = rng.standard_normal((3, 2, 8, 8))
    assert taylor_verdict(*jacobian_test(net.forward, net.backward, x, rng=rng)) in PASS
    for name, _, _ in list(net.named_parameters()):
        assert taylor_verdict(*layer_param_jacobian_test(net, x, name, rng=rng)) in PASS, name


def test_flatten_is_a_reshape_both_ways(rng):
    x = rng.standard_normal((4, 3, 2, 5))
    flat = Flatten()
    y = flat.forward(x)
    assert y.shape == (4, 30) and y[1, 2 * 10 + 1 * 5 + 3] == x[1, 2, 1, 3]
    u = rng.standard_normal(y.shape)
    np.testing.assert_array_equal(flat.backward(u), u.reshape(x.shape))
    assert taylor_verdict(*jacobian_test(flat.forward, flat.backward, x, rng=rng)) in PASS


# ---------------------------------------------------------------- the checks catch classic bugs

class PoolOverwrites(MaxPool2d):
    """The col2im bug in a pooling layer: `=` instead of `+=`, so where windows overlap a pixel
    keeps only the last window's gradient."""

    def backward(self, dout):
        x_shape, winner = self._cached()
        (KH, KW), (sh, sw), (OH, OW) = self.kernel_size, self.stride, winner.shape[2:]
        dx = np.zeros(x_shape)
        for u, v in itertools.product(range(KH), range(KW)):
            rows, cols = slice(u, u + sh * (OH - 1) + 1, sh), slice(v, v + sw * (OW - 1) + 1, sw)
            hit = winner == u * KW + v
            dx[:, :, rows, cols] = np.where(hit, dout, dx[:, :, rows, cols])
        return dx


class PoolMasksEveryMax(MaxPool2d):
    """The mask bug (2x2, stride 2): dx = dout wherever x equals its window's max, so a tie pays
    out the window's gradient once per tied entry."""

    def forward(self, x):
        out = super().forward(x)
        self.mask_cache = (x, out)
        return out

    def backward(self, dout):
        x, out = self.mask_cache
        def up(a):
            return a.repeat(2, axis=2).repeat(2, axis=3)
        return np.where(x == up(out), up(dout), 0)


def test_finite_differences_catch_overwriting_overlapping_windows(rng):
    x = distinct_input(rng, (2, 2, 6, 7))
    u = rng.standard_normal(MaxPool2d(3, 1).output_shape(x.shape))
    numeric = numerical_gradient(lambda z: np.sum(MaxPool2d(3, 1).forward(z) * u), x)
    right, wrong = MaxPool2d(3, 1), PoolOverwrites(3, 1)
    right.forward(x), wrong.forward(x)
    assert rel_error(right.backward(u), numeric) < 1e-7
    assert rel_error(wrong.backward(u), numeric) > 1e-2
    assert taylor_verdict(*jacobian_test(wrong.forward, wrong.backward, x, eps=EPS, rng=rng)) == "WRONG"
    # with tiling windows nothing overlaps, and the bug hides: why the tests use stride < kernel too
    tiling = PoolOverwrites(2)
    tiling.forward(x)
    assert rel_error(tiling.backward(np.ones((2, 2, 3, 3))),
                     numerical_gradient(lambda z: np.sum(MaxPool2d(2).forward(z)), x)) < 1e-7


def test_conservation_catches_the_mask_bug_at_ties():
    # all-equal windows (zeros after a ReLU, say): finite differences give 1/2 to each tied entry
    # whatever the code does, but a max must pass each window's dout on exactly once
    x, dout = np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
    right, wrong = MaxPool2d(2), PoolMasksEveryMax(2)
    right.forward(x), wrong.forward(x)
    assert right.backward(dout).sum() == dout.sum() == 4
    assert wrong.backward(dout).sum() == 16


# ---------------------------------------------------------------- dtypes and bad input

def test_float32_stays_float32_and_integers_work(rng):
    layer = MaxPool2d(2)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == layer.backward(np.ones_like(y)).dtype == np.float32
    images = rng.integers(0, 256, size=(2, 1, 4, 4), dtype=np.uint8)
    np.testing.assert_array_equal(layer.forward(images), reference_pool(images, (2, 2), (2, 2)))
    assert layer.backward(np.ones((2, 1, 2, 2))).dtype == np.float64


BAD_CALLS = [  # (input of a first forward or None, the call that must fail, its error, the message)
    (None, lambda p: p.forward(np.zeros((3, 8, 8))), ValueError, r"expects x of shape \(N, C, H, W\), got \(3, 8, 8\)"),
    (None, lambda p: p.forward(np.zeros((1, 2, 2, 9))), ValueError,
     r"cannot slide over an input of \(1, 2, 2, 9\): .*spans 3 pixels"),
    (None, lambda p: p.forward(np.full((1, 1, 4, 4), "a")), TypeError, "real numbers"),
    (None, lambda p: p.backward(np.zeros((1, 1, 3, 3))), RuntimeError, "before forward"),
    (np.zeros((1, 2, 7, 7)), lambda p: p.backward(np.zeros((1, 2, 3, 4))), ValueError,
     r"dout of the shape forward returned \(1, 2, 3, 3\), got \(1, 2, 3, 4\)"),
]


@pytest.mark.parametrize("first, call, error, message", BAD_CALLS)
def test_bad_input_gets_clear_errors(first, call, error, message):
    layer = MaxPool2d(3, 2)
    if first is not None:
        layer.forward(first)
    with pytest.raises(error, match=message):
        call(layer)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kernel_size=0), "kernel_size must be >= 1"),
    (dict(kernel_size=(2, 2, 2)), "kernel_size must be an int or a pair"),
    (dict(kernel_size=2.0), "kernel_size must be an int"),
    (dict(stride=0), "stride must be >= 1"),
    (dict(stride=(1, 1.5)), "stride must be an int"),
])
def test_impossible_layers_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaxPool2d(**({"kernel_size": 2} | kwargs))


def test_flatten_errors():
    flat = Flatten()
    with pytest.raises(ValueError, match=r"Flatten expects a batch x of shape \(N, \.\.\.\), got \(5,\)"):
        flat.forward(np.zeros(5))
    with pytest.raises(RuntimeError, match="before forward"):
        flat.backward(np.zeros((2, 3)))
    flat.forward(np.zeros((2, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"forward returned \(2, 12\), got \(2, 3, 2, 2\)"):
        flat.backward(np.zeros((2, 3, 2, 2)))


def test_sequential_names_a_pool_that_refused_its_input(rng):
    net = Sequential(Conv2d(1, 2, 5, rng=rng), MaxPool2d(5))
    with pytest.raises(ValueError, match=r"Sequential layer 1 \(MaxPool2d\(kernel_size=\(5, 5\).*spans 5 pixels"):
        net.forward(np.zeros((1, 1, 8, 8)))
