import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.patches import Circle

from helpers.gradcheck import numerical_gradient, rel_error
from helpers.scalar import Add, Cos, Div, Func, Graph, Log, LogSigmoid, Mul, Node, Sigmoid, Sin, Square, Tanh
from helpers.scalar_plot import draw_graph


def _signed(rng, lo, hi):
    return rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi)


# node class -> (forward written independently with the math module, sampler of valid inputs)
NODES = {
    Add: (lambda a, b: a + b, lambda rng: rng.uniform(-3, 3, 2)),
    Mul: (lambda a, b: a * b, lambda rng: rng.uniform(-3, 3, 2)),
    Div: (lambda a, b: a / b, lambda rng: [rng.uniform(-3, 3), _signed(rng, 0.3, 3)]),
    Square: (lambda a: a**2, lambda rng: rng.uniform(-3, 3, 1)),
    Cos: (math.cos, lambda rng: rng.uniform(-10, 10, 1)),
    Sin: (math.sin, lambda rng: rng.uniform(-10, 10, 1)),
    Tanh: (math.tanh, lambda rng: rng.uniform(-3, 3, 1)),
    Sigmoid: (lambda a: 1 / (1 + math.exp(-a)), lambda rng: rng.uniform(-8, 8, 1)),
    Log: (math.log, lambda rng: rng.uniform(0.05, 10, 1)),
    LogSigmoid: (lambda a: -math.log1p(math.exp(-a)), lambda rng: rng.uniform(-8, 8, 1)),
}
POINTS = [(2, 4, 1), (9, 14, 3), (128, 42, 666), (52, 14, 28)]


def node_gradient_error(node, inputs, rng):
    """Relative error of node.backward against central differences of dout * node.forward."""
    inputs = np.array(inputs, dtype=np.float64)
    dout = _signed(rng, 0.5, 2)
    node.forward(*inputs)
    analytic = np.array(node.backward(dout), dtype=np.float64)
    numeric = numerical_gradient(lambda v: dout * node.forward(*v), inputs)
    return rel_error(analytic, numeric)


def f_reference(x, y, z):
    u = (math.cos(math.pi * x) + math.sin(math.pi * y / 2)) / math.tanh(z * z)
    return -math.log1p(math.exp(-u))


def grad_by_hand(x, y, z):
    """df/dx, df/dy, df/dz derived on paper: df/du = sigma(-u), then the chain rule."""
    a = np.cos(np.pi * x) + np.sin(np.pi * y / 2)
    t = np.tanh(z**2)
    u = a / t
    s = np.exp(-np.logaddexp(0, u))  # sigma(-u) = 1 / (1 + e^u), without overflow
    return np.array([s * -np.pi * np.sin(np.pi * x) / t,
                     s * np.pi / 2 * np.cos(np.pi * y / 2) / t,
                     s * -a / t**2 * (1 - t**2) * 2 * z])


def func_gradients(x, y, z, func=None):
    func = Func() if func is None else func
    func.forward(x, y, z)
    return np.array(func.backward())


def numeric_gradients(x, y, z, func=None, h=1e-5):
    func = Func() if func is None else func
    return numerical_gradient(lambda v: func.forward(*v), np.array([x, y, z], dtype=np.float64), h)


# ---------------------------------------------------------------- every node on its own

@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_node_forward_matches_math(cls, rng):
    reference, sample = NODES[cls]
    for _ in range(20):
        inputs = [float(v) for v in sample(rng)]
        assert cls().forward(*inputs) == pytest.approx(reference(*inputs), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_node_backward_matches_central_differences(cls, rng):
    sample = NODES[cls][1]
    for _ in range(20):
        assert node_gradient_error(cls(), sample(rng), rng) < 1e-7


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_node_backward_gives_one_gradient_per_input(cls, rng):
    node = cls()
    node.forward(*NODES[cls][1](rng))
    assert len(node.backward(1.0)) == node.arity


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_node_backward_before_forward_raises(cls):
    with pytest.raises(RuntimeError, match="before forward"):
        cls().backward(1.0)


# Broken nodes that keep their own inputs: they must not depend on how a node's forward lays
# out its cache (each student's forward may save something else).
class _KeepsInputs:
    def forward(self, *inputs):
        self.inputs = inputs
        return super().forward(*inputs)


class BrokenTanh(_KeepsInputs, Tanh):
    def backward(self, dout):
        return ((1 - np.tanh(self.inputs[0])) * dout,)  # forgot the square of 1 - y^2


class BrokenCos(_KeepsInputs, Cos):
    def backward(self, dout):
        return (np.sin(self.inputs[0]) * dout,)  # wrong sign


class BrokenDiv(_KeepsInputs, Div):
    def backward(self, dout):
        a, b = self.inputs
        return dout / b, dout * a / b**2  # wrong sign on db


@pytest.mark.parametrize("broken, sample", [(BrokenTanh, NODES[Tanh][1]), (BrokenCos, NODES[Cos][1]),
                                            (BrokenDiv, NODES[Div][1])])
def test_check_catches_a_broken_node(broken, sample, rng):
    errors = [node_gradient_error(broken(), sample(rng), rng) for _ in range(5)]
    assert max(errors) > 1e-3


def test_check_catches_a_broken_node_inside_func(rng):
    for name, node in [("t", BrokenTanh()), ("c", BrokenCos()), ("u", BrokenDiv())]:
        broken = Func().with_node(name, node)
        x, y, z = rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(0.5, 1.5)
        assert rel_error(func_gradients(x, y, z, broken), numeric_gradients(x, y, z, broken)) > 1e-3


# ---------------------------------------------------------------- extreme inputs, per node

def test_log_sigmoid_node_is_exact_for_large_arguments():
    node = LogSigmoid()
    assert node.forward(-1000.0) == -1000.0  # log sigma(u) = u - log(1 + e^u) = u to double precision
    assert node.backward(1.0) == (1.0,)  # sigma(1000) = 1
    assert node.forward(1000.0) == 0.0  # -log(1 + e^-1000)
    assert node.backward(1.0) == (0.0,)


def test_sigmoid_node_saturates_without_nan():
    node = Sigmoid()
    assert node.forward(-1000.0) == 0.0 and node.backward(1.0) == (0.0,)
    assert node.forward(1000.0) == 1.0 and node.backward(1.0) == (0.0,)


def test_tanh_node_saturates_to_an_exact_zero_gradient():
    node = Tanh()
    assert node.forward(666.0**2) == 1.0
    assert node.backward(1.0) == (0.0,)


def test_div_backward_accepts_either_formula_of_the_docstring():
    """db = -dout a / b^2 and db = -da y are both right; the test must not prefer one."""
    node = Div()
    node.forward(0.5, 1e-3)
    da, db = node.backward(2.0)
    assert da == pytest.approx(2e3, rel=1e-14)
    assert db == pytest.approx(-2.0 * 0.5 / 1e-6, rel=1e-14)


@pytest.mark.parametrize("cls", [Cos, Sin])
@pytest.mark.parametrize("a", [128 * np.pi + 0.3, 21 * np.pi - 0.7, -666.25])
def test_trig_nodes_at_large_arguments(cls, a, rng):
    # x = 128 puts pi x near 402: central differences stay accurate there (the step 2h is
    # rounded to the double grid, spacing ~6e-14, a 3e-9 relative change)
    assert node_gradient_error(cls(), [a], rng) < 1e-7


def test_log_node_refuses_negative_input():
    with pytest.raises(ValueError, match="a >= 0"):
        Log().forward(-1.0)


# ---------------------------------------------------------------- the whole function

def test_func_forward_matches_math(rng):
    for _ in range(20):
        x, y, z = rng.uniform(-3, 3), rng.uniform(-3, 3), _signed(rng, 0.3, 2)
        assert Func().forward(x, y, z) == pytest.approx(f_reference(x, y, z), rel=1e-12)


def test_func_backward_matches_central_differences(rng):
    for _ in range(20):
        x, y, z = rng.uniform(-3, 3), rng.uniform(-3, 3), _signed(rng, 0.3, 2)
        g, n = func_gradients(x, y, z), numeric_gradients(x, y, z)
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-10)
        assert rel_error(g, n) < 1e-6


@pytest.mark.parametrize("point", POINTS)
def test_func_at_the_four_points_matches_the_hand_derivation(point):
    # rtol 1e-7, not 1e-13: at (9, 14, 3), 1 - tanh(9)^2 = 6e-8 cancels, so one ulp of difference
    # between two correct tanh (np.tanh, math.tanh) moves dz by 2e-9 relative
    np.testing.assert_allclose(func_gradients(*point), grad_by_hand(*point), rtol=1e-7, atol=0)


@pytest.mark.parametrize("point", POINTS)
def test_func_at_the_four_points_matches_central_differences(point):
    # h = 1e-5: truncation O(h^2) and round-off eps |f| / h ~ 1e-11 (the atol) both small
    np.testing.assert_allclose(func_gradients(*point), numeric_gradients(*point), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("point", [(128, 42, 666), (52, 14, 28)])
def test_saturated_tanh_gives_exact_zero_z_gradient(point):
    func = Func()
    func.forward(*point)
    assert func.values["t"] == 1.0
    dx, dy, dz = func.backward()
    assert dz == 0.0 and np.isfinite(dx) and np.isfinite(dy)


def test_func_is_finite_and_exact_for_very_negative_u():
    func = Func()
    f = func.forward(1.0, 0.0, 1e-3)  # u = (-1 + 0) / tanh(1e-6) = -1e6
    u = func.values["u"]
    assert u < -9e5
    assert f == pytest.approx(u, rel=1e-15)
    g = np.array(func.backward())
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, grad_by_hand(1.0, 0.0, 1e-3), rtol=1e-13)
    assert g[1] == pytest.approx(np.pi / 2 / np.tanh(1e-6), rel=1e-13)  # sigma(-u) = 1


def test_func_is_finite_for_very_positive_u():
    func = Func()
    assert func.forward(0.0, 1.0, 1e-3) == 0.0  # u = 2e6: log sigma(u) = -exp(-2e6), below the smallest double
    assert func.backward() == [0.0, 0.0, 0.0]


def test_naive_log_of_sigmoid_fails_where_log_sigmoid_does_not():
    naive = Graph(["u"], [("s", Sigmoid(), ("u",)), ("f", Log(), ("s",))])
    fused = Graph(["u"], [("f", LogSigmoid(), ("u",))])
    assert naive.forward(-30.0) == pytest.approx(fused.forward(-30.0), rel=1e-12)
    with pytest.raises(FloatingPointError, match="-inf"):
        naive.forward(-1000.0)
    assert fused.forward(-1000.0) == -1000.0
    assert fused.backward() == [1.0]


# ---------------------------------------------------------------- fan-out

def test_fan_out_accumulates_gradients(rng):
    for z in rng.uniform(-3, 3, 5):
        square = Graph(["z"], [("w", Mul(), ("z", "z"))])  # w = z * z: z feeds both inputs
        square.forward(z)
        assert square.backward() == [pytest.approx(2 * z, rel=1e-15)]
        assert square.edge_grads[(0, 0)] + square.edge_grads[(0, 1)] == square.grads["z"]


def test_fan_out_through_different_paths(rng):
    g = Graph(["x"], [("s", Sin(), ("x",)), ("w", Mul(), ("x", "s"))])  # w = x sin(x)
    for x in rng.uniform(-3, 3, 5):
        g.forward(x)
        assert g.backward() == [pytest.approx(math.sin(x) + x * math.cos(x), rel=1e-12)]


def test_backward_twice_does_not_double_count(rng):
    func = Func()
    func.forward(0.3, 0.7, 0.9)
    assert func.backward() == func.backward()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad, error, message", [
    ("1.0", TypeError, "real number"),
    (True, TypeError, "real number"),
    (1 + 2j, TypeError, "real number"),
    (None, TypeError, "real number"),
    (float("nan"), ValueError, "finite"),
    (np.inf, ValueError, "finite"),
    (10**400, ValueError, "finite"),
    (np.array([1.0, 2.0]), ValueError, r"scalar.*\(2,\)"),
    ([0.5], ValueError, "scalar"),
])
def test_func_rejects_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        Func().forward(0.5, bad, 1.0)


def test_func_accepts_ints_and_numpy_scalars():
    expected = Func().forward(0.5, 1.0, 0.75)
    assert Func().forward(np.float32(0.5), np.int64(1), np.array(0.75)) == expected
    assert Func().forward(2, 4, 1) == Func().forward(2.0, 4.0, 1.0)


def test_func_wrong_number_of_inputs():
    with pytest.raises(TypeError, match="3 inputs"):
        Func().forward(1.0, 2.0)


def test_func_undefined_at_z_zero_says_where():
    func = Func()
    with pytest.raises(FloatingPointError, match=r"u = ÷\(a, t\).*t = 0"):
        func.forward(1.0, 1.0, 0.0)
    with pytest.raises(RuntimeError, match="before forward"):
        func.backward()


def test_graph_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        Func().backward()


def test_graph_construction_errors():
    with pytest.raises(ValueError, match="before they are defined"):
        Graph(["x"], [("w", Mul(), ("x", "y"))])
    with pytest.raises(ValueError, match="defined twice"):
        Graph(["x"], [("x", Sin(), ("x",))])
    with pytest.raises(ValueError, match="takes 2 input"):
        Graph(["x"], [("w", Mul(), ("x",))])
    node = Sin()
    with pytest.raises(ValueError, match="own node instance"):
        Graph(["x"], [("s", node, ("x",)), ("w", node, ("s",))])


def test_with_node_leaves_the_original_alone():
    func = Func()
    broken = func.with_node("t", BrokenTanh())
    assert isinstance(broken.steps[6][1], BrokenTanh) and type(func.steps[6][1]) is Tanh
    assert all(a[1] is not b[1] for a, b in zip(func.steps, broken.steps))
    with pytest.raises(KeyError, match="no step computes"):
        func.with_node("q", Tanh())


# ---------------------------------------------------------------- drawing

def test_draw_graph_draws_every_node_and_the_values():
    func = Func()
    f = func.forward(2.0, 4.0, 1.0)
    func.backward()
    fig = draw_graph(func, digits=4)
    ax = fig.axes[0]
    assert sum(isinstance(p, Circle) for p in ax.patches) == len(func.steps)
    texts = {t.get_text() for t in ax.texts}
    assert f"{f:.4g}" in texts
    assert f"∂f/∂y = {func.grads['y']:.4g}" in texts
    matplotlib.pyplot.close(fig)


class _Half(Node):
    """y = a / 2, with a backward and a forward that can be broken on purpose."""

    symbol = "½"

    def __init__(self, backward_returns="tuple", forward_returns=True):
        super().__init__()
        self.backward_returns, self.forward_returns = backward_returns, forward_returns

    def forward(self, a):
        self._forward_starts()
        if self.forward_returns:
            return a / 2

    def backward(self, dout):
        self._check_forward()
        return (dout / 2,) if self.backward_returns == "tuple" else dout / 2


def test_graph_names_a_backward_that_returns_too_few_gradients():
    # a two-input node whose backward returns one gradient gave d/db = 0, silently
    class Plus(Node):
        symbol, arity = "plus", 2

        def forward(self, a, b):
            self._forward_starts()
            return a + b

        def backward(self, dout):
            self._check_forward()
            return (dout,)  # forgets db

    g = Graph(("a", "b"), [("y", Plus(), ("a", "b"))])
    g.forward(2.0, 3.0)
    with pytest.raises(TypeError, match=r"step y = plus\(a, b\) returned \(.*1\.0\)?,\); "
                                        r"expected a tuple of 2 gradient\(s\)"):
        g.backward()


def test_graph_names_a_backward_that_returns_a_bare_number():
    g = Graph(("a",), [("h", _Half(backward_returns="float"), ("a",))])
    g.forward(1.0)
    with pytest.raises(TypeError, match=r"step h = ½\(a\) returned .*0\.5\)?; expected a tuple of 1 gradient\(s\).*da"):
        g.backward()


def test_graph_names_a_forward_without_return():
    g = Graph(("a",), [("h", _Half(forward_returns=False), ("a",))])
    with pytest.raises(TypeError, match=r"step h = ½\(a\) returned None.*_Half.forward end with `return`"):
        g.forward(1.0)
