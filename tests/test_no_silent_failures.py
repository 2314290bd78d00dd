"""Issue 12, "no silent failures": a wrong number must never pass quietly.

Sections follow the issue's items 1-7; each test failed before the fix.
"""
import numpy as np
import pytest

from helpers.gradcheck import gradient_test, jacobian_test, rel_error, taylor_verdict
from helpers.layers import Linear, ReLU, Sequential, SoftmaxCrossEntropy, Tanh
from helpers.resnet import layer_jacobian_tests, network_gradient_test


# ------------------------------------------------------------ 1. gradient checks and non-finite values
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
