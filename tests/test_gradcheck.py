import numpy as np
import pytest

from helpers.gradcheck import (
    gradient_test,
    jacobian_test,
    layer_jacobian_tests,
    network_gradient_test,
    numerical_gradient,
    param_gradient_errors,
    rel_error,
    taylor_slope,
    taylor_verdict,
)
from helpers.layers import Linear, ReLU, Sequential, Tanh
from helpers.losses import SoftmaxCrossEntropy
from helpers.networks import two_layer_net
from helpers.prepare import one_hot


def f_quartic(x):
    return float(np.sum(x**4) + np.sum(np.sin(x)))


def grad_quartic(x):
    return 4 * x**3 + np.cos(x)


def test_numerical_gradient_matches_analytic(rng):
    x = rng.standard_normal((3, 4))
    assert rel_error(numerical_gradient(f_quartic, x), grad_quartic(x)) < 1e-7


def test_numerical_gradient_restores_x(rng):
    x = rng.standard_normal(5)
    before = x.copy()
    numerical_gradient(f_quartic, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_catches_wrong_gradient(rng):
    x = rng.standard_normal((3, 4))
    wrong = 4 * x**3  # forgot the derivative of sin
    assert rel_error(numerical_gradient(f_quartic, x), wrong) > 1e-3


def test_numerical_gradient_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(f_quartic, np.ones(3, dtype=np.float32))


def test_numerical_gradient_refuses_vector_valued_f():
    with pytest.raises(ValueError, match="scalar"):
        numerical_gradient(lambda x: x * 2, np.ones(3))


def test_rel_error_definition():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    # both tiny: the 1e-8 floor keeps round-off noise from looking like a large error
    assert rel_error(np.array([1e-12]), np.array([-1e-12])) == pytest.approx(2e-4)


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        rel_error(np.ones(3), np.ones(2))


def test_gradient_test_orders(rng):
    x = rng.standard_normal(6)
    eps, zero, first = gradient_test(f_quartic, grad_quartic, x, rng=rng)
    assert taylor_slope(eps, zero) == pytest.approx(1, abs=0.15)
    assert taylor_slope(eps, first) == pytest.approx(2, abs=0.15)


def test_gradient_test_catches_wrong_gradient(rng):
    x = rng.standard_normal(6)
    eps, zero, first = gradient_test(f_quartic, lambda z: 4 * z**3, x, rng=rng)
    assert taylor_slope(eps, first) < 1.3


def test_gradient_test_shape_errors(rng):
    with pytest.raises(ValueError, match="shape of x"):
        gradient_test(f_quartic, lambda z: z[:-1], rng.standard_normal(4))
    with pytest.raises(ValueError, match="direction d"):
        gradient_test(f_quartic, grad_quartic, rng.standard_normal(4), d=np.ones(3))


class _Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dout):
        return dout * (1 - self.y**2)


def test_jacobian_test_orders(rng):
    layer = _Tanh()
    eps, zero, first = jacobian_test(layer.forward, layer.backward, rng.standard_normal((4, 3)), rng=rng)
    assert taylor_slope(eps, zero) == pytest.approx(1, abs=0.15)
    assert taylor_slope(eps, first) == pytest.approx(2, abs=0.15)


def test_jacobian_test_catches_wrong_backward(rng):
    layer = _Tanh()
    eps, zero, first = jacobian_test(layer.forward, lambda d: d * (1 - layer.y), rng.standard_normal((4, 3)), rng=rng)
    assert taylor_slope(eps, first) < 1.3


def test_param_gradient_errors_catches_a_wrong_layer_and_passes_a_right_one():
    class NoMask(ReLU):
        def backward(self, dout):
            return dout

    r = np.random.default_rng(0)
    X, T = r.standard_normal((6, 5)), one_hot(r.integers(0, 3, 6), 3)
    good = param_gradient_errors(two_layer_net(5, 4, 3, np.random.default_rng(1)), SoftmaxCrossEntropy(), X, T, reg=0.1)
    assert max(good.values()) < 1e-7
    net = two_layer_net(5, 4, 3, np.random.default_rng(1))
    net.layers[1] = NoMask()
    bad = param_gradient_errors(net, SoftmaxCrossEntropy(), X, T, reg=0.1)
    assert bad["0.W"] > 1e-3 and bad["2.W"] < 1e-7


def f_square(x):
    return float(np.sum(x**2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gradient_test_calls_a_non_finite_gradient_wrong(bad, rng):
    x = rng.standard_normal(6)
    verdict = taylor_verdict(*gradient_test(f_square, lambda z: np.full(z.shape, bad), x))
    assert verdict.startswith("WRONG") and verdict not in ("O(eps^2)", "exact")


def test_gradient_test_calls_a_single_nan_entry_wrong(rng):
    x = rng.standard_normal(6)

    def grad(z):
        g = 2 * z
        g[3] = np.nan
        return g

    assert taylor_verdict(*gradient_test(f_square, grad, x)).startswith("WRONG")


def test_gradient_test_calls_a_non_finite_loss_wrong(rng):
    x = rng.standard_normal(4)
    verdict = taylor_verdict(*gradient_test(lambda z: float("nan"), lambda z: 2 * z, x))
    assert verdict.startswith("WRONG")


def test_jacobian_test_calls_a_nan_backward_wrong(rng):
    x = rng.standard_normal((3, 4))
    verdict = taylor_verdict(*jacobian_test(np.tanh, lambda u: np.full(u.shape, np.nan), x))
    assert verdict.startswith("WRONG")


class NanBackward(Linear):
    def backward(self, dout):
        super().backward(dout)
        self.grads["W"] = np.full_like(self.grads["W"], np.nan)
        return np.full((dout.shape[0], self.params["W"].shape[0]), np.inf)


def test_layer_jacobian_tests_call_a_non_finite_backward_wrong(rng):
    layer = NanBackward(4, 3, rng)
    results = layer_jacobian_tests(layer, rng.standard_normal((5, 4)), rng=rng)
    assert taylor_verdict(*results["x"]).startswith("WRONG")
    assert taylor_verdict(*results["W"]).startswith("WRONG")


def test_network_gradient_test_calls_a_nan_gradient_wrong(rng):
    model = Sequential(NanBackward(4, 5, rng), Tanh(), Linear(5, 3, rng))
    X, T = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    verdict = taylor_verdict(*network_gradient_test(model, SoftmaxCrossEntropy(guard=0), X, T, rng=rng))
    assert verdict.startswith("WRONG")


def test_rel_error_of_a_nan_gradient_is_not_small():
    err = rel_error(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert err > 1e-3  # notebook 04's test; a NaN error compared False with every threshold


def test_taylor_verdict_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="one shape"):
        taylor_verdict(np.ones(4), np.ones(3), np.ones(4))
