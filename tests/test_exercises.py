"""Direct tests of every exercise, on behaviour only.

Each test is marked with the one exercise it judges (`@pytest.mark.exercise(...)`, read by
`make check`) and calls no other exercise: a backward pass gets its cache from the contract its
docstring states (or, for the scalar nodes, whose cache is free, from the node's own forward),
and the expected values come from the equations, computed here. Failures name the quantity
that is wrong (y, dx, dW, db, cache, ...). They are proven on a corpus of alternative solutions and
classic mistakes that they must tell apart (kept by the instructors).
"""
import numpy as np
import pytest
from scipy import signal
from test_conv import reference_conv

from helpers import conv, functional, layers, losses, scalar
from helpers.data import minibatches


def exercise(name):
    return pytest.mark.exercise(name)


def close(quantity, got, want, rtol=1e-10, atol=1e-12):
    """Assert got == want to rounding error, with a message that names the quantity."""
    assert got is not None, f"{quantity} is None (did you forget to return it?)"
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{quantity} has shape {got.shape}, expected {want.shape}"
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        with np.errstate(invalid="ignore"):
            err = np.nanmax(np.abs(got - want)) if np.isfinite(got).all() else np.nan
        where = np.unravel_index(np.argmax(~np.isclose(got, want, rtol=rtol, atol=atol)), want.shape) if want.ndim else ()
        raise AssertionError(
            f"{quantity} is wrong: max |error| {err:.3g}; at {tuple(int(i) for i in where)} got "
            f"{got[where]:.6g}, expected {want[where]:.6g}"
        )


def unchanged(quantity, before, after):
    assert np.array_equal(before, after), f"{quantity} was modified in place (work on a copy)"


# --- functional ----------------------------------------------------------------------------------


def _softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@exercise("softmax")
def test_softmax_probs(rng):
    s = rng.standard_normal((5, 4)) * 3
    before = s.copy()
    close("probs", functional.softmax(s), _softmax(before))
    unchanged("scores", before, s)


@exercise("softmax")
def test_softmax_large_and_spread_scores_stay_exact():
    # rows that overflow exp without a shift, and a shift by anything but the row max
    s = np.array([[1000.0, 0.0, -1000.0], [2060.0, 2000.0, 2080.0], [-800.0, -810.0, -805.0]])
    close("probs", functional.softmax(s.copy()), _softmax(s))


@exercise("softmax")
def test_softmax_one_row_and_one_column(rng):
    close("probs", functional.softmax(np.array([[0.5, 0.5, 2.0]])), _softmax(np.array([[0.5, 0.5, 2.0]])))
    close("probs", functional.softmax(rng.standard_normal((3, 1))), np.ones((3, 1)))


@exercise("cross_entropy")
def test_cross_entropy_loss(rng):
    p = _softmax(rng.standard_normal((6, 4)))
    t = np.eye(4)[[0, 3, 1, 1, 2, 0]]
    before = p.copy()
    want = -np.sum(t * np.log(p + 1e-9)) / 6
    close("L", functional.cross_entropy(p, t), want)
    close("L (guard=1e-3)", functional.cross_entropy(p, t, guard=1e-3), -np.sum(t * np.log(p + 1e-3)) / 6)
    unchanged("probs", before, p)


@exercise("cross_entropy")
def test_cross_entropy_guard_keeps_log_zero_finite():
    p, t = np.array([[0.0, 1.0], [0.5, 0.5]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    close("L", functional.cross_entropy(p, t), -(np.log(1e-9) + np.log(0.5 + 1e-9)) / 2)


# --- layers --------------------------------------------------------------------------------------


def _linear(rng, n=4, d=5, m=3):
    layer = layers.Linear(d, m, rng)
    layer.params["b"] = rng.standard_normal(m)
    return layer, rng.standard_normal((n, d))


@exercise("Linear.forward")
def test_linear_forward_y(rng):
    layer, x = _linear(rng)
    W, b, before = layer.params["W"].copy(), layer.params["b"].copy(), x.copy()
    close("y", layer.forward(x), x @ W + b)
    unchanged("x", before, x)
    close("W", layer.params["W"], W, 0, 0)


@exercise("Linear.backward")
def test_linear_backward_gradients(rng):
    layer, x = _linear(rng)
    W, dout = layer.params["W"].copy(), rng.standard_normal((4, 3))
    layer.cache = x  # what forward caches (above its exercise region)
    dx = layer.backward(dout)
    close("dW", layer.grads["W"], x.T @ dout)
    close("db", layer.grads["b"], dout.sum(axis=0))
    close("dx", dx, dout @ W.T)


@exercise("Linear.backward")
def test_linear_backward_twice_gives_the_same_gradients(rng):
    layer, x = _linear(rng)
    dout = rng.standard_normal((4, 3))
    layer.cache = x
    layer.backward(dout)
    layer.cache = x
    layer.backward(dout)  # gradients are set, not accumulated across calls
    close("dW (second call)", layer.grads["W"], x.T @ dout)
    close("db (second call)", layer.grads["b"], dout.sum(axis=0))


def _elementwise_backward(make, cache, dout):
    layer = make()
    layer.cache = cache
    before = dout.copy()
    dx = layer.backward(dout)
    unchanged("dout", before, dout)
    return dx


@exercise("ReLU.backward")
def test_relu_backward_dx(rng):
    x = rng.standard_normal((4, 5))
    x[0, :2] = 0.0  # max(x, 0) has slope 0 at x = 0 here, as in the docstring's [x > 0]
    dout = rng.standard_normal((4, 5))
    close("dx", _elementwise_backward(layers.ReLU, x > 0, dout), dout * (x > 0))


@exercise("layers.Sigmoid.backward")
def test_sigmoid_layer_backward_dx(rng):
    y, dout = rng.uniform(0.01, 0.99, (4, 5)), rng.standard_normal((4, 5))
    close("dx", _elementwise_backward(layers.Sigmoid, y, dout), dout * y * (1 - y))


@exercise("layers.Tanh.backward")
def test_tanh_layer_backward_dx(rng):
    y, dout = rng.uniform(-0.99, 0.99, (4, 5)), rng.standard_normal((4, 5))
    close("dx", _elementwise_backward(layers.Tanh, y, dout), dout * (1 - y**2))


@exercise("SoftmaxCrossEntropy.backward")
def test_softmax_cross_entropy_backward_dscores(rng):
    probs, targets = _softmax(rng.standard_normal((5, 3))), np.eye(3)[[0, 2, 1, 1, 0]]
    loss = losses.SoftmaxCrossEntropy()
    loss.cache = (probs, targets)  # what forward caches (above the exercise region)
    close("dscores", loss.backward(), (probs - targets) / 5)
    close("dscores (dout=2.5)", loss.backward(2.5), 2.5 * (probs - targets) / 5)


# --- scalar graph nodes --------------------------------------------------------------------------


def _sig(a):
    return 1 / (1 + np.exp(-a))


# node: (inputs to try, f, local derivatives)
NODES = {
    "Add": ([(1.5, -2.0), (0.25, 3.0)], lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "Mul": ([(1.5, -2.0), (-0.5, 3.0)], lambda a, b: a * b, lambda a, b: (b, a)),
    "Div": ([(1.5, -2.0), (0.3, 0.7), (-2.0, 5e-3)], lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    "Square": ([(1.5,), (-0.7,)], lambda a: a * a, lambda a: (2 * a,)),
    "Cos": ([(0.7,), (-2.0,)], np.cos, lambda a: (-np.sin(a),)),
    "Sin": ([(0.7,), (-2.0,)], np.sin, lambda a: (np.cos(a),)),
    "Tanh": ([(0.7,), (-1.2,)], np.tanh, lambda a: (1 - np.tanh(a) ** 2,)),
    "Sigmoid": ([(0.7,), (-1.2,)], _sig, lambda a: (_sig(a) * (1 - _sig(a)),)),
    "Log": ([(0.7,), (2.5,)], np.log, lambda a: (1 / a,)),
    "LogSigmoid": ([(0.7,), (-1.2,), (-800.0,), (40.0,)], lambda a: min(a, 0) - np.log1p(np.exp(-abs(a))),
                   lambda a: (_sig(-a),)),
}  # fmt: skip
QUALIFIED = {"Tanh": "scalar.Tanh", "Sigmoid": "scalar.Sigmoid"}  # layers has these names too


@pytest.mark.parametrize("node", [pytest.param(n, marks=exercise(f"{QUALIFIED.get(n, n)}.forward")) for n in NODES])
def test_node_forward_output(node):
    points, f, _ = NODES[node]
    for inputs in points:
        close(f"{node}.forward{inputs}", getattr(scalar, node)().forward(*inputs), f(*inputs))


@pytest.mark.parametrize("node", [pytest.param(n, marks=exercise(f"{QUALIFIED.get(n, n)}.backward")) for n in NODES])
def test_node_backward_local_gradients(node):
    points, _, grads = NODES[node]
    for inputs in points:
        n = getattr(scalar, node)()
        n.forward(*inputs)  # the node's own forward: it may cache inputs or output, as it likes
        for dout in (1.7, -0.5):
            d = n.backward(dout)
            names = ["da", "db"][: len(inputs)]
            assert isinstance(d, tuple) and len(d) == len(inputs), (
                f"{node}.backward should return a tuple ({', '.join(names)},), got {d!r}"
            )
            for name, got, local in zip(names, d, grads(*inputs)):
                close(f"{name} of {node}{inputs} at dout={dout}", got, dout * local)


# --- residual layer ------------------------------------------------------------------------------


def _residual(rng, activation):
    layer = layers.Residual(4, hidden=3, rng=rng, activation=activation)
    layer.params["b1"] = rng.standard_normal(3)
    layer.params["W2"] = rng.standard_normal((3, 4))
    return layer, rng.standard_normal((5, 4))


def _act(activation, z):
    return np.tanh(z) if activation == "tanh" else np.maximum(z, 0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@exercise("Residual.forward")
def test_residual_forward_y_and_cache(rng, activation):
    layer, x = _residual(rng, activation)
    p = {k: v.copy() for k, v in layer.params.items()}
    before = x.copy()
    z = x @ p["W1"] + p["b1"]
    a = _act(activation, z)
    close("y", layer.forward(x), x + a @ p["W2"])
    unchanged("x", before, x)
    cache = layer.cache
    assert isinstance(cache, tuple) and len(cache) == 3, "forward must cache (x, z, a) (see the docstring)"
    for name, got, want in zip("xza", cache, (x, z, a)):
        close(f"cached {name}", got, want)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@exercise("Residual.backward")
def test_residual_backward_gradients(rng, activation):
    layer, x = _residual(rng, activation)
    W1, W2 = layer.params["W1"].copy(), layer.params["W2"].copy()
    z = x @ W1 + layer.params["b1"]
    a = _act(activation, z)
    layer.cache = (x, z, a)  # the contract of the docstring: forward caches (x, z, a)
    layer.phi.forward(z)  # and its activation layer caches what phi.backward needs
    dout = rng.standard_normal((5, 4))
    dx = layer.backward(dout)
    dz = (dout @ W2.T) * ((1 - a**2) if activation == "tanh" else (z > 0))
    close("dW2", layer.grads["W2"], a.T @ dout)
    close("dW1", layer.grads["W1"], x.T @ dz)
    close("db1", layer.grads["b1"], dz.sum(axis=0))
    close("dx", dx, dout + dz @ W1.T)


# --- convolution ---------------------------------------------------------------------------------

GEOMETRIES = [  # (N, C, H, W), (F, KH, KW), stride, padding, dilation
    ((2, 2, 7, 6), (3, 3, 2), (1, 1), (0, 0), (1, 1)),
    ((2, 2, 9, 8), (3, 3, 3), (2, 1), (1, 2), (1, 1)),
    ((1, 3, 9, 9), (2, 2, 3), (1, 2), (2, 1), (2, 3)),
    ((2, 1, 8, 7), (2, 3, 2), (3, 2), (1, 0), (2, 1)),
]
GEOMETRY_IDS = ["plain", "stride-padding", "dilation", "all"]


def _out_hw(shape, k, s, p, d):
    return tuple((shape[2 + a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in (0, 1))


def _ref_conv(x, W, b, s, p, d):
    """(out, x_pad, cols) from scipy (test_conv.reference_conv): no loop here is an exercise's code."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    return reference_conv(x, W, b, s, p, d), x_pad, _cols_by_solving(x_pad, W.shape[2:], s, d)


def _cols_by_solving(x_pad, k, s, d):
    """The im2col matrix, found from its defining property: W2 @ cols is the convolution, for an
    invertible W2 of K = C*KH*KW filters (so the K x N*OH*OW system has one solution)."""
    K = x_pad.shape[1] * k[0] * k[1]
    W = np.random.default_rng(7).standard_normal((K, x_pad.shape[1], *k))
    out = reference_conv(x_pad, W, np.zeros(K), s, (0, 0), d)
    return np.linalg.solve(W.reshape(K, -1), out.transpose(1, 0, 2, 3).reshape(K, -1))


def _dilated(W, d):
    F, C, KH, KW = W.shape
    Wd = np.zeros((F, C, d[0] * (KH - 1) + 1, d[1] * (KW - 1) + 1))
    Wd[:, :, :: d[0], :: d[1]] = W
    return Wd


def _upsampled(G, x_pad_shape, Wd, s):
    """G (N, F, OH, OW) placed every s-th pixel of the stride-1 output grid, zeros between."""
    Hv, Wv = x_pad_shape[2] - Wd.shape[2] + 1, x_pad_shape[3] - Wd.shape[3] + 1
    up = np.zeros(G.shape[:2] + (Hv, Wv))
    up[:, :, : s[0] * (G.shape[2] - 1) + 1 : s[0], : s[1] * (G.shape[3] - 1) + 1 : s[1]] = G
    return up


def _adjoint(G, W, x_pad_shape, s, d):
    """d<conv(x_pad; W), G>/dx_pad by scipy: full convolution of the upsampled G with each kernel."""
    Wd = _dilated(W, d)
    up = _upsampled(G, x_pad_shape, Wd, s)
    dx = np.zeros(x_pad_shape)
    for n, f, c in np.ndindex(G.shape[0], G.shape[1], x_pad_shape[1]):
        dx[n, c] += signal.convolve(up[n, f], Wd[f, c], mode="full")
    return dx


def _ref_conv_grads(x_pad, W, dout, s, p, d):
    """dW, db, dx by scipy: dW[f, c] = x_pad[n, c] correlated with the upsampled dout[n, f]."""
    up = _upsampled(dout, x_pad.shape, _dilated(W, d), s)
    dW = np.zeros(W.shape)
    for n, f, c in np.ndindex(dout.shape[0], dout.shape[1], x_pad.shape[1]):
        dW[f, c] += signal.correlate(x_pad[n, c], up[n, f], mode="valid")[:: d[0], :: d[1]]
    dx_pad = _adjoint(dout, W, x_pad.shape, s, d)
    H, Wd = x_pad.shape[2] - 2 * p[0], x_pad.shape[3] - 2 * p[1]
    return dW, dout.sum(axis=(0, 2, 3)), dx_pad[:, :, p[0] : p[0] + H, p[1] : p[1] + Wd]


def _conv_case(rng, geometry):
    shape, (F, KH, KW), s, p, d = geometry
    x = rng.standard_normal(shape)
    W, b = rng.standard_normal((F, shape[1], KH, KW)), rng.standard_normal(F)
    return x, W, b, s, p, d


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=GEOMETRY_IDS)
@exercise("im2col")
def test_im2col_cols(rng, geometry):
    x, W, _, s, p, d = _conv_case(rng, geometry)
    x_pad = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    out_hw = _out_hw(x.shape, W.shape[2:], s, p, d)
    before = x_pad.copy()
    close("cols", conv.im2col(x_pad, W.shape[2:], s, d, out_hw), _cols_by_solving(before, W.shape[2:], s, d), 1e-8, 1e-9)
    unchanged("x_pad", before, x_pad)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=GEOMETRY_IDS)
@exercise("col2im")
def test_col2im_dx_pad(rng, geometry):
    x, W, _, s, p, d = _conv_case(rng, geometry)
    shape = (x.shape[0], x.shape[1], x.shape[2] + 2 * p[0], x.shape[3] + 2 * p[1])
    (KH, KW), out_hw = W.shape[2:], _out_hw(x.shape, W.shape[2:], s, p, d)
    # dcols = W2^T G for K = C*KH*KW filters W2 (any dcols is one): col2im(dcols) is then the
    # gradient of <conv(x_pad; W), G> with respect to x_pad, which scipy gives
    K = x.shape[1] * KH * KW
    Wk, G = rng.standard_normal((K, x.shape[1], KH, KW)), rng.standard_normal((x.shape[0], K, *out_hw))
    dcols = Wk.reshape(K, -1).T @ G.transpose(1, 0, 2, 3).reshape(K, -1)
    want = _adjoint(G, Wk, shape, s, d)
    close("dx_pad", conv.col2im(dcols.copy(), shape, (KH, KW), s, d, out_hw), want, 1e-8, 1e-9)


def _keeps_float32(quantity, got, given):
    assert got.dtype == np.float32, (
        f"{quantity} has dtype {got.dtype} for float32 {given}, expected float32 (the docstring: "
        f"float32 in gives float32 out; build buffers with {given}.dtype)"
    )


@exercise("im2col")
def test_im2col_keeps_float32(rng):
    x_pad = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    _keeps_float32("cols", conv.im2col(x_pad, (3, 2), (1, 1), (1, 1), (4, 4)), "x_pad")


@exercise("col2im")
def test_col2im_keeps_float32(rng):
    dcols = rng.standard_normal((3 * 3 * 2, 2 * 4 * 4)).astype(np.float32)
    _keeps_float32("dx_pad", conv.col2im(dcols, (2, 3, 6, 5), (3, 2), (1, 1), (1, 1), (4, 4)), "dcols")


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=GEOMETRY_IDS)
@pytest.mark.parametrize("cls", [pytest.param("Conv2dNaive", marks=exercise("Conv2dNaive.forward")),
                                 pytest.param("Conv2d", marks=exercise("Conv2d.forward"))])
def test_conv_forward_out(rng, cls, geometry):
    x, W, b, s, p, d = _conv_case(rng, geometry)
    layer = getattr(conv, cls)(x.shape[1], len(W), W.shape[2:], s, p, d).set_weights(W, b)
    want, x_pad, cols = _ref_conv(x, W, b, s, p, d)
    close("out", layer.forward(x), want)
    if cls == "Conv2d":  # the docstring's contract: forward caches (x_pad.shape, cols)
        shape, cached_cols = layer.cache
        assert tuple(shape) == x_pad.shape, f"cached x_pad.shape is {shape}, expected {x_pad.shape}"
        close("cached cols", cached_cols, cols, 1e-8, 1e-9)


@pytest.mark.parametrize("cls", [pytest.param("Conv2dNaive", marks=exercise("Conv2dNaive.forward")),
                                 pytest.param("Conv2d", marks=exercise("Conv2d.forward"))])
def test_conv_forward_without_bias(rng, cls):
    x, W = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 2, 2))
    layer = getattr(conv, cls)(2, 3, 2, bias=False).set_weights(W)
    close("out", layer.forward(x), _ref_conv(x, W, np.zeros(3), (1, 1), (0, 0), (1, 1))[0])


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=GEOMETRY_IDS)
@pytest.mark.parametrize("cls", [pytest.param("Conv2dNaive", marks=exercise("Conv2dNaive.backward")),
                                 pytest.param("Conv2d", marks=exercise("Conv2d.backward"))])
def test_conv_backward_gradients(rng, cls, geometry):
    x, W, b, s, p, d = _conv_case(rng, geometry)
    layer = getattr(conv, cls)(x.shape[1], len(W), W.shape[2:], s, p, d).set_weights(W, b)
    _, x_pad, cols = _ref_conv(x, W, b, s, p, d)
    # what forward caches: the padded input (naive), (x_pad.shape, cols) (vectorised)
    layer.cache = x_pad if cls == "Conv2dNaive" else (x_pad.shape, cols)
    dout = rng.standard_normal(layer.output_shape(x.shape))
    dx = layer.backward(dout)
    dW, db, dx_want = _ref_conv_grads(x_pad, W, dout, s, p, d)
    close("dW", layer.grads["W"], dW)
    close("db", layer.grads["b"], db)
    close("dx", dx, dx_want)


@pytest.mark.parametrize("cls", [pytest.param("Conv2dNaive", marks=exercise("Conv2dNaive.backward")),
                                 pytest.param("Conv2d", marks=exercise("Conv2d.backward"))])
def test_conv_backward_without_bias_and_twice(rng, cls):
    x, W = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 2, 2))
    layer = getattr(conv, cls)(2, 3, 2, padding=1, bias=False).set_weights(W)
    _, x_pad, cols = _ref_conv(x, W, np.zeros(3), (1, 1), (1, 1), (1, 1))
    dout = rng.standard_normal(layer.output_shape(x.shape))
    for _ in range(2):  # gradients are set, not accumulated across calls
        layer.cache = x_pad if cls == "Conv2dNaive" else (x_pad.shape, cols)
        dx = layer.backward(dout)
    dW, _, dx_want = _ref_conv_grads(x_pad, W, dout, (1, 1), (1, 1), (1, 1))
    assert "b" not in layer.grads, "a layer built with bias=False has no db"
    close("dW", layer.grads["W"], dW)
    close("dx", dx, dx_want)


@exercise("L2Loss.forward")
def test_l2_loss_forward_L(rng):
    y, t = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 3))
    close("L", losses.L2Loss().forward(y, t), 0.5 * np.sum((y - t) ** 2) / 4)


@exercise("L2Loss.backward")
def test_l2_loss_backward_dy(rng):
    y, t = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 3))
    loss = losses.L2Loss()
    loss.cache = (y, t)  # what forward caches (above the exercise region)
    close("dL/dy", loss.backward(), (y - t) / 4)
    close("dL/dy (dout=3)", loss.backward(3.0), 3 * (y - t) / 4)


# --- mini-batches --------------------------------------------------------------------------------


@exercise("minibatches")
def test_minibatches_cover_every_row_once_in_pairs(rng):
    X, y = np.arange(22).reshape(11, 2), np.arange(11)
    batches = list(minibatches(X, y, 4, rng))
    assert [len(yb) for _, yb in batches] == [4, 4, 3], (
        f"batch sizes are {[len(yb) for _, yb in batches]}, expected [4, 4, 3] (the last one smaller)"
    )
    for Xb, yb in batches:
        assert np.array_equal(Xb[:, 0] // 2, yb), "rows of X and y no longer match up in a batch"
    order = np.concatenate([yb for _, yb in batches])
    assert sorted(order.tolist()) == list(range(11)), f"the batches hold rows {sorted(order.tolist())}, not each once"


@exercise("minibatches")
def test_minibatches_new_order_each_call_from_rng():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    orders = [np.concatenate([yb for _, yb in minibatches(X, y, 5, np.random.default_rng(s))]).tolist()
              for s in (1, 1, 2)]  # fmt: skip
    assert orders[0] == orders[1], "the same rng seed should give the same order (draw it from rng)"
    rng = np.random.default_rng(3)
    first, second = ([yb.tolist() for _, yb in minibatches(X, y, 5, rng)] for _ in range(2))
    assert first != second and orders[0] != orders[2], "the order should be new on every call (shuffle with rng)"
    assert orders[0] != list(range(20)), "shuffle=True should shuffle the rows"


@exercise("minibatches")
def test_minibatches_without_shuffle_keep_the_order():
    X, y = np.arange(14).reshape(7, 2), np.arange(7)
    got = [yb.tolist() for _, yb in minibatches(X, y, 3, None, shuffle=False)]
    assert got == [[0, 1, 2], [3, 4, 5], [6]], f"shuffle=False gave batches {got}, expected [[0, 1, 2], [3, 4, 5], [6]]"
